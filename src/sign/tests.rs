use std::path::PathBuf;

use ssh_key::private::{Ed25519Keypair, KeypairData};

use super::*;

/// The public key of the test key made from the seed `[7; 32]`.
const PUBLIC_7: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs test@example.com";
const MESSAGE: &[u8] = b"trustpress unit test message\n";
/// What `ssh-keygen -Y sign -n trustpress -f KEY` wrote for `MESSAGE` with the `[7; 32]` key
/// (OpenSSH 9.2): the cross-check that `sign` writes the standard tool's bytes.
const SIGNED_BY_SSH_KEYGEN: &str = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAg6kpsY+KcUgq+9VB7Ey7F+ZVHdq
6+vnuSQh7qaRRG0iwAAAAKdHJ1c3RwcmVzcwAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gt
ZWQyNTUxOQAAAEBeecgeSNmiO8xgR6n/l8jRv0mC+WfhVuUCgTeCNI4izWPZSzhlCU0aJ4
r28Dca5jhE/7NAtnMeVW/2PyP+/E4G
-----END SSH SIGNATURE-----
";

/// The OpenSSH private key file text of the test key made from `seed`.
fn key_text(seed: u8) -> String {
    let keypair = Ed25519Keypair::from_seed(&[seed; 32]);
    let key = PrivateKey::new(KeypairData::from(keypair), "test@example.com").unwrap();
    key.to_openssh(LineEnding::LF).unwrap().to_string()
}

/// Writes `text` to a file of mode 0600 in `dir`.
fn key_file(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

fn key(seed: u8) -> SigningKey {
    let dir = tempfile::tempdir().unwrap();
    load_private_key(&key_file(&dir, "key", &key_text(seed))).unwrap()
}

#[test]
fn signs_as_ssh_keygen_does_and_verifies() {
    let key = key(7);
    assert_eq!(key.public_key().to_openssh(), PUBLIC_7);
    let signature = sign(&key, MESSAGE);
    assert_eq!(signature, SIGNED_BY_SSH_KEYGEN, "byte for byte what ssh-keygen -Y sign writes");
    assert_eq!(sign(&key, MESSAGE), signature, "deterministic");
    verify(PUBLIC_7, MESSAGE, &signature).unwrap();
    verify(&format!("# the organisation's key\n\n{PUBLIC_7}\n"), MESSAGE, &signature).unwrap();
    assert_eq!(signed_by(MESSAGE, &signature).unwrap().fingerprint(), key.public_key().fingerprint());
    assert!(key.public_key().fingerprint().starts_with("SHA256:"));
    assert!(!format!("{key:?}").contains("PRIVATE"), "Debug shows no secret");
}

#[test]
fn a_changed_message_a_wrong_key_or_another_namespace_fail() {
    let signature = sign(&key(7), MESSAGE);
    let changed = verify(PUBLIC_7, b"trustpress unit test messagE\n", &signature).unwrap_err();
    assert!(matches!(changed, SignError::BadSignature { .. }), "{changed}");
    assert!(matches!(signed_by(b"other", &signature), Err(SignError::BadSignature { .. })));

    let other = key(8).public_key();
    let wrong = other.verify(MESSAGE, &signature).unwrap_err();
    assert!(matches!(wrong, SignError::WrongKey { .. }), "{wrong}");
    let message = wrong.to_string();
    assert!(message.contains(&other.fingerprint()) && message.contains(&key(7).public_key().fingerprint()));

    // ssh-key's own example: a good signature, for namespace `example`.
    let example_key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILM+rvN+ot98qgEN796jTiQfZfG1KaT0PtFDJ/XFSqti user@example.com";
    let example = "-----BEGIN SSH SIGNATURE-----
U1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgsz6u836i33yqAQ3v3qNOJB9l8b
UppPQ+0UMn9cVKq2IAAAAHZXhhbXBsZQAAAAAAAAAGc2hhNTEyAAAAUwAAAAtzc2gtZWQy
NTUxOQAAAEBPEav+tMGNnox4MuzM7rlHyVBajCn8B0kAyiOWwPKprNsG3i6X+voz/WCSik
/FowYwqhgCABUJSvRX3AERVBUP
-----END SSH SIGNATURE-----
";
    let namespace = verify(example_key, b"testing", example).unwrap_err();
    assert!(
        matches!(&namespace, SignError::WrongNamespace { namespace } if namespace == "example"),
        "{namespace}"
    );
}

#[test]
fn garbage_signatures_and_public_keys_are_errors() {
    for garbage in ["", "hello", "-----BEGIN SSH SIGNATURE-----\nAAAA\n-----END SSH SIGNATURE-----\n"] {
        assert!(
            matches!(verify(PUBLIC_7, MESSAGE, garbage), Err(SignError::NotASignature { .. })),
            "{garbage:?}"
        );
    }
    let signature = sign(&key(7), MESSAGE);
    for garbage in ["", "ssh-ed25519", "ssh-ed25519 AAAA", "ssh-ed25519 not-base64 x", "\u{0}\u{1}"] {
        assert!(verify(garbage, MESSAGE, &signature).is_err(), "{garbage:?}");
    }
    let two = format!("{PUBLIC_7}\n{}\n", key(8).public_key().to_openssh());
    assert!(matches!(verify(&two, MESSAGE, &signature), Err(SignError::SeveralPublicKeys { count: 2, .. })));
    assert!(matches!(
        verify(&key_text(7), MESSAGE, &signature),
        Err(SignError::PrivateKeyForVerifying { .. })
    ));
}

#[test]
fn the_public_key_argument_is_a_file_or_the_key_itself() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("org.pub");
    std::fs::write(&file, format!("{PUBLIC_7}\n")).unwrap();
    let from_file = VerifyingKey::from_argument(file.as_os_str()).unwrap();
    let from_text = VerifyingKey::from_argument(OsStr::new(PUBLIC_7)).unwrap();
    assert_eq!(from_file, from_text);
    let missing = VerifyingKey::from_argument(dir.path().join("nope.pub").as_os_str()).unwrap_err();
    assert!(matches!(missing, SignError::NotAPublicKeyArgument { .. }), "{missing}");
    assert!(missing.to_string().contains("nope.pub"));
}

#[test]
fn allowed_signers_line_is_the_key_without_comment_for_trustpress_only() {
    let line = allowed_signers_line("security@example.com", PUBLIC_7).unwrap();
    assert_eq!(
        line,
        "security@example.com namespaces=\"trustpress\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpKbGPinFIKvvVQexMuxfmVR3auvr57kkIe6mkURtIs"
    );
    for bad in ["", "two words", "a,b", "q\"uote", "*"] {
        assert!(matches!(allowed_signers_line(bad, PUBLIC_7), Err(SignError::Principal { .. })), "{bad:?}");
    }
}

#[cfg(unix)]
#[test]
fn a_key_file_others_can_read_or_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = key_file(&dir, "key", &key_text(7));
    for mode in [0o640, 0o604, 0o620, 0o660, 0o644] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let error = load_private_key(&path).unwrap_err();
        assert!(matches!(error, SignError::KeyFileOpenToOthers { .. }), "{mode:o}: {error}");
        let message = error.to_string();
        assert!(message.contains(&format!("chmod 600 {}", path.display())), "{message}");
        assert!(message.contains(&format!("mode {mode:04o}")), "{message}");
    }
    for mode in [0o600, 0o400] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        load_private_key(&path).unwrap();
    }
}

#[test]
fn garbage_key_files_are_errors_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let text = key_text(7);
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("text", "hello\n".into()),
        ("armor only", "-----BEGIN OPENSSH PRIVATE KEY-----\n-----END OPENSSH PRIVATE KEY-----\n".into()),
        ("cut off", text[..text.len() / 2].to_string()),
        ("flipped", text.replacen("AAAA", "AAAB", 1)),
        ("pem rsa", "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD90vcNLYLInFEX6Ppy1tPf9Cnzj4p4WGeKLs1Pt8Qu\n-----END RSA PRIVATE KEY-----\n".into()),
    ];
    for (name, text) in cases {
        let path = key_file(&dir, name, &text);
        let error = load_private_key(&path).unwrap_err();
        assert!(error.to_string().contains(&path.display().to_string()), "{name}: {error}");
    }
    let binary = dir.path().join("binary");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert!(matches!(load_private_key(&binary), Err(SignError::NotAPrivateKey { .. })));
    let public = key_file(&dir, "key.pub", &format!("{PUBLIC_7}\n"));
    assert!(matches!(load_private_key(&public), Err(SignError::PublicKeyForSigning { .. })));
    assert!(matches!(
        load_private_key(dir.path()),
        Err(SignError::NotAFile { .. }) | Err(SignError::Read { .. })
    ));
    assert!(matches!(load_private_key(&dir.path().join("missing")), Err(SignError::Read { .. })));
    let large = key_file(&dir, "large", &"A".repeat(100_000));
    assert!(matches!(load_private_key(&large), Err(SignError::TooLarge { .. })));
}

#[test]
fn blank_lines_and_crlf_around_a_key_are_no_part_of_it() {
    // As a CI secret may be written: an extra newline, or Windows line ends.
    let dir = tempfile::tempdir().unwrap();
    let text = key_text(7);
    for (name, variant) in [
        ("blank", format!("\n{text}\n\n")),
        ("crlf", text.replace('\n', "\r\n")),
        ("bare", text.trim().into()),
    ] {
        let key = load_private_key(&key_file(&dir, name, &variant)).unwrap();
        assert_eq!(sign(&key, MESSAGE), SIGNED_BY_SSH_KEYGEN, "{name}");
    }
}
