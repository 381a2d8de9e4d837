//! The key type an OpenSSH private key file names in its clear-text header, read without the
//! key parser: ssh-key, as built here, has no code for ECDSA or DSA keys and only says
//! "unknown algorithm", while the user needs to hear which key they gave.
//!
//! The format (PROTOCOL.key in OpenSSH): base64 between the armor lines, decoding to
//! `"openssh-key-v1\0"`, then the strings cipher name, KDF name and KDF options, a u32 count
//! of keys, and the first public key as a string whose first field is the key type.

const MAGIC: &[u8] = b"openssh-key-v1\0";

/// The key type of the first key in `pem` (`ecdsa-sha2-nistp256`), or `None` when the text is
/// not in that format.
pub fn of_private_key(pem: &str) -> Option<String> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .skip_while(|line| !line.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"))
        .skip(1)
        .take_while(|line| !line.starts_with("-----END"))
        .collect();
    // The type is near the start; decode no more than needed.
    let bytes = decode_base64(body.get(..body.len().min(1024))?)?;
    let mut rest = bytes.strip_prefix(MAGIC)?;
    for _ in 0..3 {
        string(&mut rest)?;
    }
    let _count = u32_field(&mut rest)?;
    // The public key's length, then its first field: the type.
    let _length = u32_field(&mut rest)?;
    let kind = string(&mut rest)?;
    let kind = std::str::from_utf8(kind).ok()?;
    (!kind.is_empty() && kind.len() <= 64 && kind.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| kind.to_string())
}

fn u32_field(rest: &mut &[u8]) -> Option<u32> {
    let (head, tail) = rest.split_first_chunk::<4>()?;
    *rest = tail;
    Some(u32::from_be_bytes(*head))
}

fn string<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    let length = usize::try_from(u32_field(rest)?).ok()?;
    if length > rest.len() {
        return None;
    }
    let (value, tail) = rest.split_at(length);
    *rest = tail;
    Some(value)
}

/// Standard base64; a trailing partial group (a cut-off prefix) decodes as far as it goes.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_type_of_a_key_ssh_key_cannot_parse() {
        // The header of `ssh-keygen -t ecdsa -N ''` output (the key itself cut off).
        let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n\
                   b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS\n\
                   1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQ\n\
                   -----END OPENSSH PRIVATE KEY-----\n";
        assert_eq!(of_private_key(pem).as_deref(), Some("ecdsa-sha2-nistp256"));
    }

    #[test]
    fn garbage_is_none() {
        for text in
            ["", "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n", "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n"]
        {
            assert_eq!(of_private_key(text), None, "{text:?}");
        }
    }
}
