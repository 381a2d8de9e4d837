//! `bundle --sign` and `verify --key`: a bundle signed with a key made by the real
//! `ssh-keygen` verifies with `trustpress verify --key` and, after a plain `unzip`, with
//! `ssh-keygen -Y verify` and `sha256sum -c` alone; the signatures (over manifest.json and
//! over SHA256SUMS) are the very bytes `ssh-keygen -Y sign` writes; one changed byte in any
//! entry, a consistently rewritten bundle (manifest, SHA256SUMS and all), one with SHA256SUMS
//! alone rewritten, a bundle re-signed with another key and one stripped of its signatures
//! all fail with the organisation's key; a key file others can read, an encrypted key and a
//! key of another type are refused; signed bundles stay byte-identical; an encrypted signed
//! bundle verifies with --identity and --key.
//!
//! External tools (`ssh-keygen`, `unzip`, `sha256sum`) are installed by `scripts/test`.
//! Where one is missing, the test or check that needs it is skipped with a loud message,
//! unless `TRUSTPRESS_REQUIRE_TOOLS` is set (as CI sets it), when it fails.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use trustpress::bundle::verify::{verify, Signature, VerifyError, VerifyOptions};
use trustpress::bundle::Quiet;
use trustpress::sign::VerifyingKey;

use crate::common::{
    assert_holds, example_content, example_copy, have_tool, run_ok, stderr, stdout, trustpress,
};

/// 2026-11-21T00:00:00Z, the tests' pinned day.
const EPOCH: &str = "1795219200";
/// Whom the organisation's key belongs to, in `allowed_signers`.
const PRINCIPAL: &str = "security@halcyon-ledger.example";

fn run(command: &mut Process) -> std::process::Output {
    command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

/// A key pair made by `ssh-keygen -t ed25519 -N ''` at `dir/name` (and `name.pub`).
struct Key {
    private: PathBuf,
    public: PathBuf,
}

impl Key {
    fn new(dir: &Path, name: &str) -> Key {
        let private = dir.join(name);
        run_ok(
            Process::new("ssh-keygen")
                .args(["-q", "-t", "ed25519", "-N", "", "-C", PRINCIPAL, "-f"])
                .arg(&private),
        );
        let public = dir.join(format!("{name}.pub"));
        Key { private, public }
    }

    fn public_line(&self) -> String {
        std::fs::read_to_string(&self.public).unwrap().trim().to_string()
    }

    /// The fingerprint as `ssh-keygen -l` prints it.
    fn fingerprint(&self) -> String {
        let listed = run_ok(Process::new("ssh-keygen").arg("-lf").arg(&self.public));
        listed.split_whitespace().nth(1).unwrap().to_string()
    }

    fn verifying(&self) -> VerifyingKey {
        VerifyingKey::from_argument(self.public.as_os_str()).unwrap()
    }
}

/// `trustpress bundle` of the example at the pinned date into `out`, with `extra` flags.
fn bundle(out: &Path, extra: &[&std::ffi::OsStr]) -> assert_cmd::assert::Assert {
    bundle_of(&example_content(), out, extra)
}

fn bundle_of(content: &Path, out: &Path, extra: &[&std::ffi::OsStr]) -> assert_cmd::assert::Assert {
    trustpress()
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .args(["bundle", "--content"])
        .arg(content)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
}

fn os(text: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(text)
}

/// `trustpress verify FILE` with `extra` flags.
fn verify_cli(file: &Path, extra: &[&std::ffi::OsStr]) -> assert_cmd::assert::Assert {
    trustpress().arg("verify").arg(file).args(extra).assert()
}

/// Every entry of a zip, in archive order, with its bytes.
fn entries(zip: &Path) -> Vec<(String, Vec<u8>)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut files = Vec::new();
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        files.push((entry.name().unwrap().to_string(), bytes));
    }
    files
}

fn entry<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a Vec<u8> {
    &files.iter().find(|(path, _)| path == name).unwrap_or_else(|| panic!("the bundle has no {name}")).1
}

fn entry_mut<'a>(files: &'a mut [(String, Vec<u8>)], name: &str) -> &'a mut Vec<u8> {
    &mut files.iter_mut().find(|(path, _)| path == name).unwrap().1
}

/// Writes `files` in their order, in the form `bundle` writes (deflated, 0644, streamed).
fn write_zip(path: &Path, files: &[(String, Vec<u8>)]) {
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644)
        .system(zip::System::Unix);
    let mut writer = zip::ZipWriter::new_stream(std::fs::File::create(path).unwrap());
    for (name, bytes) in files {
        writer.start_file(name.as_str(), options).unwrap();
        writer.write_all(bytes).unwrap();
    }
    writer.finish().unwrap();
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("{:x}", sha2::Sha256::digest(bytes))
}

/// Verify in-process (the same code the binary runs), for tests that verify many archives.
fn verify_in_process(
    file: &Path,
    key: Option<&VerifyingKey>,
) -> Result<trustpress::bundle::verify::VerifyReport, VerifyError> {
    verify(&VerifyOptions { file: file.to_path_buf(), identity: None, key: key.cloned() }, &Quiet)
}

/// Extracts `zip` into `folder` as an auditor would: with `unzip`, else Python's zipfile,
/// else (no tool at all) the zip crate.
fn extract(zip: &Path, folder: &Path) {
    if have_tool("unzip") {
        run_ok(Process::new("unzip").arg("-q").arg(zip).arg("-d").arg(folder));
    } else if have_tool("python3") {
        run_ok(
            Process::new("python3")
                .args(["-c", "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])"])
                .arg(zip)
                .arg(folder),
        );
    } else {
        for (name, bytes) in entries(zip) {
            let path = folder.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
}

/// `ssh-keygen -Y verify -f allowed_signers -I PRINCIPAL -n trustpress -s SIG < MESSAGE`.
fn ssh_keygen_verify(
    allowed_signers: &Path,
    namespace: &str,
    signature: &Path,
    message: &Path,
) -> std::process::Output {
    run(Process::new("ssh-keygen")
        .args(["-Y", "verify", "-f"])
        .arg(allowed_signers)
        .args(["-I", PRINCIPAL, "-n", namespace, "-s"])
        .arg(signature)
        .stdin(std::fs::File::open(message).unwrap()))
}

#[test]
fn a_signed_bundle_verifies_with_trustpress_and_with_ssh_keygen_alone() {
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(dir.path(), "org");
    let out = dir.path().join("audit.zip");
    let made = bundle(&out, &[os("--sign"), key.private.as_os_str()]).success();
    let fingerprint = key.fingerprint();
    assert_holds(
        &stderr(&made),
        &format!("  signed with      {fingerprint} (manifest.json.sig, SHA256SUMS.sig)\n"),
    );

    // Each signature right after the file it signs; SHA256SUMS lists the manifest's.
    let files = entries(&out);
    let names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names[names.len() - 4..],
        ["manifest.json", "manifest.json.sig", "SHA256SUMS", "SHA256SUMS.sig"]
    );
    assert_holds(&stderr(&made), &format!("wrote {}: {} files", out.display(), files.len()));
    for name in ["manifest.json.sig", "SHA256SUMS.sig"] {
        let signature = String::from_utf8(entry(&files, name).clone()).unwrap();
        assert!(signature.starts_with("-----BEGIN SSH SIGNATURE-----\n"), "{signature}");
    }
    let manifest: serde_json::Value = serde_json::from_slice(entry(&files, "manifest.json")).unwrap();
    let listed: Vec<&str> =
        manifest["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(!listed.iter().any(|path| path.ends_with(".sig")), "the manifest lists no signature");

    // trustpress verify: with the key (a .pub file or the key line), and without.
    let checked = stdout(&verify_cli(&out, &[os("--key"), key.public.as_os_str()]).success());
    assert_holds(&checked, &format!("ok: all {} files of", listed.len()));
    assert_holds(
        &checked,
        &format!(
            "signed: manifest.json and SHA256SUMS are signed with {fingerprint}, the key given with --key"
        ),
    );
    let line = key.public_line();
    assert_holds(
        &stdout(&verify_cli(&out, &[os("--key"), os(&line)]).success()),
        "signed: manifest.json and SHA256SUMS are signed",
    );
    let unchecked = stdout(&verify_cli(&out, &[]).success());
    assert_holds(
        &unchecked,
        &format!("signed, signature not checked: manifest.json.sig and SHA256SUMS.sig are valid for the key they name, {fingerprint}; pass --key"),
    );
    assert!(!unchecked.contains("extra"), "{unchecked}");

    // The auditor's way, with standard tools only.
    let unpacked = dir.path().join("unpacked");
    extract(&out, &unpacked);
    let allowed_signers = dir.path().join("allowed_signers");
    let allowed = trustpress::sign::allowed_signers_line(PRINCIPAL, &line).unwrap();
    let by_hand = format!("{PRINCIPAL} namespaces=\"trustpress\" {}", line.rsplit_once(' ').unwrap().0);
    assert_eq!(allowed, by_hand);
    std::fs::write(&allowed_signers, format!("{allowed}\n")).unwrap();
    let again = dir.path().join("again");
    std::fs::create_dir(&again).unwrap();
    for name in ["SHA256SUMS", "manifest.json"] {
        let (message, signature) = (unpacked.join(name), unpacked.join(format!("{name}.sig")));
        let good = ssh_keygen_verify(&allowed_signers, "trustpress", &signature, &message);
        let said =
            String::from_utf8_lossy(&good.stdout).into_owned() + &String::from_utf8_lossy(&good.stderr);
        assert!(good.status.success(), "{name}: {said}");
        assert_holds(
            &said,
            &format!("Good \"trustpress\" signature for {PRINCIPAL} with ED25519 key {fingerprint}"),
        );
        // Another namespace (a git commit signature, say) is not a trustpress signature.
        assert!(!ssh_keygen_verify(&allowed_signers, "git", &signature, &message).status.success());

        // Byte for byte what ssh-keygen -Y sign writes for the same key and file.
        std::fs::copy(&message, again.join(name)).unwrap();
        run_ok(
            Process::new("ssh-keygen")
                .args(["-Y", "sign", "-n", "trustpress", "-f"])
                .arg(&key.private)
                .arg(again.join(name)),
        );
        assert_eq!(
            std::fs::read(again.join(format!("{name}.sig"))).unwrap(),
            std::fs::read(&signature).unwrap()
        );
    }

    if have_tool("sha256sum") {
        // Every entry but SHA256SUMS and its signature, the manifest's signature included.
        let sums =
            run_ok(Process::new("sha256sum").args(["-c", "--strict", "SHA256SUMS"]).current_dir(&unpacked));
        assert_eq!(sums.lines().filter(|l| l.ends_with(": OK")).count(), files.len() - 2, "{sums}");
        assert_holds(&sums, "manifest.json.sig: OK");
    }
}

#[test]
fn one_changed_byte_in_any_entry_fails() {
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(dir.path(), "org");
    let out = dir.path().join("audit.zip");
    bundle(&out, &[os("--sign"), key.private.as_os_str()]).success();
    let files = entries(&out);
    let org = key.verifying();
    // As written again by the test's zip writer, untouched: it verifies.
    let copy = dir.path().join("copy.zip");
    write_zip(&copy, &files);
    assert!(verify_in_process(&copy, Some(&org)).unwrap().ok());

    let tampered = dir.path().join("tampered.zip");
    let mut checked = 0;
    for (index, (name, bytes)) in files.iter().enumerate() {
        if bytes.is_empty() {
            continue;
        }
        let mut changed = files.clone();
        let mut middle = bytes.len() / 2;
        if name == "manifest.json" {
            // Inside a hash, so the manifest still parses and only its signature fails.
            let text = String::from_utf8_lossy(bytes);
            let key = "\"sha256\": \"";
            middle = text[middle..].find(key).map_or(middle, |at| middle + at + key.len());
        }
        changed[index].1[middle] ^= 0x01;
        write_zip(&tampered, &changed);
        match name.as_str() {
            // A signed file or a signature: verify with the key stops at the signature.
            "manifest.json" | "manifest.json.sig" | "SHA256SUMS" | "SHA256SUMS.sig" => {
                let error = verify_in_process(&tampered, Some(&org)).unwrap_err();
                assert!(matches!(error, VerifyError::Signature { .. }), "{name}: {error}");
                let report = verify_in_process(&tampered, None).unwrap();
                assert_eq!(report.signature, Signature::Invalid, "{name}");
                assert!(!report.ok());
            }
            _ => {
                let report = verify_in_process(&tampered, Some(&org)).unwrap();
                assert!(matches!(report.signature, Signature::Verified { .. }), "{name}");
                assert_eq!(report.problems.len(), 1, "{name}: {:?}", report.problems);
                assert_eq!(report.problems[0].path(), name.as_str());
            }
        }
        checked += 1;
    }
    assert!(checked > 200, "only {checked} entries checked");

    // The binary's words for the two kinds.
    let evidence = "evidence/A.5.15/access-review-2026-q3.csv";
    let mut changed = files.clone();
    entry_mut(&mut changed, evidence)[10] ^= 0x01;
    write_zip(&tampered, &changed);
    let report = verify_cli(&tampered, &[os("--key"), key.public.as_os_str()]).code(1);
    assert_eq!(stdout(&report), format!("changed: {evidence} (SHA-256 differs from the manifest)\n"));
    assert_holds(
        &stderr(&report),
        &format!("note: signed: manifest.json and SHA256SUMS are signed with {}", key.fingerprint()),
    );

    let mut changed = files.clone();
    let manifest = entry_mut(&mut changed, "manifest.json");
    let text = String::from_utf8(manifest.clone()).unwrap().replace("Halcyon Ledger", "Halcyon Ledgex");
    *manifest = text.into_bytes();
    write_zip(&tampered, &changed);
    let report = verify_cli(&tampered, &[os("--key"), key.public.as_os_str()]).code(1);
    assert_eq!(stdout(&report), "", "nothing is hashed against a manifest the key did not sign");
    assert_holds(
        &stderr(&report),
        "does not verify with the key given: manifest.json.sig: the signature by key",
    );
    assert_holds(&stderr(&report), "the file was changed after it was signed");
}

/// How a forger rewriting a bundle treats its signatures.
enum Forged<'a> {
    /// Keeps the signatures, which they cannot remake.
    Kept,
    /// Signs with a key of their own.
    ResignedWith(&'a Key),
    /// Removes them.
    Stripped,
}

/// `files` with one evidence file changed, and the manifest and SHA256SUMS rewritten to agree
/// with it, as someone who knows the format would; the signatures as `forged` says.
fn rewrite(files: &[(String, Vec<u8>)], forged: Forged, dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = files.to_vec();
    let evidence = "evidence/A.5.15/access-review-2026-q3.csv";
    entry_mut(&mut files, evidence).extend_from_slice(b"mallory,admin,approved\n");
    let (new_hash, new_size) = (sha256_hex(entry(&files, evidence)), entry(&files, evidence).len());
    let mut manifest: serde_json::Value = serde_json::from_slice(entry(&files, "manifest.json")).unwrap();
    let listed =
        manifest["files"].as_array_mut().unwrap().iter_mut().find(|f| f["path"] == evidence).unwrap();
    listed["sha256"] = new_hash.into();
    listed["size"] = new_size.into();
    let mut json = serde_json::to_vec_pretty(&manifest).unwrap();
    json.push(b'\n');
    *entry_mut(&mut files, "manifest.json") = json.clone();
    let old = |name: &str| entry(&files, name).clone();
    let (old_signature, old_sums_signature) = (old("manifest.json.sig"), old("SHA256SUMS.sig"));
    files.retain(|(name, _)| !["manifest.json.sig", "SHA256SUMS", "SHA256SUMS.sig"].contains(&name.as_str()));

    let sign_with = |key: &Key, name: &str, bytes: &[u8]| {
        let message = dir.join(name);
        std::fs::write(&message, bytes).unwrap();
        run_ok(
            Process::new("ssh-keygen")
                .args(["-Y", "sign", "-n", "trustpress", "-f"])
                .arg(&key.private)
                .arg(&message),
        );
        std::fs::read(dir.join(format!("{name}.sig"))).unwrap()
    };
    let mut sums = String::new();
    for file in manifest["files"].as_array().unwrap() {
        sums.push_str(&format!("{}  {}\n", file["sha256"].as_str().unwrap(), file["path"].as_str().unwrap()));
    }
    sums.push_str(&format!("{}  manifest.json\n", sha256_hex(&json)));
    let signature = match &forged {
        Forged::Kept => Some(old_signature),
        Forged::ResignedWith(key) => Some(sign_with(key, "forged-manifest.json", &json)),
        Forged::Stripped => None,
    };
    if let Some(signature) = signature {
        sums.push_str(&format!("{}  manifest.json.sig\n", sha256_hex(&signature)));
        files.push(("manifest.json.sig".into(), signature));
    }
    let sums_signature = match &forged {
        Forged::Kept => Some(old_sums_signature),
        Forged::ResignedWith(key) => Some(sign_with(key, "forged-SHA256SUMS", sums.as_bytes())),
        Forged::Stripped => None,
    };
    files.push(("SHA256SUMS".into(), sums.into_bytes()));
    if let Some(signature) = sums_signature {
        files.push(("SHA256SUMS.sig".into(), signature));
    }
    files
}

/// Writes the manifest, SHA256SUMS and their signatures of `files` into `dir` and checks
/// them as an auditor does with ssh-keygen alone; whether both signatures are good.
fn ssh_keygen_accepts(files: &[(String, Vec<u8>)], allowed_signers: &Path, dir: &Path) -> bool {
    ["manifest.json", "SHA256SUMS"].iter().all(|name| {
        let (message, signature) = (dir.join(name), dir.join(format!("{name}.sig")));
        std::fs::write(&message, entry(files, name)).unwrap();
        std::fs::write(&signature, entry(files, &format!("{name}.sig"))).unwrap();
        ssh_keygen_verify(allowed_signers, "trustpress", &signature, &message).status.success()
    })
}

#[test]
fn a_consistently_rewritten_bundle_fails_with_the_key() {
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let org = Key::new(dir.path(), "org");
    let forger = Key::new(dir.path(), "forger");
    let out = dir.path().join("audit.zip");
    bundle(&out, &[os("--sign"), org.private.as_os_str()]).success();
    let original = entries(&out);
    let with_key = [os("--key"), org.public.as_os_str()];
    let allowed_signers = dir.path().join("allowed_signers");
    let allowed = trustpress::sign::allowed_signers_line(PRINCIPAL, &org.public_line()).unwrap();
    std::fs::write(&allowed_signers, format!("{allowed}\n")).unwrap();
    let checked = dir.path().join("checked");
    std::fs::create_dir(&checked).unwrap();
    assert!(ssh_keygen_accepts(&original, &allowed_signers, &checked), "the untouched bundle passes");

    // 1. The signatures kept: every hash agrees, the signatures do not.
    let kept = rewrite(&original, Forged::Kept, dir.path());
    let kept_zip = dir.path().join("kept.zip");
    write_zip(&kept_zip, &kept);
    let refused = verify_cli(&kept_zip, &with_key).code(1);
    assert_holds(
        &stderr(&refused),
        "does not verify with the key given: manifest.json.sig: the signature by key",
    );
    assert_holds(&stderr(&refused), "the file was changed after it was signed");
    // Without the key too: the signatures do not match the files they sit beside.
    let unkeyed = stdout(&verify_cli(&kept_zip, &[]).code(1));
    let lines: Vec<&str> = unkeyed.lines().collect();
    assert_eq!(lines.len(), 2, "every hash agrees: {unkeyed}");
    assert!(lines[0].starts_with("changed: manifest.json.sig (the signature by key"), "{unkeyed}");
    assert!(lines[1].starts_with("changed: SHA256SUMS.sig (the signature by key"), "{unkeyed}");
    assert!(!ssh_keygen_accepts(&kept, &allowed_signers, &checked));

    // 2. Re-signed with the forger's key: fine by itself, refused with the organisation's.
    let resigned = rewrite(&original, Forged::ResignedWith(&forger), dir.path());
    let resigned_zip = dir.path().join("resigned.zip");
    write_zip(&resigned_zip, &resigned);
    let refused = stderr(&verify_cli(&resigned_zip, &with_key).code(1));
    assert_holds(
        &refused,
        &format!(
            "manifest.json.sig: the signature was made with key {}, not with the key given ({})",
            forger.fingerprint(),
            org.fingerprint()
        ),
    );
    let unkeyed = stdout(&verify_cli(&resigned_zip, &[]).success());
    assert_holds(&unkeyed, &format!("are valid for the key they name, {}", forger.fingerprint()));
    assert!(!ssh_keygen_accepts(&resigned, &allowed_signers, &checked));

    // 3. The signatures removed: "not signed", which --key refuses.
    let stripped = rewrite(&original, Forged::Stripped, dir.path());
    let stripped_zip = dir.path().join("stripped.zip");
    write_zip(&stripped_zip, &stripped);
    let refused = stderr(&verify_cli(&stripped_zip, &with_key).code(1));
    assert_holds(
        &refused,
        "is not signed (it has no manifest.json.sig), and --key asks for a signature with",
    );
    assert_holds(
        &stdout(&verify_cli(&stripped_zip, &[]).success()),
        "not signed: the bundle has no manifest.json.sig",
    );

    // 4. Only SHA256SUMS rewritten, the signed manifest left alone: what an auditor who
    // checks with sha256sum -c alone would otherwise miss. SHA256SUMS.sig catches it.
    let evidence = "evidence/A.6.3/awareness-training-2026.csv";
    let mut sums_only = original.clone();
    entry_mut(&mut sums_only, evidence).extend_from_slice(b"mallory,2026-11-20,passed\n");
    let new_line = format!("{}  {evidence}", sha256_hex(entry(&sums_only, evidence)));
    let sums = String::from_utf8(entry(&sums_only, "SHA256SUMS").clone()).unwrap();
    let sums: String = sums
        .lines()
        .map(|line| if line.ends_with(&format!("  {evidence}")) { new_line.clone() } else { line.to_string() } + "\n")
        .collect();
    *entry_mut(&mut sums_only, "SHA256SUMS") = sums.into_bytes();
    let sums_only_zip = dir.path().join("sums-only.zip");
    write_zip(&sums_only_zip, &sums_only);
    assert_holds(
        &stderr(&verify_cli(&sums_only_zip, &with_key).code(1)),
        "does not verify with the key given: SHA256SUMS.sig: the signature by key",
    );
    let unkeyed = stdout(&verify_cli(&sums_only_zip, &[]).code(1));
    assert_holds(&unkeyed, "changed: SHA256SUMS.sig (");
    let (size, signed_size) = (entry(&sums_only, evidence).len(), entry(&original, evidence).len());
    assert_holds(&unkeyed, &format!("changed: {evidence} ({size} bytes, the manifest says {signed_size})"));
    assert_holds(&unkeyed, "changed: SHA256SUMS (does not match manifest.json)");
    assert!(!ssh_keygen_accepts(&sums_only, &allowed_signers, &checked));
}

#[test]
fn a_bundle_signed_in_part_or_by_two_keys_fails() {
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let org = Key::new(dir.path(), "org");
    let other = Key::new(dir.path(), "other");
    let (out, by_other) = (dir.path().join("audit.zip"), dir.path().join("other.zip"));
    bundle(&out, &[os("--sign"), org.private.as_os_str()]).success();
    bundle(&by_other, &[os("--sign"), other.private.as_os_str()]).success();
    let files = entries(&out);
    let with_key = [os("--key"), org.public.as_os_str()];
    let tampered = dir.path().join("tampered.zip");

    // SHA256SUMS.sig removed: the sums an auditor checks with sha256sum are not signed.
    let mut part = files.clone();
    part.retain(|(name, _)| name != "SHA256SUMS.sig");
    write_zip(&tampered, &part);
    assert_holds(
        &stderr(&verify_cli(&tampered, &with_key).code(1)),
        "is not signed (it has no SHA256SUMS.sig), and --key asks for a signature with",
    );
    assert_eq!(stdout(&verify_cli(&tampered, &[]).code(1)), "missing: SHA256SUMS.sig\n");

    // Each signature good, but by two keys: the manifest signed by another key (the same
    // manifest: the same content and date), SHA256SUMS by the organisation's.
    let mut mixed = files.clone();
    let other_files = entries(&by_other);
    assert_eq!(entry(&other_files, "manifest.json"), entry(&files, "manifest.json"));
    let sums = dir.path().join("SHA256SUMS");
    std::fs::write(&sums, entry(&other_files, "SHA256SUMS")).unwrap();
    run_ok(
        Process::new("ssh-keygen")
            .args(["-Y", "sign", "-n", "trustpress", "-f"])
            .arg(&org.private)
            .arg(&sums),
    );
    *entry_mut(&mut mixed, "manifest.json.sig") = entry(&other_files, "manifest.json.sig").clone();
    *entry_mut(&mut mixed, "SHA256SUMS") = entry(&other_files, "SHA256SUMS").clone();
    *entry_mut(&mut mixed, "SHA256SUMS.sig") = std::fs::read(dir.path().join("SHA256SUMS.sig")).unwrap();
    write_zip(&tampered, &mixed);
    assert_holds(
        &stderr(&verify_cli(&tampered, &with_key).code(1)),
        "manifest.json.sig: the signature was made with key",
    );
    assert_eq!(
        stdout(&verify_cli(&tampered, &[]).code(1)),
        format!(
            "changed: SHA256SUMS.sig (made with key {}, and manifest.json.sig with {}; bundle signs both with one key)\n",
            org.fingerprint(),
            other.fingerprint()
        )
    );
}

#[test]
fn keys_that_cannot_sign_are_refused_before_anything_is_built() {
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(dir.path(), "org");
    let out = dir.path().join("audit.zip");
    let refused = |key_file: &Path| {
        let assert = bundle(&out, &[os("--sign"), key_file.as_os_str()]).code(2);
        assert!(!out.exists(), "nothing is written");
        let message = stderr(&assert);
        assert!(message.starts_with("error: --sign: "), "{message}");
        assert_holds(&message, &format!("`{}`", key_file.display()));
        message
    };

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for mode in [0o640, 0o644, 0o606] {
            std::fs::set_permissions(&key.private, std::fs::Permissions::from_mode(mode)).unwrap();
            let message = refused(&key.private);
            assert_holds(&message, &format!("can be read or written by others (mode {mode:04o})"));
            assert_holds(&message, &format!("run `chmod 600 {}`", key.private.display()));
        }
        std::fs::set_permissions(&key.private, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert_holds(&refused(&key.public), "is a public key; signing needs the private key");

    let with_passphrase = dir.path().join("with-passphrase");
    run_ok(
        Process::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "correct horse", "-f"])
            .arg(&with_passphrase),
    );
    assert_holds(&refused(&with_passphrase), "is protected by a passphrase");
    for (kind, bits, said) in
        [("ecdsa", "256", "an ECDSA key (`ecdsa-sha2-nistp256`)"), ("rsa", "2048", "an RSA key (`ssh-rsa`)")]
    {
        let other = dir.path().join(kind);
        run_ok(Process::new("ssh-keygen").args(["-q", "-t", kind, "-b", bits, "-N", "", "-f"]).arg(&other));
        let message = refused(&other);
        assert_holds(&message, said);
        assert_holds(&message, "trustpress signs with Ed25519 keys only");
    }
    let garbage = dir.path().join("garbage");
    std::fs::write(
        &garbage,
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1r\n-----END OPENSSH PRIVATE KEY-----\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    assert_holds(&refused(&garbage), "is not an OpenSSH private key");
    refused(&dir.path().join("missing"));

    // A public key that is no key, or a private one, for --key: usage errors.
    bundle(&out, &[]).success();
    assert_holds(
        &stderr(&verify_cli(&out, &[os("--key"), key.private.as_os_str()]).code(2)),
        "is a private key",
    );
    assert_holds(
        &stderr(&verify_cli(&out, &[os("--key"), os("ssh-ed25519 AAAAnot-a-key")]).code(2)),
        "--key:",
    );
    assert_holds(
        &stderr(&verify_cli(&out, &[os("--key"), os("org-key.pub")]).code(2)),
        "is neither a file nor",
    );
}

#[test]
fn signed_bundles_are_byte_identical_and_sign_the_unsigned_manifest() {
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(dir.path(), "org");
    let sign = [os("--sign"), key.private.as_os_str()];
    let (first, second) = (dir.path().join("first.zip"), dir.path().join("second.zip"));
    let content = example_copy(&dir.path().join("a"));
    bundle_of(&content, &first, &sign).success();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    bundle_of(&example_copy(&dir.path().join("b/c")), &second, &sign).success();
    assert!(std::fs::read(&first).unwrap() == std::fs::read(&second).unwrap(), "two signed bundles differ");

    // Signing adds the signature and its SHA256SUMS line, and changes nothing else.
    let unsigned = dir.path().join("unsigned.zip");
    bundle_of(&content, &unsigned, &[]).success();
    let (signed, plain) = (entries(&first), entries(&unsigned));
    let without = |files: &[(String, Vec<u8>)]| -> BTreeMap<String, Vec<u8>> {
        files.iter().filter(|(n, _)| !n.ends_with(".sig") && n != "SHA256SUMS").cloned().collect()
    };
    assert!(without(&signed) == without(&plain));
    let sums = String::from_utf8(entry(&signed, "SHA256SUMS").clone()).unwrap();
    let plain_sums = String::from_utf8(entry(&plain, "SHA256SUMS").clone()).unwrap();
    assert_eq!(
        sums,
        format!("{plain_sums}{}  manifest.json.sig\n", sha256_hex(entry(&signed, "manifest.json.sig")))
    );
}

#[test]
fn an_encrypted_signed_bundle_verifies_with_identity_and_key() {
    use age::secrecy::ExposeSecret;
    if !have_tool("ssh-keygen") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let key = Key::new(dir.path(), "org");
    let other = Key::new(dir.path(), "other");
    let identity = age::x25519::Identity::generate();
    let identity_file = dir.path().join("auditor.txt");
    std::fs::write(&identity_file, format!("{}\n", identity.to_string().expose_secret())).unwrap();

    let sealed = dir.path().join("audit.zip.age");
    let recipient = identity.to_public().to_string();
    let made = bundle(&sealed, &[os("--sign"), key.private.as_os_str(), os("--encrypt-to"), os(&recipient)])
        .success();
    assert_holds(&stderr(&made), "encrypted to 1 recipient");
    assert_holds(&stderr(&made), &format!("signed with      {}", key.fingerprint()));

    let both = [os("--identity"), identity_file.as_os_str(), os("--key"), key.public.as_os_str()];
    let report = stdout(&verify_cli(&sealed, &both).success());
    assert_holds(&report, "(age-encrypted) match its manifest");
    assert_holds(
        &report,
        &format!("signed: manifest.json and SHA256SUMS are signed with {}", key.fingerprint()),
    );
    let wrong = [os("--identity"), identity_file.as_os_str(), os("--key"), other.public.as_os_str()];
    assert_holds(&stderr(&verify_cli(&sealed, &wrong).code(1)), "not with the key given");

    // Inside: the same zip as the plain signed bundle.
    let plain = dir.path().join("audit.zip");
    bundle(&plain, &[os("--sign"), key.private.as_os_str()]).success();
    let sealed_bytes = std::fs::read(&sealed).unwrap();
    let decryptor = age::Decryptor::new(&sealed_bytes[..]).unwrap();
    let mut opened = Vec::new();
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut opened)
        .unwrap();
    assert!(opened == std::fs::read(&plain).unwrap(), "decrypted, it is the plain signed bundle");
}
