//! `trustpress bundle`: the private auditor bundle, one reproducible, verifiable zip.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trustpress::bundle::{self, write_bundle, BundleError, BundleOptions};

use super::{print_diagnostics, source_date_epoch, usage_error, ProgressBar, CONTENT_ERROR};

#[derive(Args)]
pub struct BundleArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// The bundle file to write [default: audit-bundle.zip, or audit-bundle.zip.age when
    /// encrypting].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Encrypt the bundle with age to this recipient (an `age1…` public key); repeat for
    /// several recipients.
    #[arg(long = "encrypt-to", value_name = "AGE_RECIPIENT")]
    encrypt_to: Vec<String>,
    /// Replace the --out file even when it is not a bundle (a zip holding manifest.json, or
    /// an age-encrypted file). A folder or a symbolic link is never replaced.
    #[arg(long)]
    force: bool,
    /// Bundle the ISMS as it was at a commit, tag or branch, or on a day (YYYY-MM-DD: the
    /// last commit on HEAD's first-parent line made on or before it), read from git, not
    /// the work tree: "the ISMS on the first day of the audit period".
    #[arg(long, value_name = "COMMIT|TAG|YYYY-MM-DD")]
    at: Option<String>,
    /// Sign manifest.json and SHA256SUMS with this SSH key (an unencrypted Ed25519 OpenSSH
    /// private key in a file only its owner can read, as `ssh-keygen -t ed25519 -N ''` writes
    /// it): the bundle then holds manifest.json.sig and SHA256SUMS.sig, which
    /// `ssh-keygen -Y verify -n trustpress` and `trustpress verify --key` check against the
    /// public key. See docs/SIGNING.md.
    #[arg(long, value_name = "KEYFILE")]
    sign: Option<PathBuf>,
}

pub fn run(args: BundleArgs) -> ExitCode {
    let signing_key = match super::signing_key(args.sign.as_deref(), &args.content) {
        Ok(key) => key,
        Err(code) => return code,
    };
    let mut recipients = Vec::new();
    for text in &args.encrypt_to {
        match bundle::parse_recipient(text) {
            Ok(recipient) => recipients.push(recipient),
            Err(message) => return usage_error(&format!("--encrypt-to: {message}")),
        }
    }
    let source_date_epoch = match source_date_epoch() {
        Ok(seconds) => seconds,
        Err(message) => return usage_error(&message),
    };
    let out = args.out.unwrap_or_else(|| {
        let name = if recipients.is_empty() {
            bundle::DEFAULT_OUT.to_string()
        } else {
            format!("{}.age", bundle::DEFAULT_OUT)
        };
        PathBuf::from(name)
    });
    let at = match args
        .at
        .as_deref()
        .map(|at| trustpress::history::AtCommit::export(&args.content, at, &[]))
        .transpose()
    {
        Ok(at) => at.map(std::sync::Arc::new),
        Err(message) => return usage_error(&format!("--at: {message}")),
    };
    if let Some(at) = &at {
        super::build::print_at(at);
    }
    let options = BundleOptions {
        content: args.content,
        out,
        recipients,
        source_date_epoch,
        force: args.force,
        at,
        signing_key,
    };
    let started = std::time::Instant::now();
    let bar = ProgressBar::for_stderr();
    match write_bundle(&options, &bar) {
        Ok(report) => {
            print_diagnostics(&options.content, &report.warnings);
            let counts = &report.counts;
            eprintln!(
                "wrote {}: {} files ({} controls, {} policies, {} evidence files, {} documents), {} compressed{} in {:.1} s",
                report.out.display(),
                // manifest.json and SHA256SUMS, and their signatures when signed.
                counts.files + if report.signed_by.is_some() { 4 } else { 2 },
                counts.controls,
                counts.policies,
                counts.evidence_files,
                counts.documents + counts.certification_documents,
                trustpress::size::human_size(report.archive_bytes),
                match report.recipients {
                    0 => String::new(),
                    1 => ", encrypted to 1 recipient".to_string(),
                    n => format!(", encrypted to {n} recipients"),
                },
                started.elapsed().as_secs_f64(),
            );
            let commit = match (&report.git.commit, report.git.dirty) {
                (Some(commit), Some(true)) => format!("{commit} (with uncommitted changes)"),
                (Some(commit), _) => commit.clone(),
                (None, _) => "none (the content folder is not in git)".to_string(),
            };
            eprintln!("  content commit   {commit}");
            eprintln!(
                "  built at         {} (from {})",
                report.built.rfc3339(),
                build_date_origin(report.built.source)
            );
            eprintln!("  manifest sha256  {}", report.manifest_sha256);
            eprintln!("  archive sha256   {}", report.archive_sha256);
            if let Some(fingerprint) = &report.signed_by {
                eprintln!("  signed with      {fingerprint} (manifest.json.sig, SHA256SUMS.sig)");
            }
            if report.built.source == bundle::provenance::BuildDateSource::Clock {
                eprintln!(
                    "note: dated from the clock, so a rebuild will differ; set SOURCE_DATE_EPOCH or bundle content in git for a reproducible archive"
                );
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            match &error {
                BundleError::Content(diagnostics) => {
                    print_diagnostics(&options.content, diagnostics);
                    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
                    eprintln!(
                        "error: bundle failed with {errors} error(s); {} was left untouched",
                        options.out.display()
                    );
                }
                usage if usage.is_usage() => return usage_error(&usage.to_string()),
                other => eprintln!("error: {other}; {} was left untouched", options.out.display()),
            }
            ExitCode::from(CONTENT_ERROR)
        }
    }
}

fn build_date_origin(source: bundle::provenance::BuildDateSource) -> &'static str {
    match source {
        bundle::provenance::BuildDateSource::SourceDateEpoch => "SOURCE_DATE_EPOCH",
        bundle::provenance::BuildDateSource::GitCommit => "the content's git commit",
        bundle::provenance::BuildDateSource::Clock => "the clock",
    }
}
