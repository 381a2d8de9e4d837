//! `trustpress check`: the ISMS checked like code.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trustpress::diagnostic::report::{grouped, Choices, Shown};
use trustpress::diagnostic::{source_line, JsonDiagnostic};

use super::{content_date, plural, usage_error, CONTENT_ERROR};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
}

#[derive(Args)]
pub struct CheckArgs {
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
    /// Parse every policy again instead of using the cache of unchanged ones (kept in
    /// $TRUSTPRESS_CACHE_DIR, else $XDG_CACHE_HOME/trustpress, else ~/.cache/trustpress).
    #[arg(long)]
    no_cache: bool,
    /// Make every diagnostic with this code an error, so that it fails CI
    /// (`--deny check-stale`). May be given more than once.
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// Leave out the warnings with this code (`--allow soa-undecided`); errors are never left
    /// out. May be given more than once.
    #[arg(long, value_name = "CODE")]
    allow: Vec<String>,
    /// Show every diagnostic in full; by default the fourth and later of one code are listed
    /// in one line.
    #[arg(long)]
    all: bool,
}

pub fn run(args: CheckArgs) -> ExitCode {
    let today = match content_date(args.today.as_deref(), &args.content) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let choices = Choices { deny: args.deny.clone(), allow: args.allow.clone() };
    let (diagnostics, note) = trustpress::check::check_content(&args.content, today, !args.no_cache);
    let diagnostics = choices.apply(diagnostics);
    if let Some(note) = note {
        eprintln!("note: {note}");
    }
    if !args.no_cache {
        if let Some(problem) = trustpress::load::cache::unusable_folder() {
            eprintln!("note: check's parse cache is not used: {problem}");
        }
    }
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
            if args.all {
                for diagnostic in &diagnostics {
                    let line = diagnostic.location.as_ref().and_then(|l| source_line(&args.content, l));
                    println!("{}\n", diagnostic.render(line.as_deref()));
                }
            } else {
                for shown in grouped(&diagnostics) {
                    match shown {
                        Shown::Full(diagnostic) => {
                            let line =
                                diagnostic.location.as_ref().and_then(|l| source_line(&args.content, l));
                            println!("{}\n", diagnostic.render(line.as_deref()));
                        }
                        Shown::More { code, severity, places } => {
                            println!(
                                "{}\n  = note: `check --all` shows each in full\n",
                                Shown::more_line(code, severity, &places)
                            );
                        }
                    }
                }
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
