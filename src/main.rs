//! The command line: the only place that prints. It parses the arguments and hands each
//! command to its file in `cmd/`; the library does the work.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's malloc: a build allocates and frees millions of small strings
/// on every core, and glibc's per-thread arenas grow by `mprotect` calls (21,000 of them in a
/// build of 10,000 policies). See docs/PERFORMANCE.md.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "trustpress",
    version,
    about = "Build an ISMS kept as plain files into an audience-safe static trust center."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the trust center for one audience into a folder.
    Build(cmd::build::BuildArgs),
    /// Check the ISMS: syntax, references, SoA completeness, freshness, audience rules.
    Check(cmd::check::CheckArgs),
    /// Serve the trust center from memory, rebuilding and reloading the browser on every save.
    Serve(cmd::serve::ServeArgs),
    /// Create a starter ISMS in a new folder.
    Init(cmd::init::InitArgs),
    /// Write the private auditor bundle: one reproducible, verifiable zip.
    ///
    /// The bundle holds the auditor-level site (browsable offline), soa.csv and soa.json,
    /// every policy as HTML and markdown, certifications and documents, evidence filed by
    /// control, and manifest.json and SHA256SUMS with the SHA-256 of every file.
    Bundle(cmd::bundle::BundleArgs),
    /// Check a bundle against its manifest.
    ///
    /// Re-hashes every file and names each one that changed, is missing or is extra, and
    /// each entry in a form `bundle` never writes (a symlink, a folder entry, an unsafe
    /// name, a zip comment, …). Exit code 0 only when all is as bundle wrote it, 1 when
    /// not, 2 for usage errors (a missing or wrong --identity).
    Verify(cmd::verify::VerifyArgs),
    /// Fill in a customer's security questionnaire (.xlsx or .csv) from the answer library.
    ///
    /// Finds the sheet's header row and its question, reference, response, comment and
    /// evidence columns; matches each question to the FAQ answers (a CAIQ id first, then the
    /// words); writes a filled copy, changing only the empty cells it answers, and a record
    /// of which answer went where. Rows it is not sure of are left empty and listed.
    Answer(cmd::answer::AnswerArgs),
    /// Send gated documents to one recipient: a stamped, encrypted package, and a ledger entry.
    ///
    /// Every PDF is stamped on every page with the recipient, the date and the share id; the
    /// package (the documents, manifest.json with their SHA-256, README.txt) is encrypted
    /// with age to the recipient's key or to a new passphrase; the share is appended to
    /// access/shares.yaml for the team to commit.
    Share(cmd::share::ShareArgs),
    /// Import content from spreadsheets: an SoA into soa.yaml, an answer library into faq/.
    ///
    /// Writes content files for a person to review and commit; never replaces a file except
    /// soa.yaml with --merge, which keeps its comments and order.
    Import(cmd::import::ImportArgs),
    /// Export standard formats from the ISMS: CSA's CAIQ v4 from the answer library.
    ///
    /// Writes a file for the team to send; never replaces one without --force, and never
    /// changes a template it fills.
    Export(cmd::export::ExportArgs),
}

/// Output piped into a reader that stops early (`trustpress check --format json | head`)
/// ends the run quietly, as a Unix tool killed by SIGPIPE does (exit 141), instead of
/// printing a panic: `println!` panics when stdout's reader has gone. SIGPIPE itself stays
/// ignored, so `serve` keeps running when a browser drops a connection.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(141);
        }
        default(info);
    }));
}

fn main() -> ExitCode {
    quiet_on_closed_stdout();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    // `serve` stops its server on these signals itself; every other command removes what it
    // had made half-way (trustpress::interrupt).
    if !matches!(cli.command, Command::Serve(_)) {
        trustpress::interrupt::install();
    }
    let code = match cli.command {
        Command::Build(args) => cmd::build::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Serve(args) => cmd::serve::run(args),
        Command::Init(args) => cmd::init::run(args),
        Command::Bundle(args) => cmd::bundle::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Answer(args) => cmd::answer::run(args),
        Command::Share(args) => cmd::share::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Export(args) => cmd::export::run(args),
    };
    trustpress::interrupt::exit_code(code)
}
