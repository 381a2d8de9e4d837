//! `trustpress share`: one stamped, encrypted package of gated documents for one recipient,
//! recorded in the access ledger.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trustpress::date::Date;
use trustpress::model::share::shell_quote;
use trustpress::share::{self, Encryption, ShareError, ShareOptions};

use super::{print_diagnostics, usage_error, CONTENT_ERROR};

#[derive(Args)]
#[command(group(clap::ArgGroup::new("encryption").required(true).args(["recipient", "passphrase"])))]
pub struct ShareArgs {
    /// The recipient: "Name <email>".
    #[arg(long, value_name = "NAME <EMAIL>")]
    to: String,
    /// The recipient's organisation, for the ledger and the Access page.
    #[arg(long)]
    organization: Option<String>,
    /// Encrypt the package to this age public key (`age1…`, from the recipient's
    /// `age-keygen`).
    #[arg(long, value_name = "AGE_RECIPIENT")]
    recipient: Option<String>,
    /// Encrypt the package to a new passphrase, printed once: send it by another channel.
    #[arg(long)]
    passphrase: bool,
    /// The documents to send, by id (documents.yaml, or a certification document's `id`)
    /// [default: every document the public site offers on request].
    #[arg(long, num_args = 1.., value_name = "ID")]
    documents: Vec<String>,
    /// The NDA the documents are shared under: a file in the content folder.
    #[arg(long, value_name = "NDA_FILE")]
    nda: Option<PathBuf>,
    /// The day the recipient's access ends (YYYY-MM-DD).
    #[arg(long, value_name = "YYYY-MM-DD")]
    expires: Option<String>,
    /// The package file to write; never replaced [default: share-<id>.zip.age].
    #[arg(long)]
    out: Option<PathBuf>,
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Sign the package's manifest with this OpenSSH Ed25519 private key file (the one the
    /// trust center publishes the public half of).
    #[arg(long, value_name = "KEYFILE")]
    sign: Option<PathBuf>,
    /// The share's date (YYYY-MM-DD) [default: today].
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<String>,
}

pub fn run(args: ShareArgs) -> ExitCode {
    let encryption = match (&args.recipient, args.passphrase) {
        (Some(text), _) => match trustpress::bundle::parse_recipient(text) {
            Ok(recipient) => Encryption::Recipient(recipient, text.clone()),
            Err(message) => return usage_error(&format!("--recipient: {message}")),
        },
        (None, _) => match share::passphrase() {
            Ok(passphrase) => Encryption::Passphrase(passphrase),
            Err(message) => return usage_error(&message),
        },
    };
    let day = |flag: &str, text: &Option<String>| -> Result<Option<Date>, String> {
        text.as_deref().map(|t| Date::parse(t).map_err(|e| format!("{flag} `{t}`: {e}"))).transpose()
    };
    let (expires, today) = match (day("--expires", &args.expires), day("--today", &args.today)) {
        (Ok(expires), Ok(today)) => (expires, today.unwrap_or_else(Date::today_from_clock)),
        (Err(message), _) | (_, Err(message)) => return usage_error(&message),
    };
    let sign = match super::signing_key(args.sign.as_deref(), &args.content) {
        Ok(key) => key,
        Err(code) => return code,
    };
    let content = args.content.clone();
    let options = ShareOptions {
        content: args.content,
        to: args.to,
        organization: args.organization,
        encryption,
        documents: args.documents,
        nda: args.nda,
        expires,
        out: args.out,
        today,
        sign,
    };
    match share::share(&options) {
        Ok(report) => {
            let share = &report.share;
            println!("share {} for {}", share.id, share.to);
            for (id, name, pages) in &report.files {
                match pages {
                    Some(pages) => println!("  {name}  {id}, stamped on {pages} page(s)"),
                    None => println!("  {name}  {id}, as it is (not a PDF)"),
                }
            }
            println!("package: {}", report.out.display());
            let undrawable = share::stamp::undrawable(&share.to);
            if report.files.iter().any(|(_, _, pages)| pages.is_some()) && !undrawable.is_empty() {
                let letters: String = undrawable.iter().collect();
                eprintln!(
                    "note: the stamp's standard font cannot draw `{letters}` in the recipient; the pages show `?` for them (the PDFs' properties, the manifest and the ledger keep the name as given); give --to a Latin spelling to show it on the pages"
                );
            }
            if let Encryption::Passphrase(passphrase) = &options.encryption {
                println!("passphrase: {passphrase}");
                println!(
                    "  send it by another channel than the package (a call, a message); it is shown only now"
                );
            }
            println!("ledger: appended to {}", report.ledger.display());
            // Quoted for the shell: the organisation's name usually comes from the recipient.
            let message = format!(
                "Share {} with {}",
                share.id,
                share.organization.as_deref().unwrap_or_else(|| share.name())
            );
            println!(
                "  commit it: git add {} && git commit -m {}",
                shell_quote(&report.ledger.display().to_string()),
                shell_quote(&message)
            );
            ExitCode::SUCCESS
        }
        Err(ShareError::Content(diagnostics)) => {
            print_diagnostics(&content, &diagnostics);
            eprintln!("share failed: nothing was written");
            ExitCode::from(CONTENT_ERROR)
        }
        Err(error) if error.is_usage() => usage_error(&error.to_string()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(CONTENT_ERROR)
        }
    }
}
