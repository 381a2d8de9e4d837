//! One file per command: its arguments and its `run`. What several commands share (exit
//! codes, the build date, printing diagnostics, the progress bar) is here.

pub mod answer;
pub mod build;
pub mod bundle;
pub mod check;
pub mod export;
pub mod import;
pub mod init;
pub mod serve;
pub mod share;
pub mod verify;

use std::path::Path;
use std::process::ExitCode;

use trustpress::audience::Audience;
use trustpress::bundle::Progress;
use trustpress::date::Date;
use trustpress::diagnostic::{source_line, Diagnostic};

/// Exit code for content errors (nothing written).
const CONTENT_ERROR: u8 = 1;
/// Exit code for usage errors.
const USAGE_ERROR: u8 = 2;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SiteAudience {
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

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// A progress bar on stderr, for bundles large enough to take a while; hidden when stderr
/// is not a terminal (CI logs, pipes).
pub struct ProgressBar(indicatif::ProgressBar);

/// Below this many bytes a bundle is done before a bar would be worth drawing.
const PROGRESS_BAR_FROM_BYTES: u64 = 64 * 1024 * 1024;

impl ProgressBar {
    fn for_stderr() -> ProgressBar {
        ProgressBar(indicatif::ProgressBar::hidden())
    }
}

impl Progress for ProgressBar {
    fn start(&self, total_bytes: u64) {
        use std::io::IsTerminal;
        if total_bytes < PROGRESS_BAR_FROM_BYTES || !std::io::stderr().is_terminal() {
            return;
        }
        self.0.set_length(total_bytes);
        self.0.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {bytes}/{total_bytes} {bytes_per_sec}, {eta} left",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        self.0.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }

    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

/// The key `--sign` names, for content in `content`; a refused key is a usage error.
fn signing_key(
    sign: Option<&Path>,
    content: &Path,
) -> Result<Option<trustpress::sign::SigningKey>, ExitCode> {
    sign.map(|key| trustpress::sign::load_private_key_for(key, content))
        .transpose()
        .map_err(|error| usage_error(&format!("--sign: {error}")))
}

/// Reports a failed `answer` or `export` run: content errors with their places (exit 1),
/// usage errors (exit 2), anything else (exit 1).
fn answer_error(content: &Path, error: trustpress::answer::run::AnswerError) -> ExitCode {
    use trustpress::answer::run::AnswerError;
    match error {
        AnswerError::Content(diagnostics) => {
            print_diagnostics(content, &diagnostics);
            eprintln!("error: the content has errors; nothing was written");
            ExitCode::from(CONTENT_ERROR)
        }
        AnswerError::Usage(message) => usage_error(&message),
        error => {
            eprintln!("error: {error}");
            ExitCode::from(CONTENT_ERROR)
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
fn print_json(value: &impl serde::Serialize) -> ExitCode {
    match serde_json::to_string_pretty(value) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: cannot write JSON: {error}");
            ExitCode::from(CONTENT_ERROR)
        }
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(USAGE_ERROR)
}

/// Prints diagnostics to stderr, each code's fourth and later in one line.
fn print_diagnostics(content: &Path, diagnostics: &[Diagnostic]) {
    use trustpress::diagnostic::report::{grouped, Shown};
    for shown in grouped(diagnostics) {
        match shown {
            Shown::Full(diagnostic) => {
                let line = diagnostic.location.as_ref().and_then(|l| source_line(content, l));
                eprintln!("{}\n", diagnostic.render(line.as_deref()));
            }
            Shown::More { code, severity, places } => {
                let all = format!("trustpress check --all --content {}", content.display());
                eprintln!(
                    "{}\n  = note: `{all}` shows each in full\n",
                    Shown::more_line(code, severity, &places)
                );
            }
        }
    }
}

/// A build's warnings as one line: how many, of which codes, and the command that lists
/// them. `check` is where a person reads them; a build only says they are there.
fn summarize_warnings(content: &Path, warnings: &[Diagnostic]) {
    if warnings.is_empty() {
        return;
    }
    let mut codes: Vec<&str> = warnings.iter().map(|w| w.code).collect();
    codes.sort_unstable();
    codes.dedup();
    eprintln!(
        "warning: the content has {} warning{} ({}); `trustpress check --content {}` lists them",
        warnings.len(),
        plural(warnings.len()),
        codes.join(", "),
        content.display()
    );
}

/// The day a build or check computes its date-based states against: `--today`, else the
/// `as_of` day of a content folder that describes a snapshot (site.yaml; the fictional
/// example), else [`build_date`]'s. A site.yaml that does not parse is left to the loader,
/// which reports it where it is.
fn content_date(today: Option<&str>, content: &Path) -> Result<Date, String> {
    // Checked first, so a broken `--today` or SOURCE_DATE_EPOCH is reported either way.
    let date = build_date(today)?;
    match (today, as_of(content)) {
        (None, Some(as_of)) => Ok(as_of),
        _ => Ok(date),
    }
}

fn as_of(content: &Path) -> Option<Date> {
    // Read as every content file is (a regular file, at most 16 MiB): a FIFO or a device
    // here must not stop the command before the loader can report it.
    let root = trustpress::load::ContentRoot::open(content).ok()?;
    let text = root.read_text(Path::new("site.yaml")).ok()?;
    let site: trustpress::config::SiteConfig =
        trustpress::load::yaml::parse(&text, Path::new("site.yaml"), 1).ok()?;
    site.as_of
}

/// `--today`, else `SOURCE_DATE_EPOCH`, else the clock: builds are reproducible whenever
/// either of the first two is given. A date outside [`Date::build_range`] is a usage error.
fn build_date(today: Option<&str>) -> Result<Date, String> {
    if let Some(text) = today {
        let date = Date::parse(text).map_err(|e| format!("--today: {e}"))?;
        let (first, last) = Date::build_range();
        if date < first || date > last {
            return Err(format!("--today `{text}` is out of range: a build date is from {first} to {last}"));
        }
        return Ok(date);
    }
    if let Some(seconds) = source_date_epoch()? {
        return Date::from_unix_seconds(seconds)
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH `{seconds}` is out of range"));
    }
    Ok(Date::today_from_clock())
}

/// `SOURCE_DATE_EPOCH` in seconds, when set; an error when it is not a usable number: not a
/// whole number, or before 1970 (negative), or after the last day a build date can have.
fn source_date_epoch() -> Result<Option<i64>, String> {
    let Ok(epoch) = std::env::var("SOURCE_DATE_EPOCH") else { return Ok(None) };
    let seconds: i64 = epoch
        .trim()
        .parse()
        .map_err(|_| format!("SOURCE_DATE_EPOCH must be a whole number of seconds, not `{epoch}`"))?;
    let max = Date::max_unix_seconds();
    if !(0..=max).contains(&seconds) || Date::from_unix_seconds(seconds).is_none() {
        return Err(format!(
            "SOURCE_DATE_EPOCH `{epoch}` is out of range: it counts seconds since 1970-01-01T00:00:00Z, from 0 to {max}"
        ));
    }
    Ok(Some(seconds))
}
