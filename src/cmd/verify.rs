//! `trustpress verify`: a bundle checked against its manifest.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trustpress::bundle::verify::{verify, VerifyOptions};

use super::{ProgressBar, CONTENT_ERROR, USAGE_ERROR};

#[derive(Args)]
pub struct VerifyArgs {
    /// The bundle: a zip, or an age-encrypted zip (with --identity).
    file: PathBuf,
    /// An age identity file (as `age-keygen` writes it) that decrypts an encrypted bundle.
    #[arg(long, value_name = "KEYFILE")]
    identity: Option<PathBuf>,
}

pub fn run(args: VerifyArgs) -> ExitCode {
    let options = VerifyOptions { file: args.file, identity: args.identity };
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
                ExitCode::SUCCESS
            } else {
                eprintln!(
                    "error: {} does not verify: {} problem(s) in {} files",
                    options.file.display(),
                    report.problems.len(),
                    report.checked
                );
                ExitCode::from(CONTENT_ERROR)
            }
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(if error.is_usage() { USAGE_ERROR } else { CONTENT_ERROR })
        }
    }
}
