//! `verify --key-from URL`: the organisation's public key fetched from its own trust center.
//! A signed site publishes it at `.well-known/trustpress/signing-key.pub`; a URL naming the
//! site (not a `.pub` file) gets that path added. The fetch runs `curl`, which checks the
//! server's certificate as a browser would; trustpress carries no TLS client of its own.
//! Only `https://` is accepted, except for this machine (`localhost`, `127.0.0.1`, `[::1]`),
//! where a dev server or a test serves plain HTTP.

use std::process::{Command, Stdio};

use super::{SignError, VerifyingKey};
use crate::site::routes;

/// The most a key file may hold: a public key line is under 1 KiB.
const MAX_BYTES: u64 = 64 * 1024;

/// The key at `url`, or why there is none.
pub fn key_from(url: &str) -> Result<VerifyingKey, SignError> {
    let url = key_url(url)?;
    let output = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location", "--proto", "=https,http", "--max-time", "30"])
        .args(["--max-filesize", &MAX_BYTES.to_string()])
        .arg("--")
        .arg(&url)
        .stdin(Stdio::null())
        .output()
        .map_err(|error| {
            SignError::Fetch(format!(
                "cannot run curl to fetch {url}: {error}; install curl, or download the key and pass it with --key"
            ))
        })?;
    if !output.status.success() {
        return Err(SignError::Fetch(format!(
            "cannot fetch {url}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    let text = String::from_utf8(output.stdout)
        .map_err(|_| SignError::Fetch(format!("{url} is not a public key: it is not text")))?;
    VerifyingKey::parse(&text)
}

/// The key's address: `url` itself when it names a `.pub` file, else the site's well-known
/// path under it. Refuses anything but HTTPS to another machine.
pub fn key_url(url: &str) -> Result<String, SignError> {
    let url = url.trim();
    let local = ["http://localhost", "http://127.0.0.1", "http://[::1]"].iter().any(|prefix| {
        url.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
    });
    if !url.starts_with("https://") && !local {
        return Err(SignError::Fetch(format!(
            "`{url}`: a signing key is fetched over https:// only (plain http:// only from this machine)"
        )));
    }
    if url.ends_with(".pub") {
        Ok(url.to_string())
    } else {
        Ok(format!("{}/{}", url.trim_end_matches('/'), routes::SIGNING_KEY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_address_gets_the_well_known_path_and_only_https_leaves_the_machine() {
        assert_eq!(
            key_url("https://trust.example.com/").unwrap(),
            "https://trust.example.com/.well-known/trustpress/signing-key.pub"
        );
        assert_eq!(key_url("https://x.example/k.pub").unwrap(), "https://x.example/k.pub");
        assert!(key_url("http://127.0.0.1:8080").is_ok());
        assert!(key_url("http://trust.example.com").is_err());
        assert!(key_url("http://127.0.0.1.evil.example").is_err());
        assert!(key_url("file:///etc/passwd").is_err());
    }
}
