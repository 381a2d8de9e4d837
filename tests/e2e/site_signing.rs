//! `build --sign`: a signed site publishes a manifest of every file, its SSH signature and
//! the public key, checked here with `ssh-keygen -Y verify` as an auditor would, without
//! trustpress. A test that needs a missing `ssh-keygen` is skipped with a message, unless
//! `TRUSTPRESS_REQUIRE_TOOLS` is set (as CI sets it).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{example_content, read_tree, trustpress, TODAY};

/// An Ed25519 key made by `ssh-keygen` in `dir`, or `None` when it is not installed.
fn ssh_key(dir: &Path) -> Option<PathBuf> {
    let key = dir.join("signing-key");
    match Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "trust@example", "-f"])
        .arg(&key)
        .output()
    {
        Ok(output) => {
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
            Some(key)
        }
        Err(_) => {
            assert!(
                std::env::var_os("TRUSTPRESS_REQUIRE_TOOLS").is_none(),
                "ssh-keygen is required (scripts/test installs it)"
            );
            eprintln!("\n*** SKIPPED: ssh-keygen is not installed ***\n");
            None
        }
    }
}

fn signed_build(key: &Path, out: &Path, audience: &str) {
    let output = trustpress()
        .args(["build", "--audience", audience, "--today", TODAY, "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(out)
        .arg("--sign")
        .arg(key)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// `ssh-keygen -Y verify` of the site's manifest against `public_key`.
fn ssh_verifies(site: &Path, public_key: &str, dir: &Path) -> bool {
    let allowed = dir.join("allowed_signers");
    std::fs::write(&allowed, format!("trust@example namespaces=\"trustpress\" {}\n", public_key.trim()))
        .unwrap();
    let manifest = std::fs::File::open(site.join(".well-known/trustpress/manifest.json")).unwrap();
    Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "trustpress", "-I", "trust@example", "-f"])
        .arg(&allowed)
        .arg("-s")
        .arg(site.join(".well-known/trustpress/manifest.json.sig"))
        .stdin(manifest)
        .output()
        .unwrap()
        .status
        .success()
}

#[test]
fn a_signed_site_lists_every_file_and_verifies_with_ssh_keygen() {
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = ssh_key(dir.path()) else { return };
    let public_key = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    for audience in ["public", "internal"] {
        let site = dir.path().join(audience);
        signed_build(&key, &site, audience);
        let tree = read_tree(&site);
        let published = std::fs::read_to_string(site.join(".well-known/trustpress/signing-key.pub")).unwrap();
        // The key without the key file's comment, which is often a person's address.
        assert_eq!(
            published.split_whitespace().collect::<Vec<_>>(),
            public_key.split_whitespace().take(2).collect::<Vec<_>>()
        );
        assert!(
            ssh_verifies(&site, &public_key, dir.path()),
            "ssh-keygen -Y verify refused the {audience} site"
        );

        let manifest: serde_json::Value =
            serde_json::from_slice(&tree[".well-known/trustpress/manifest.json"]).unwrap();
        assert_eq!(manifest["audience"], audience);
        let listed: std::collections::BTreeMap<String, String> = manifest["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| (f["path"].as_str().unwrap().to_string(), f["sha256"].as_str().unwrap().to_string()))
            .collect();
        let own = [
            ".well-known/trustpress/manifest.json",
            ".well-known/trustpress/manifest.json.sig",
            ".well-known/trustpress/signing-key.pub",
            ".trustpress-output",
        ];
        for (path, bytes) in tree.iter().filter(|(path, _)| !own.contains(&path.as_str())) {
            use sha2::Digest;
            assert_eq!(listed.get(path), Some(&format!("{:x}", sha2::Sha256::digest(bytes))), "{path}");
        }
        assert_eq!(listed.len(), tree.keys().filter(|p| !own.contains(&p.as_str())).count());

        let trust: serde_json::Value = serde_json::from_slice(&tree["trust.json"]).unwrap();
        assert!(trust["signing"]["public_key"]
            .as_str()
            .unwrap()
            .ends_with("/.well-known/trustpress/signing-key.pub"));
    }

    // Reproducible: the same content and key give the same bytes, signature included.
    let again = dir.path().join("again");
    signed_build(&key, &again, "public");
    assert!(read_tree(&again) == read_tree(&dir.path().join("public")));

    // One changed byte in the manifest, and the wrong key, fail the standard tool.
    let site = dir.path().join("public");
    let manifest_path = site.join(".well-known/trustpress/manifest.json");
    let text = std::fs::read_to_string(&manifest_path).unwrap();
    std::fs::write(&manifest_path, text.replacen("\"size\": ", "\"size\":  ", 1)).unwrap();
    assert!(!ssh_verifies(&site, &public_key, dir.path()));
    std::fs::write(&manifest_path, text).unwrap();
    assert!(ssh_verifies(&site, &public_key, dir.path()));
    let other = tempfile::tempdir().unwrap();
    let Some(other_key) = ssh_key(other.path()) else { return };
    let other_public = std::fs::read_to_string(other_key.with_extension("pub")).unwrap();
    assert!(!ssh_verifies(&site, &other_public, dir.path()));
}

#[test]
fn an_unsigned_site_says_nothing_of_signing_and_a_readable_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let output = trustpress()
        .args(["build", "--today", TODAY, "--content"])
        .arg(example_content())
        .arg("--out")
        .arg(dir.path().join("site"))
        .output()
        .unwrap();
    assert!(output.status.success());
    let tree = read_tree(&dir.path().join("site"));
    assert!(!tree.keys().any(|p| p.starts_with(".well-known/trustpress")));
    assert!(!String::from_utf8_lossy(&tree["trust.json"]).contains("\"signing\""));

    let Some(key) = ssh_key(dir.path()) else { return };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o640)).unwrap();
        let output = trustpress()
            .args(["build", "--today", TODAY, "--content"])
            .arg(example_content())
            .arg("--out")
            .arg(dir.path().join("refused"))
            .arg("--sign")
            .arg(&key)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("chmod 600"),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!dir.path().join("refused").exists());
    }
}

#[test]
fn verify_checks_a_signed_site_folder_against_the_organisations_key() {
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = ssh_key(dir.path()) else { return };
    let public = key.with_extension("pub");
    let site = dir.path().join("site");
    signed_build(&key, &site, "public");
    let verify = |key: &Path| trustpress().arg("verify").arg(&site).arg("--key").arg(key).output().unwrap();
    let output = verify(&public);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("ok: all "));

    // The wrong key fails before any file is read.
    let other = tempfile::tempdir().unwrap();
    let Some(other_key) = ssh_key(other.path()) else { return };
    assert_eq!(verify(&other_key.with_extension("pub")).status.code(), Some(1));

    // A file swapped for a symbolic link to the same bytes elsewhere, the published key
    // swapped for another, and a marker rewritten: each named (found by an attacker with the
    // tests unread; each verified before).
    #[cfg(unix)]
    {
        let elsewhere = dir.path().join("robots-elsewhere.txt");
        std::fs::copy(site.join("robots.txt"), &elsewhere).unwrap();
        std::fs::remove_file(site.join("robots.txt")).unwrap();
        std::os::unix::fs::symlink(&elsewhere, site.join("robots.txt")).unwrap();
        let published = site.join(".well-known/trustpress/signing-key.pub");
        let kept = std::fs::read(&published).unwrap();
        std::fs::copy(other_key.with_extension("pub"), &published).unwrap();
        let marker = site.join(".trustpress-output");
        let marker_text = std::fs::read(&marker).unwrap();
        std::fs::write(&marker, b"<script>alert(1)</script>").unwrap();
        let output = verify(&public);
        assert_eq!(output.status.code(), Some(1));
        let printed = String::from_utf8_lossy(&output.stdout);
        for line in [
            "not a regular file: robots.txt",
            "changed: .well-known/trustpress/signing-key.pub (not the key given)",
            "changed: .trustpress-output",
        ] {
            assert!(printed.contains(line), "{printed}");
        }
        std::fs::remove_file(site.join("robots.txt")).unwrap();
        std::fs::copy(&elsewhere, site.join("robots.txt")).unwrap();
        std::fs::write(&published, kept).unwrap();
        std::fs::write(&marker, marker_text).unwrap();
        assert!(verify(&public).status.success(), "restored, it verifies again");
    }

    // A changed, a removed and an added file are each named.
    std::fs::write(site.join("index.html"), b"changed").unwrap();
    std::fs::remove_file(site.join("faq/index.html")).unwrap();
    std::fs::write(site.join("added.html"), b"new").unwrap();
    let output = verify(&public);
    assert_eq!(output.status.code(), Some(1));
    let printed = String::from_utf8_lossy(&output.stdout);
    for line in ["changed: index.html", "missing: faq/index.html", "extra: added.html"] {
        assert!(printed.contains(line), "{printed}");
    }

    // A consistent rewrite (the manifest made to match the changed file) fails the signature.
    let manifest_path = site.join(".well-known/trustpress/manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).unwrap();
    use sha2::Digest;
    let rewritten = manifest
        .lines()
        .map(|line| {
            if line.contains("\"path\": \"index.html\"") {
                format!(
                    "    {{\"path\": \"index.html\", \"sha256\": \"{:x}\", \"size\": 7}},",
                    sha2::Sha256::digest(b"changed")
                )
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&manifest_path, rewritten).unwrap();
    let output = verify(&public);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("does not match"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_key_inside_the_content_folder_is_refused_by_every_command_that_signs() {
    let dir = tempfile::tempdir().unwrap();
    let content = crate::common::example_copy(dir.path());
    let Some(key) = ssh_key(&content) else { return };
    for command in [&["build", "--today", TODAY, "--out"][..], &["bundle", "--out"][..]] {
        let out = dir.path().join(format!("out-{}", command[0]));
        let output = trustpress()
            .args(command)
            .arg(&out)
            .arg("--content")
            .arg(&content)
            .arg("--sign")
            .arg(&key)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stderr).contains("inside the content folder"));
        assert!(!out.exists());
    }
}

/// Serves `body` at every path under `/.well-known/trustpress/signing-key.pub` on 127.0.0.1
/// until the returned handle is dropped; returns the site's address.
fn serve_key(body: String) -> (String, std::sync::Arc<tiny_http::Server>) {
    let server = std::sync::Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let address = format!("http://{}", server.server_addr().to_ip().unwrap());
    let serving = std::sync::Arc::clone(&server);
    std::thread::spawn(move || {
        while let Ok(Some(request)) = serving.recv_timeout(std::time::Duration::from_secs(20)) {
            let response = if request.url() == "/.well-known/trustpress/signing-key.pub" {
                tiny_http::Response::from_string(body.clone())
            } else {
                tiny_http::Response::from_string("not found").with_status_code(404)
            };
            let _ = request.respond(response);
        }
    });
    (address, server)
}

#[test]
fn verify_fetches_the_key_from_the_trust_center() {
    if !crate::common::have_tool("curl") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(key) = ssh_key(dir.path()) else { return };
    let site = dir.path().join("site");
    signed_build(&key, &site, "public");
    let verify =
        |from: &str| trustpress().arg("verify").arg(&site).args(["--key-from", from]).output().unwrap();

    let (address, server) = serve_key(std::fs::read_to_string(key.with_extension("pub")).unwrap());
    let output = verify(&address);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("the key given"));
    server.unblock();

    // A trust center serving another key: the site does not verify.
    let other = tempfile::tempdir().unwrap();
    let Some(other_key) = ssh_key(other.path()) else { return };
    let (address, server) = serve_key(std::fs::read_to_string(other_key.with_extension("pub")).unwrap());
    assert_eq!(verify(&address).status.code(), Some(1));
    // No key there, and plain http to another machine: usage errors.
    assert_eq!(verify(&format!("{address}/nothing.pub")).status.code(), Some(2));
    server.unblock();
    let output = verify("http://trust.example.com");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("https://"));
}
