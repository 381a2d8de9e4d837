//! `trustpress verify`: a bundle checked against its manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trustpress::bundle::verify::{verify, Signature, VerifyOptions};
use trustpress::sign::VerifyingKey;

use super::{usage_error, ProgressBar, CONTENT_ERROR, USAGE_ERROR};

#[derive(Args)]
pub struct VerifyArgs {
    /// The bundle: a zip, or an age-encrypted zip (with --identity); or a site folder built
    /// with `build --sign`.
    file: PathBuf,
    /// An age identity file (as `age-keygen` writes it) that decrypts an encrypted bundle.
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
    /// The organisation's SSH public key: a `.pub` file, or the key line itself
    /// (`ssh-ed25519 AAAA…`). The bundle must be signed with it (`bundle --sign`); its
    /// signatures over manifest.json and SHA256SUMS are checked before any file.
    #[arg(long, value_name = "PUBKEY", conflicts_with = "key_from")]
    key: Option<std::ffi::OsString>,
    /// Fetch the organisation's public key from its trust center: the site's https:// address
    /// (the key is at .well-known/trustpress/signing-key.pub) or the key file's own address.
    /// Runs curl.
    #[arg(long, value_name = "URL")]
    key_from: Option<String>,
}

pub fn run(args: VerifyArgs) -> ExitCode {
    let key = match args.key.as_deref().map(VerifyingKey::from_argument).transpose() {
        Ok(key) => key,
        Err(error) => return usage_error(&format!("--key: {error}")),
    };
    let key = match (key, args.key_from.as_deref()) {
        (None, Some(url)) => match trustpress::sign::fetch::key_from(url) {
            Ok(key) => {
                eprintln!("key from {url}: {}", key.fingerprint());
                Some(key)
            }
            Err(error) => return usage_error(&format!("--key-from: {error}")),
        },
        (key, _) => key,
    };
    if args.file.is_dir() {
        return verify_site(&args.file, key.as_ref());
    }
    let options = VerifyOptions { file: args.file, identity: args.identity, key };
    let bar = ProgressBar::for_stderr();
    match verify(&options, &bar) {
        Ok(report) => {
            for problem in &report.problems {
                println!("{problem}");
            }
            let origin = match (&report.git_commit, &report.built_at) {
                (Some(commit), Some(built)) => format!(", content commit {commit}, built {built}"),
                (None, Some(built)) => format!(", built {built}"),
                _ => String::new(),
            };
            if report.ok() {
                let encrypted = if report.encrypted { " (age-encrypted)" } else { "" };
                println!(
                    "ok: all {} files of {}{encrypted} match its manifest{origin}",
                    report.checked,
                    options.file.display()
                );
                println!("manifest sha256 {}", report.manifest_sha256);
                println!("{}", signature_line(&report.signature));
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: {} does not verify: {} problem(s) in {} files",
                    options.file.display(),
                    report.problems.len(),
                    report.checked
                );
                if matches!(report.signature, Signature::Verified { .. } | Signature::Unchecked { .. }) {
                    eprintln!("note: {}", signature_line(&report.signature));
                }
                ExitCode::from(CONTENT_ERROR)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(if error.is_usage() { USAGE_ERROR } else { CONTENT_ERROR })
        }
    }
}

/// What verify found of the signatures, in one line.
fn signature_line(signature: &Signature) -> String {
    match signature {
        Signature::Verified { fingerprint } => format!(
            "signed: manifest.json and SHA256SUMS are signed with {fingerprint}, the key given with --key"
        ),
        Signature::Unchecked { fingerprint } => format!(
            "signed, signature not checked: manifest.json.sig and SHA256SUMS.sig are valid for the key they name, {fingerprint}; pass --key with the organisation's public key to check that it is theirs"
        ),
        Signature::Unsigned => "not signed: the bundle has no manifest.json.sig".to_string(),
        Signature::Invalid => "signed, but a signature is missing or does not match".to_string(),
    }
}

/// `verify SITE`: a folder built with `build --sign`.
fn verify_site(folder: &std::path::Path, key: Option<&VerifyingKey>) -> ExitCode {
    match trustpress::sign::site::verify_site(folder, key) {
        Ok(report) => {
            for problem in &report.problems {
                println!("{problem}");
            }
            if !report.ok() {
                eprintln!(
                    "error: {} does not verify: {} problem(s) in {} files",
                    folder.display(),
                    report.problems.len(),
                    report.checked
                );
                return ExitCode::from(CONTENT_ERROR);
            }
            println!("ok: all {} files of {} match its signed manifest", report.checked, folder.display());
            match &report.key {
                Some(fingerprint) => println!("signed with {fingerprint}, the key given"),
                None => println!(
                    "signed, with the key the site itself publishes: that proves the files are as signed, not who signed them; pass --key with the organisation's key"
                ),
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {}: {error}", folder.display());
            ExitCode::from(CONTENT_ERROR)
        }
    }
}
