//! SSH signatures (SSHSIG, as `ssh-keygen -Y sign` makes them) over what trustpress hands to
//! others, so that anyone holding the organisation's public key can check where a file came
//! from with the standard tool alone: `ssh-keygen -Y verify -n trustpress`.
//!
//! What this module owns: reading the signing key (an unencrypted OpenSSH Ed25519 private
//! key in a file only its owner can read, refused otherwise, as ssh refuses it), signing
//! (namespace `trustpress`, SHA-512, armored as `-----BEGIN SSH SIGNATURE-----`), reading a
//! public key, and checking a signature against it.
//!
//! Ed25519 signatures are deterministic: the same key and message give the same bytes, the
//! very bytes `ssh-keygen -Y sign` writes, so a signed bundle stays byte-reproducible.

pub mod fetch;
mod key_type;
pub mod site;

use std::ffi::OsStr;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use ssh_key::private::KeypairData;
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};

/// The SSHSIG namespace of every trustpress signature: a signature made for git commits or
/// for another tool (another namespace) never passes as one over a trustpress file, nor the
/// other way round. The auditor passes it as `ssh-keygen -Y verify -n trustpress`.
pub const NAMESPACE: &str = "trustpress";

/// A key file, a public key file or a signature larger than this is refused unread: the
/// real ones are well under a kilobyte.
const MAX_KEY_FILE_BYTES: u64 = 64 * 1024;

/// Why a key could not be used or a signature does not verify. Each message names the file
/// or key it is about and, where there is one, what to do.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    #[error("cannot read `{}`: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("`{}` is not a file", path.display())]
    NotAFile { path: PathBuf },
    #[error("`{}` is larger than {MAX_KEY_FILE_BYTES} bytes: not a key file", path.display())]
    TooLarge { path: PathBuf },
    #[error(
        "`{path}` can be read or written by others (mode {mode:04o}): a private key must be readable by its owner only, and ssh refuses such a key too; run `chmod 600 {path}`",
        path = path.display()
    )]
    KeyFileOpenToOthers { path: PathBuf, mode: u32 },
    #[error(
        "`{}` is a public key; signing needs the private key (the same name without `.pub`)",
        path.display()
    )]
    PublicKeyForSigning { path: PathBuf },
    #[error(
        "`{}` is not an OpenSSH private key ({reason}); trustpress reads the file `ssh-keygen -t ed25519` writes, which starts with `-----BEGIN OPENSSH PRIVATE KEY-----`",
        path.display()
    )]
    NotAPrivateKey { path: PathBuf, reason: String },
    #[error(
        "`{}` is {}; trustpress signs with Ed25519 keys only: make one with `ssh-keygen -t ed25519 -N '' -C \"trust@example.com\" -f KEYFILE`",
        path.display(),
        describe_algorithm(algorithm.as_deref())
    )]
    NotEd25519 { path: PathBuf, algorithm: Option<String> },
    #[error(
        "`{}` is protected by a passphrase, which trustpress cannot ask for; use an unencrypted Ed25519 key kept in a file only its owner can read (chmod 600), in CI a secret written to such a file (see docs/SIGNING.md)",
        path.display()
    )]
    Encrypted { path: PathBuf },
    #[error(
        "`{shown}` is neither a file nor an OpenSSH public key line (`ssh-ed25519 AAAA… comment`, as in the `.pub` file ssh-keygen writes)"
    )]
    NotAPublicKeyArgument { shown: String },
    #[error("{origin} is a private key; give the public key (the `.pub` file beside it) instead")]
    PrivateKeyForVerifying { origin: String },
    #[error("{origin} is not an OpenSSH public key ({reason}); expected one line `ssh-ed25519 AAAA… comment`, as in the `.pub` file ssh-keygen writes")]
    NotAPublicKey { origin: String, reason: String },
    #[error("{origin} holds {count} public keys; give the one key the signature must be made with")]
    SeveralPublicKeys { origin: String, count: usize },
    #[error(
        "{origin} is {}; trustpress signatures are made with Ed25519 keys",
        describe_algorithm(Some(algorithm))
    )]
    PublicKeyNotEd25519 { origin: String, algorithm: String },
    #[error("`{principal}` cannot be an allowed_signers principal: {reason}")]
    Principal { principal: String, reason: &'static str },
    #[error("the signature is not an SSH signature ({reason}); it should start with `-----BEGIN SSH SIGNATURE-----`")]
    NotASignature { reason: String },
    #[error(
        "the signature is for namespace `{namespace}`, not `{NAMESPACE}`: it was made for another purpose than signing a trustpress file"
    )]
    WrongNamespace { namespace: String },
    #[error("the signature was made with key {signed_by}, not with the key given ({expected})")]
    WrongKey { signed_by: String, expected: String },
    #[error(
        "the signature was made with {}, which trustpress does not check; trustpress signs with Ed25519 keys",
        describe_algorithm(Some(algorithm))
    )]
    SignatureNotEd25519 { algorithm: String },
    #[error(
        "the signature by key {signed_by} does not match the signed file: the file was changed after it was signed, or the signature is damaged"
    )]
    BadSignature { signed_by: String },
    #[error(
        "`{}` is inside the content folder, which is committed to git: keep the private key outside it (see docs/SIGNING.md)",
        path.display()
    )]
    KeyInContent { path: PathBuf },
    /// The key could not be fetched (`verify --key-from`).
    #[error("{0}")]
    Fetch(String),
    /// A signed site folder that cannot be checked (see `site`).
    #[error("{0}")]
    Site(String),
}

/// "an RSA key (ssh-rsa)", for the messages above.
fn describe_algorithm(algorithm: Option<&str>) -> String {
    let Some(algorithm) = algorithm else { return "not an Ed25519 key".to_string() };
    let kind = if algorithm.contains("ed25519") && algorithm.starts_with("sk-") {
        "a FIDO security-key (sk) Ed25519 key, which only its hardware can sign with"
    } else if algorithm.contains("ecdsa") {
        "an ECDSA key"
    } else if algorithm.contains("rsa") {
        "an RSA key"
    } else if algorithm.contains("dss") {
        "a DSA key"
    } else {
        "a key of another type"
    };
    format!("{kind} (`{}`)", algorithm.escape_debug())
}

/// An Ed25519 private key read from an unencrypted OpenSSH key file. Its `Debug` shows the
/// public key's fingerprint, never the secret.
#[derive(Clone)]
pub struct SigningKey {
    key: PrivateKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("public_key", &self.public_key().fingerprint()).finish()
    }
}

impl SigningKey {
    /// The public half: what an auditor is given to check signatures with.
    pub fn public_key(&self) -> VerifyingKey {
        VerifyingKey { key: self.key.public_key().clone() }
    }

    /// Parses the text of an OpenSSH private key file; `path` names it in errors.
    fn from_openssh(text: &str, path: &Path) -> Result<SigningKey, SignError> {
        let not_a_key = |reason: String| SignError::NotAPrivateKey { path: path.to_path_buf(), reason };
        // Blank lines around the armor (a CI secret written with an extra newline) are no
        // part of the key.
        let trimmed = text.trim();
        if !trimmed.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----") {
            let reason = match trimmed.lines().next().unwrap_or("") {
                line if line.starts_with("-----BEGIN ") && line.ends_with("-----") => {
                    format!("it is a PEM file `{}`", line.escape_debug())
                }
                _ => "it does not start with `-----BEGIN OPENSSH PRIVATE KEY-----`".to_string(),
            };
            return Err(not_a_key(reason));
        }
        let key = match PrivateKey::from_openssh(trimmed) {
            Ok(key) => key,
            // Types this build of ssh-key has no code for (ECDSA, DSA, …) fail to parse at
            // all; the type is named in the key's clear-text header, so say which it is.
            Err(ssh_key::Error::AlgorithmUnknown | ssh_key::Error::AlgorithmUnsupported { .. }) => {
                return Err(SignError::NotEd25519 {
                    path: path.to_path_buf(),
                    algorithm: key_type::of_private_key(trimmed),
                })
            }
            Err(error) => return Err(not_a_key(error.to_string())),
        };
        // The public key and the key type are in clear text even in an encrypted file.
        if key.algorithm() != ssh_key::Algorithm::Ed25519 {
            return Err(SignError::NotEd25519 {
                path: path.to_path_buf(),
                algorithm: Some(key.algorithm().as_str().to_string()),
            });
        }
        if key.is_encrypted() {
            return Err(SignError::Encrypted { path: path.to_path_buf() });
        }
        if !matches!(key.key_data(), KeypairData::Ed25519(_)) {
            return Err(SignError::NotEd25519 {
                path: path.to_path_buf(),
                algorithm: Some(key.algorithm().as_str().to_string()),
            });
        }
        Ok(SigningKey { key })
    }
}

/// An Ed25519 public key, as an OpenSSH public key line holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyingKey {
    key: PublicKey,
}

impl VerifyingKey {
    /// Parses public key text: one OpenSSH public key line (`ssh-ed25519 AAAA… comment`), or
    /// the text of a file holding exactly one, beside blank lines and `#` comments.
    pub fn parse(text: &str) -> Result<VerifyingKey, SignError> {
        VerifyingKey::parse_from(text, "the public key")
    }

    /// The key `argument` names: a file holding one (a `.pub` file), or the key line itself.
    /// A file of that name wins over reading the argument as a key.
    pub fn from_argument(argument: &OsStr) -> Result<VerifyingKey, SignError> {
        let path = Path::new(argument);
        if path.is_file() {
            let origin = format!("`{}`", path.display());
            let (bytes, _) = read_small_file(path)?;
            let text = std::str::from_utf8(&bytes.0).map_err(|_| SignError::NotAPublicKey {
                origin: origin.clone(),
                reason: "it is not text".into(),
            })?;
            return VerifyingKey::parse_from(text, &origin);
        }
        match argument.to_str() {
            Some(text) if looks_like_public_key(text) => {
                VerifyingKey::parse_from(text, "the public key given")
            }
            _ => Err(SignError::NotAPublicKeyArgument {
                shown: argument.to_string_lossy().escape_debug().to_string(),
            }),
        }
    }

    /// `origin` names the text in errors ("`org.pub`").
    fn parse_from(text: &str, origin: &str) -> Result<VerifyingKey, SignError> {
        let origin = origin.to_string();
        if text.contains("PRIVATE KEY-----") {
            return Err(SignError::PrivateKeyForVerifying { origin });
        }
        let lines: Vec<&str> =
            text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
        let line = match lines.as_slice() {
            [line] => *line,
            [] => return Err(SignError::NotAPublicKey { origin, reason: "it is empty".into() }),
            several => return Err(SignError::SeveralPublicKeys { origin, count: several.len() }),
        };
        let key = PublicKey::from_openssh(line).map_err(|error| SignError::NotAPublicKey {
            origin: origin.clone(),
            reason: error.to_string(),
        })?;
        if key.algorithm() != ssh_key::Algorithm::Ed25519 {
            return Err(SignError::PublicKeyNotEd25519 {
                origin,
                algorithm: key.algorithm().as_str().to_string(),
            });
        }
        Ok(VerifyingKey { key })
    }

    /// The fingerprint `ssh-keygen -l` and `ssh-keygen -Y verify` print: `SHA256:…`.
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint(HashAlg::Sha256).to_string()
    }

    /// The OpenSSH public key line, with its comment: `ssh-ed25519 AAAA… comment`.
    pub fn to_openssh(&self) -> String {
        // Encoding a parsed Ed25519 key cannot fail; the fingerprint is a fallback that
        // still names the key.
        self.key.to_openssh().unwrap_or_else(|_| self.fingerprint())
    }

    /// The key type and key, without the comment: `ssh-ed25519 AAAA…`.
    fn without_comment(&self) -> String {
        let mut key = self.key.clone();
        key.set_comment("");
        key.to_openssh().map(|line| line.trim_end().to_string()).unwrap_or_else(|_| self.fingerprint())
    }

    /// A line of an `allowed_signers` file (see ssh-keygen(1), ALLOWED SIGNERS) that lets
    /// `ssh-keygen -Y verify -f allowed_signers -I <principal> -n trustpress` accept this
    /// key's trustpress signatures, and only those:
    /// `<principal> namespaces="trustpress" ssh-ed25519 AAAA…`.
    pub fn allowed_signers_line(&self, principal: &str) -> Result<String, SignError> {
        let refuse =
            |reason| Err(SignError::Principal { principal: principal.escape_debug().to_string(), reason });
        if principal.is_empty() {
            return refuse("it is empty");
        }
        if principal.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return refuse("it holds a space or a control character");
        }
        if principal.contains(['"', ',', '*', '?', '!']) {
            return refuse("`\"`, `,`, `*`, `?` and `!` have a meaning in allowed_signers; use a plain name such as an email address");
        }
        Ok(format!("{principal} namespaces=\"{NAMESPACE}\" {}", self.without_comment()))
    }

    /// Checks that `signature_text` is a trustpress signature over `message` made with this
    /// key.
    pub fn verify(&self, message: &[u8], signature_text: &str) -> Result<(), SignError> {
        let signature = parse_signature(signature_text)?;
        if signature.public_key() != self.key.key_data() {
            return Err(SignError::WrongKey {
                signed_by: signer_of(&signature)
                    .map_or_else(|| "of another type".to_string(), |key| key.fingerprint()),
                expected: self.fingerprint(),
            });
        }
        check(&self.key, message, &signature)
    }
}

/// Checks a signature the key of which is known to be `key`.
fn check(key: &PublicKey, message: &[u8], signature: &SshSig) -> Result<(), SignError> {
    key.verify(NAMESPACE, message, signature)
        .map_err(|_| SignError::BadSignature { signed_by: key.fingerprint(HashAlg::Sha256).to_string() })
}

/// The key a signature names as its signer, when it is an Ed25519 key.
fn signer_of(signature: &SshSig) -> Option<VerifyingKey> {
    match signature.public_key().algorithm() {
        ssh_key::Algorithm::Ed25519 => {
            Some(VerifyingKey { key: PublicKey::new(signature.public_key().clone(), "") })
        }
        _ => None,
    }
}

/// Parses an armored SSH signature and checks that it is a trustpress one (namespace).
fn parse_signature(text: &str) -> Result<SshSig, SignError> {
    if text.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(SignError::NotASignature {
            reason: format!("it is larger than {MAX_KEY_FILE_BYTES} bytes"),
        });
    }
    let signature = SshSig::from_pem(text.trim().as_bytes())
        .map_err(|error| SignError::NotASignature { reason: error.to_string() })?;
    if signature.namespace() != NAMESPACE {
        return Err(SignError::WrongNamespace {
            namespace: signature.namespace().escape_debug().to_string(),
        });
    }
    if signature.public_key().algorithm() != ssh_key::Algorithm::Ed25519 {
        return Err(SignError::SignatureNotEd25519 {
            algorithm: signature.public_key().algorithm().as_str().to_string(),
        });
    }
    Ok(signature)
}

/// Reads the signing key at `path` for content in `content`: as [`load_private_key`], and
/// refused when the key file is inside the content folder, which the team commits (and
/// everything in it may be published or bundled).
pub fn load_private_key_for(path: &Path, content: &Path) -> Result<SigningKey, SignError> {
    if let (Ok(key), Ok(content)) = (std::fs::canonicalize(path), std::fs::canonicalize(content)) {
        if key.starts_with(&content) {
            return Err(SignError::KeyInContent { path: path.to_path_buf() });
        }
    }
    load_private_key(path)
}

/// Reads the signing key at `path`: an unencrypted OpenSSH Ed25519 private key, as
/// `ssh-keygen -t ed25519 -N ''` writes it, in a file that neither group nor others may read
/// or write (refused otherwise, as ssh refuses it). Garbage is an error, never a panic.
pub fn load_private_key(path: &Path) -> Result<SigningKey, SignError> {
    let (bytes, mode) = read_small_file(path)?;
    // A public key given by mistake is named as such, whatever its mode (a `.pub` file is
    // rightly readable by all).
    if std::str::from_utf8(&bytes.0).is_ok_and(looks_like_public_key) {
        return Err(SignError::PublicKeyForSigning { path: path.to_path_buf() });
    }
    if let Some(mode) = mode.filter(|mode| mode & 0o077 != 0) {
        return Err(SignError::KeyFileOpenToOthers { path: path.to_path_buf(), mode });
    }
    let text = std::str::from_utf8(&bytes.0).map_err(|_| SignError::NotAPrivateKey {
        path: path.to_path_buf(),
        reason: "it is not text".into(),
    })?;
    SigningKey::from_openssh(text, path)
}

/// A file's bytes, overwritten when dropped: a private key's text does not linger in freed
/// memory longer than it must (best effort; the parsed key wipes its own copy).
struct Wiped(Vec<u8>);

impl Drop for Wiped {
    fn drop(&mut self) {
        self.0.fill(0);
        std::hint::black_box(&self.0);
    }
}

/// The bytes of the file at `path` and, on Unix, its permission bits; refused when it is not a
/// regular file or is too large.
fn read_small_file(path: &Path) -> Result<(Wiped, Option<u32>), SignError> {
    let read_error = |source: io::Error| SignError::Read { path: path.to_path_buf(), source };
    let file = File::open(path).map_err(read_error)?;
    // The opened file's metadata, not the path's: what is checked is what is read.
    let metadata = file.metadata().map_err(read_error)?;
    if !metadata.is_file() {
        return Err(SignError::NotAFile { path: path.to_path_buf() });
    }
    #[cfg(unix)]
    let mode = {
        use std::os::unix::fs::PermissionsExt;
        Some(metadata.permissions().mode() & 0o7777)
    };
    #[cfg(not(unix))]
    let mode = None;
    if metadata.len() > MAX_KEY_FILE_BYTES {
        return Err(SignError::TooLarge { path: path.to_path_buf() });
    }
    // Room for the whole file up front: a growing vector would leave copies behind.
    let mut bytes = Wiped(Vec::with_capacity(MAX_KEY_FILE_BYTES as usize + 1));
    file.take(MAX_KEY_FILE_BYTES + 1).read_to_end(&mut bytes.0).map_err(read_error)?;
    if bytes.0.len() as u64 > MAX_KEY_FILE_BYTES {
        return Err(SignError::TooLarge { path: path.to_path_buf() });
    }
    Ok((bytes, mode))
}

/// Whether `text` reads as a public key line (`ssh-ed25519 AAAA…`, `ecdsa-sha2-… AAAA…`).
fn looks_like_public_key(text: &str) -> bool {
    let mut words = text.split_whitespace();
    matches!(
        (words.next(), words.next()),
        (Some(kind), Some(data))
            if (kind.starts_with("ssh-") || kind.starts_with("sk-") || kind.starts_with("ecdsa-"))
                && data.starts_with("AAAA")
    )
}

/// An SSH signature over `message` with `key`, namespace `trustpress`, SHA-512, armored as
/// `-----BEGIN SSH SIGNATURE-----` with a final newline: byte for byte what
/// `ssh-keygen -Y sign -n trustpress -f KEYFILE` writes, and deterministic (Ed25519).
pub fn sign(key: &SigningKey, message: &[u8]) -> String {
    // `SigningKey` holds an unencrypted Ed25519 key by construction, and the namespace is
    // not empty: the only ways SSHSIG signing and its PEM encoding can fail.
    let signature = key.key.sign(NAMESPACE, HashAlg::Sha512, message).expect("an Ed25519 key signs");
    signature.to_pem(LineEnding::LF).expect("a signature encodes")
}

/// Checks that `signature_text` (armored SSHSIG) is a trustpress signature over `message` made
/// with the key in `public_key_text` (an OpenSSH public key line, or a file's text holding
/// one).
pub fn verify(public_key_text: &str, message: &[u8], signature_text: &str) -> Result<(), SignError> {
    VerifyingKey::parse(public_key_text)?.verify(message, signature_text)
}

/// Checks `signature_text` over `message` against the key the signature itself names, and
/// returns that key. This proves that `message` is unchanged since someone signed it, not who:
/// anyone can sign a changed file with a key of their own. Compare the key's fingerprint
/// with the organisation's, or check with [`verify`].
pub fn signed_by(message: &[u8], signature_text: &str) -> Result<VerifyingKey, SignError> {
    let signature = parse_signature(signature_text)?;
    let signer = signer_of(&signature).ok_or_else(|| SignError::SignatureNotEd25519 {
        algorithm: signature.public_key().algorithm().as_str().to_string(),
    })?;
    check(&signer.key, message, &signature)?;
    Ok(signer)
}

/// The `allowed_signers` line for `principal` and the key in `public_key_text`; see
/// [`VerifyingKey::allowed_signers_line`].
pub fn allowed_signers_line(principal: &str, public_key_text: &str) -> Result<String, SignError> {
    VerifyingKey::parse(public_key_text)?.allowed_signers_line(principal)
}

#[cfg(test)]
mod tests;
