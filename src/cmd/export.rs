//! `trustpress export caiq`: CSA's CAIQ v4 from the answer library, for a STAR Level 1
//! self-assessment.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use trustpress::answer::xlsx::column_letter;
use trustpress::caiq::template::State;
use trustpress::caiq::{export, ExportOptions, ExportReport, Version};

use super::{answer_error, content_date, plural, print_json, usage_error, SiteAudience};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Human,
    Json,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(subcommand)]
    what: ExportCommand,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// CSA's CAIQ v4 (v4.1 or v4.0.3), for a STAR Level 1 self-assessment.
    ///
    /// Each question an answer names in its `caiq` ids gets the answer's response (Yes, No,
    /// NA), its `ssrm` ownership, its text as the implementation description and its
    /// `csc_responsibilities`. Nothing is matched by words. Without --template, writes a new
    /// workbook (or CSV) in CSA's column layout with every question id of the version and the
    /// Question column empty (CSA's texts are licensed); with --template, fills the empty
    /// answer cells of the team's own copy of CSA's workbook and changes nothing else.
    Caiq(CaiqArgs),
}

#[derive(Args)]
struct CaiqArgs {
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Whose answers to use: public ones only (a STAR entry is public), or public and
    /// internal ones (a CAIQ sent to one customer under NDA). Auditor-level content is never
    /// used.
    #[arg(long, value_enum, default_value = "public")]
    audience: SiteAudience,
    /// The CAIQ version: 4.1 or 4.0.3 [default: 4.1; with --template, the template's].
    #[arg(long)]
    version: Option<String>,
    /// The team's copy of CSA's CAIQ workbook (.xlsx), to be filled; it is never changed.
    #[arg(long)]
    template: Option<PathBuf>,
    /// The sheet of --template [default: the first with CSA's header row].
    #[arg(long)]
    sheet: Option<String>,
    /// The file to write [default: CAIQv4.1.0.xlsx (CAIQv4.0.3.xlsx); with --template,
    /// NAME.filled.xlsx beside it]. A .csv name writes CSV.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out when it exists.
    #[arg(long)]
    force: bool,
    /// The workbook's creation date [default: site.yaml's `as_of`, else SOURCE_DATE_EPOCH's
    /// day, else today's UTC date].
    #[arg(long)]
    today: Option<String>,
    /// `human` (a summary) or `json` (every question's row).
    #[arg(long, value_enum, default_value = "human")]
    format: ExportFormat,
}

pub fn run(args: ExportArgs) -> ExitCode {
    match args.what {
        ExportCommand::Caiq(args) => caiq(args),
    }
}

fn caiq(args: CaiqArgs) -> ExitCode {
    let today = match content_date(args.today.as_deref(), &args.content) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let version = match args.version.as_deref().map(|v| (v, Version::parse(v))) {
        None => None,
        Some((_, Some(version))) => Some(version),
        Some((text, None)) => return usage_error(&format!("--version: expected 4.1 or 4.0.3, not `{text}`")),
    };
    let options = ExportOptions {
        content: args.content.clone(),
        audience: args.audience.audience(),
        version,
        template: args.template.clone(),
        sheet: args.sheet.clone(),
        out: args.out.clone(),
        force: args.force,
        today,
    };
    let report = match export(&options) {
        Ok(report) => report,
        Err(error) => return answer_error(&args.content, error),
    };
    match args.format {
        ExportFormat::Json => print_json(&report),
        ExportFormat::Human => {
            print_summary(&report);
            ExitCode::SUCCESS
        }
    }
}

fn print_summary(report: &ExportReport) {
    let version = report.version.map_or("of an unknown version".to_string(), |v| format!("v{v}"));
    match &report.sheet {
        Some(sheet) => println!("template sheet: {sheet}, CAIQ {version}"),
        None => println!("CAIQ {version}, {} answers", report.audience),
    }
    let answered = report.answered();
    let filled = report.already_filled();
    let blocked = report.not_writable();
    let questions = report.questions();
    let unanswered = questions - answered - filled - blocked;
    print!("{questions} question{}: {answered} answered", plural(questions));
    if filled > 0 {
        print!(", {filled} already filled (left as they were)");
    }
    if blocked > 0 {
        print!(", {blocked} with a cell that cannot be written (left, listed below)");
    }
    println!(", {unanswered} left for a person");
    // Where the questions left are, by CCM domain, in the CAIQ's order.
    let mut by_domain: Vec<(&str, usize)> = Vec::new();
    let left: Vec<&str> = match &report.sheet {
        Some(_) => {
            report.states.iter().filter(|(_, s)| *s == State::Unanswered).map(|(id, _)| id.as_str()).collect()
        }
        None => report.rows.rows.iter().filter(|r| r.answers.is_empty()).map(|r| r.id.as_str()).collect(),
    };
    for id in left {
        let domain = id.split('-').next().unwrap_or("");
        match by_domain.last_mut() {
            Some((last, count)) if *last == domain => *count += 1,
            _ => by_domain.push((domain, 1)),
        }
    }
    if !by_domain.is_empty() {
        let list: Vec<String> = by_domain.iter().map(|(domain, count)| format!("{domain} {count}")).collect();
        println!("  left, by domain: {}", list.join(", "));
    }
    for row in &report.rows.rows {
        for conflict in &row.conflicts {
            let says: Vec<String> =
                conflict.says.iter().map(|(id, word)| format!("{id} says {word}")).collect();
            println!("  {}: {} left empty: {}", row.id, conflict.field, says.join(", "));
        }
    }
    for unknown in &report.rows.unknown {
        let why = match (&unknown.did_you_mean, unknown.in_versions.as_slice()) {
            (Some(best), _) => format!("did you mean {best}?"),
            (None, []) => "no CAIQ v4 version has it".to_string(),
            (None, versions) => format!("it is a CAIQ v{} id", versions.join(" and v")),
        };
        println!("  {} names {}, which this CAIQ does not have: {why}", unknown.answer, unknown.id);
    }
    if !report.template_ids_unknown.is_empty() {
        println!(
            "  the template has {} id{} no CAIQ v4 version has: {}",
            report.template_ids_unknown.len(),
            plural(report.template_ids_unknown.len()),
            report.template_ids_unknown.join(", ")
        );
    }
    for (row, column, why) in &report.not_written {
        println!("  not written: {}{} {why}", column_letter(*column), row + 1);
    }
    println!("wrote {}", report.out.display());
}
