//! The command line: the only place that prints. Each command has its own arguments struct
//! and its own `run_…` function; the library does the work.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use trustpress::audience::Audience;
use trustpress::build::{build_site, BuildError, SiteOptions};
use trustpress::date::Date;
use trustpress::diagnostic::{source_line, Diagnostic, JsonDiagnostic};

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
    Build(BuildArgs),
    /// Check the ISMS: syntax, references, SoA completeness, freshness, audience rules.
    Check(CheckArgs),
    /// Create a starter ISMS in a new folder.
    Init(InitArgs),
}

#[derive(Args)]
struct InitArgs {
    /// The folder to create (must be new or empty).
    dir: PathBuf,
    /// The date written as "approved" in the starter files [default: SOURCE_DATE_EPOCH's
    /// day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckFormat {
    Human,
    Json,
}

#[derive(Args)]
struct CheckArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// `human` (rustc-style, with the source line) or `json` (an array, for CI tooling).
    #[arg(long, value_enum, default_value = "human")]
    format: CheckFormat,
    /// The date (YYYY-MM-DD) reviews, expiry and staleness are checked against
    /// [default: SOURCE_DATE_EPOCH's day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum SiteAudience {
    Public,
    Internal,
}

impl SiteAudience {
    fn audience(self) -> Audience {
        match self {
            SiteAudience::Public => Audience::Public,
            SiteAudience::Internal => Audience::Internal,
        }
    }
}

#[derive(Args)]
struct BuildArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Output folder [default: public/ for the public audience, internal/ for internal].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Who the site is for: public items only, or public and internal.
    #[arg(long, value_enum, default_value = "public")]
    audience: SiteAudience,
    /// Base URL the site is published at (overrides site.yaml).
    #[arg(long)]
    base_url: Option<String>,
    /// The build date (YYYY-MM-DD) that validity, reviews and staleness are computed
    /// against [default: SOURCE_DATE_EPOCH's day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
    /// Print how long each build step took.
    #[arg(long)]
    timings: bool,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return if error.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    match cli.command {
        Command::Build(args) => run_build(args),
        Command::Check(args) => run_check(args),
        Command::Init(args) => run_init(args),
    }
}

/// Exit code for content errors (nothing written).
const CONTENT_ERROR: u8 = 1;
/// Exit code for usage errors.
const USAGE_ERROR: u8 = 2;

fn run_build(args: BuildArgs) -> ExitCode {
    let audience = args.audience.audience();
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let out = args.out.unwrap_or_else(|| default_site_folder(audience));
    let options = SiteOptions {
        content: args.content,
        audience,
        base_url: args.base_url,
        today,
        explicit_index: false,
    };
    let started = std::time::Instant::now();
    match build_site(&options, &out) {
        Ok(site) => {
            print_diagnostics(&options.content, &site.warnings);
            if args.timings {
                for (step, duration) in &site.timings {
                    eprintln!("  {step:<8} {:>8.1} ms", duration.as_secs_f64() * 1000.0);
                }
            }
            eprintln!(
                "built {} site: {} files in {} ({:.0} ms)",
                options.audience,
                site.files.len(),
                out.display(),
                started.elapsed().as_secs_f64() * 1000.0
            );
            ExitCode::SUCCESS
        }
        Err(error) => build_failed(error, &options.content, &out),
    }
}

fn run_check(args: CheckArgs) -> ExitCode {
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let diagnostics = trustpress::check::check_content(&args.content, today);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    match args.format {
        CheckFormat::Json => {
            let items: Vec<JsonDiagnostic> = diagnostics.iter().map(JsonDiagnostic::from).collect();
            match serde_json::to_string_pretty(&items) {
                Ok(json) => println!("{json}"),
                Err(error) => {
                    eprintln!("error: cannot write JSON: {error}");
                    return ExitCode::from(CONTENT_ERROR);
                }
            }
        }
        CheckFormat::Human => {
            for diagnostic in &diagnostics {
                let line = diagnostic.location.as_ref().and_then(|l| source_line(&args.content, l));
                println!("{}\n", diagnostic.render(line.as_deref()));
            }
            let verdict = if errors > 0 { "failed" } else { "passed" };
            println!(
                "check {verdict}: {errors} error{}, {warnings} warning{} (checked against {today})",
                plural(errors),
                plural(warnings)
            );
        }
    }
    if errors > 0 {
        ExitCode::from(CONTENT_ERROR)
    } else {
        ExitCode::SUCCESS
    }
}

fn run_init(args: InitArgs) -> ExitCode {
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    match trustpress::init::init(&args.dir, today) {
        Ok(files) => {
            for file in &files {
                println!("created {}", file.display());
            }
            let dir = args.dir.display();
            println!("\nA starter ISMS is in {dir}. Next:");
            println!("  trustpress check --content {dir}    # what to fill in next");
            println!("  trustpress build --content {dir}    # the public trust center, into public/");
            ExitCode::SUCCESS
        }
        Err(error @ trustpress::init::InitError::NotEmpty(_)) => usage_error(&error.to_string()),
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(CONTENT_ERROR)
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

fn default_site_folder(audience: Audience) -> PathBuf {
    PathBuf::from(if audience == Audience::Public { "public" } else { "internal" })
}

fn build_failed(error: BuildError, content: &Path, out: &Path) -> ExitCode {
    match error {
        BuildError::Content(diagnostics) => {
            print_diagnostics(content, &diagnostics);
            let errors = diagnostics.iter().filter(|d| d.is_error()).count();
            eprintln!("error: build failed with {errors} error(s); {} was left untouched", out.display());
        }
        BuildError::Write(error) => eprintln!("error: {error}"),
    }
    ExitCode::from(CONTENT_ERROR)
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE_ERROR)
}

fn print_diagnostics(content: &Path, diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        let line = diagnostic.location.as_ref().and_then(|l| source_line(content, l));
        eprintln!("{}\n", diagnostic.render(line.as_deref()));
    }
}

/// `--today`, else `SOURCE_DATE_EPOCH`, else the clock: builds are reproducible whenever
/// either of the first two is given.
fn build_date(today: Option<&str>) -> Result<Date, String> {
    if let Some(text) = today {
        return Date::parse(text).map_err(|e| format!("--today: {e}"));
    }
    if let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") {
        let seconds: i64 = epoch
            .trim()
            .parse()
            .map_err(|_| format!("SOURCE_DATE_EPOCH must be a whole number of seconds, not `{epoch}`"))?;
        return Date::from_unix_seconds(seconds)
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH `{epoch}` is out of range"));
    }
    Ok(Date::today_from_clock())
}
