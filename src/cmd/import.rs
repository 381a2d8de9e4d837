//! `trustpress import soa|answers`: content files from spreadsheets, and a report of what was
//! mapped, what was not, and what is left to decide.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use trustpress::import::answers::{self, AnswersOptions, AnswersReport};
use trustpress::import::soa::{self, SoaOptions, SoaReport};
use trustpress::import::{parse_column, ImportError};

use super::{plural, CONTENT_ERROR, USAGE_ERROR};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ImportFormat {
    Human,
    Json,
}

#[derive(Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    what: ImportCommand,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// A Statement of Applicability kept as a spreadsheet into soa.yaml.
    ///
    /// Finds the control id column by what it holds (A.5.1, 5.1, A 5.1, A.05.01 …) and the
    /// applicable, justification, status, owner, notes, policies and evidence columns by
    /// their headers. Writes soa.yaml with every Annex A control (undecided where the sheet
    /// says nothing), or with --merge updates the existing one in place. Reports rows it
    /// could not map, controls the sheet lacks, and values it did not understand.
    Soa(SoaArgs),
    /// An answer library (question, answer, category, …) into faq/imported-<category>.yaml.
    ///
    /// Every answer is written `audience: internal`: nothing is public until a person says
    /// so. Ids come from the sheet's id column or are made (FAQ-IMP-001), never one the
    /// content already has. Never replaces a file.
    Answers(AnswersArgs),
}

#[derive(Args)]
struct Common {
    /// The spreadsheet: .xlsx, .xlsm or .csv (UTF-8; `,`, `;` or tab).
    file: PathBuf,
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// The sheet of a workbook to read [default: the first that has the columns needed].
    #[arg(long)]
    sheet: Option<String>,
    /// The header row, counted from 1, when it is not found by itself.
    #[arg(long, value_name = "ROW")]
    header_row: Option<usize>,
    /// A column, replacing its guess: ROLE=COL, COL a letter (`C`) or a number from 1.
    /// Repeatable. Roles for soa: id, title, applicable, status, justification, reason, owner, notes,
    /// policies, evidence, version, approved_by, approved; for answers: id, question,
    /// answer, category, response, also_asked_as, controls, caiq, owner, reviewed.
    #[arg(long = "column", value_name = "ROLE=COL")]
    columns: Vec<String>,
    /// `human` (a report) or `json` (the report as JSON, for scripts).
    #[arg(long, value_enum, default_value = "human")]
    format: ImportFormat,
}

#[derive(Args)]
struct SoaArgs {
    #[command(flatten)]
    common: Common,
    /// Update the existing soa.yaml in place: only fields the sheet gives a different value
    /// for change, comments and order stay, controls it lacks are appended.
    #[arg(long)]
    merge: bool,
}

#[derive(Args)]
struct AnswersArgs {
    #[command(flatten)]
    common: Common,
    /// Where the files go, inside the content folder.
    #[arg(long, default_value = "faq")]
    out_folder: PathBuf,
}

fn overrides(common: &Common, roles: &[&str]) -> Result<(Option<usize>, BTreeMap<String, usize>), String> {
    let header_row = match common.header_row {
        Some(0) => return Err("--header-row: rows count from 1".to_string()),
        row => row.map(|r| r - 1),
    };
    let mut columns = BTreeMap::new();
    for given in &common.columns {
        let Some((role, column)) = given.split_once('=') else {
            return Err(format!("--column `{given}`: expected ROLE=COL, such as applicable=D"));
        };
        let role = role.trim().to_lowercase().replace('-', "_");
        if !roles.contains(&role.as_str()) {
            return Err(format!("--column `{given}`: unknown role `{role}`; roles: {}", roles.join(", ")));
        }
        let Some(column) = parse_column(column) else {
            return Err(format!("--column `{given}`: expected a column letter (`C`) or number from 1 (`3`)"));
        };
        if columns.insert(role.clone(), column).is_some() {
            return Err(format!("--column: `{role}` is given twice"));
        }
    }
    Ok((header_row, columns))
}

pub fn run(args: ImportArgs) -> ExitCode {
    match args.what {
        ImportCommand::Soa(args) => run_soa(args),
        ImportCommand::Answers(args) => run_answers(args),
    }
}

fn fail(error: ImportError) -> ExitCode {
    eprintln!("error: {error}");
    match error {
        ImportError::Usage(_) => ExitCode::from(USAGE_ERROR),
        _ => ExitCode::from(CONTENT_ERROR),
    }
}

fn run_soa(args: SoaArgs) -> ExitCode {
    let common = &args.common;
    let (header_row, columns) = match overrides(common, soa::ROLES) {
        Ok(found) => found,
        Err(message) => return super::usage_error(&message),
    };
    let options = SoaOptions {
        input: common.file.clone(),
        content: common.content.clone(),
        sheet: common.sheet.clone(),
        merge: args.merge,
        header_row,
        columns,
    };
    match soa::import(&options) {
        Ok(report) => {
            match common.format {
                ImportFormat::Json => return super::print_json(&report),
                ImportFormat::Human => print_soa(&report, &common.content),
            }
            ExitCode::SUCCESS
        }
        Err(error) => fail(error),
    }
}

fn run_answers(args: AnswersArgs) -> ExitCode {
    let common = &args.common;
    let (header_row, columns) = match overrides(common, answers::ROLES) {
        Ok(found) => found,
        Err(message) => return super::usage_error(&message),
    };
    let options = AnswersOptions {
        input: common.file.clone(),
        content: common.content.clone(),
        sheet: common.sheet.clone(),
        out_folder: args.out_folder.clone(),
        header_row,
        columns,
    };
    match answers::import(&options) {
        Ok(report) => {
            match common.format {
                ImportFormat::Json => return super::print_json(&report),
                ImportFormat::Human => print_answers(&report, &common.content),
            }
            ExitCode::SUCCESS
        }
        Err(error) => fail(error),
    }
}

/// At most this many lines of one list; the rest are counted (`--format json` has them all).
const SHOWN: usize = 40;

fn list<T>(items: &[T], line: impl Fn(&T) -> String) {
    for item in items.iter().take(SHOWN) {
        println!("  {}", line(item));
    }
    if items.len() > SHOWN {
        println!("  … and {} more (`--format json` lists every one)", items.len() - SHOWN);
    }
}

fn print_soa(report: &SoaReport, content: &Path) {
    let sheet = report.sheet.as_ref().map(|s| format!(", sheet \"{s}\"")).unwrap_or_default();
    println!("read {}{sheet}: header on row {}", report.input, report.header_row);
    let columns: Vec<String> =
        report.columns.iter().map(|c| format!("{} {}", c.role.as_deref().unwrap_or("?"), c.column)).collect();
    println!("columns: {}", columns.join(", "));
    if !report.ignored_columns.is_empty() {
        let ignored: Vec<String> =
            report.ignored_columns.iter().map(|c| format!("{} \"{}\"", c.column, c.header)).collect();
        println!("columns not imported: {}", ignored.join(", "));
    }
    let decided =
        report.controls.values().filter(|e| e.applicable.and_then(|a| a.decided()).is_some()).count();
    println!(
        "{} control{} mapped ({decided} decided); {} row{} not mapped; {} catalog control{} missing from the sheet; {} value{} not understood",
        report.controls.len(),
        plural(report.controls.len()),
        report.unmapped.len(),
        plural(report.unmapped.len()),
        report.missing.len(),
        plural(report.missing.len()),
        report.not_understood.len(),
        plural(report.not_understood.len()),
    );
    if !report.unmapped.is_empty() {
        println!("\nrows not mapped (not imported):");
        list(&report.unmapped, |p| format!("{}: `{}`: {}", p.place, p.value, p.reason));
    }
    if !report.missing.is_empty() {
        println!("\ncontrols the sheet has no row for (written `applicable: undecided`):");
        println!("  {}", ids_line(&report.missing));
    }
    if !report.not_understood.is_empty() {
        println!("\nvalues not understood (left out; decide them in soa.yaml):");
        list(&report.not_understood, |p| {
            format!("{}: {} `{}`: {}", p.place, p.control.as_deref().unwrap_or(""), p.value, p.reason)
        });
    }
    if !report.notes.is_empty() {
        println!("\nread with care (check these):");
        list(&report.notes, String::clone);
    }
    if report.merged {
        println!(
            "\nmerged into {}: {} control{} changed, {} added",
            report.written.display(),
            report.changed.len(),
            plural(report.changed.len()),
            report.added.len()
        );
        for (what, ids) in [("changed", &report.changed), ("added", &report.added)] {
            if !ids.is_empty() {
                println!("  {what}: {}", ids_line(ids));
            }
        }
    } else {
        println!("\nwrote {}", report.written.display());
    }
    if !report.to_decide.is_empty() {
        println!("\nleft to decide ({}):", report.to_decide.len());
        // One line per kind of decision, in the order they first come.
        let mut kinds: Vec<(&str, Vec<String>)> = Vec::new();
        for left in &report.to_decide {
            if left.control == "soa.yaml" {
                continue;
            }
            match kinds.iter_mut().find(|(what, _)| *what == left.what) {
                Some((_, ids)) => ids.push(left.control.clone()),
                None => kinds.push((&left.what, vec![left.control.clone()])),
            }
        }
        for (what, ids) in kinds {
            println!("  {what}: {}", ids_line(&ids));
        }
        for left in report.to_decide.iter().filter(|t| t.control == "soa.yaml") {
            println!("  {}", left.what);
        }
    }
    println!("\nnext: review the file, then run `trustpress check --content {}`", content.display());
}

/// Up to 20 ids, then how many more.
fn ids_line(ids: &[String]) -> String {
    let shown = ids.iter().take(20).cloned().collect::<Vec<_>>().join(", ");
    match ids.len() {
        n if n > 20 => format!("{shown} … and {} more", n - 20),
        _ => shown,
    }
}

fn print_answers(report: &AnswersReport, content: &Path) {
    for layout in &report.sheets {
        let sheet = layout.sheet.as_ref().map(|s| format!(", sheet \"{s}\"")).unwrap_or_default();
        let mut columns: Vec<(&String, &String)> = layout.columns.iter().collect();
        columns.sort_by_key(|(_, c)| parse_column(c));
        let columns: Vec<String> = columns.iter().map(|(role, c)| format!("{role} {c}")).collect();
        println!("read {}{sheet}: header on row {}; {}", report.input, layout.header_row, columns.join(", "));
        if !layout.ignored_columns.is_empty() {
            println!("columns not imported: {}", layout.ignored_columns.join(", "));
        }
    }
    println!(
        "{} answer{} imported, all `audience: internal`; {} row{} skipped; {} value{} not understood",
        report.imported.len(),
        plural(report.imported.len()),
        report.skipped.len(),
        plural(report.skipped.len()),
        report.not_understood.len(),
        plural(report.not_understood.len())
    );
    if !report.skipped.is_empty() {
        println!("\nrows skipped:");
        list(&report.skipped, |p| format!("{}: {}", p.place, p.reason));
    }
    if !report.not_understood.is_empty() {
        println!("\nvalues not understood (left out):");
        list(&report.not_understood, |p| {
            format!("{}: {} `{}`: {}", p.place, p.field.as_deref().unwrap_or(""), p.value, p.reason)
        });
    }
    println!();
    for (file, ids) in &report.files {
        let first = ids.first().map(String::as_str).unwrap_or("");
        let last = ids.last().map(String::as_str).unwrap_or("");
        let range = if ids.len() > 1 { format!("{first} … {last}") } else { first.to_string() };
        println!(
            "wrote {} ({} answer{}: {range})",
            content.join(file).display(),
            ids.len(),
            plural(ids.len())
        );
    }
    if report.out_folder != Path::new("faq") {
        println!("note: the site reads answers from faq/ only; move the files there once reviewed");
    }
    println!(
        "\nnext: read every answer, set `audience: public` on those customers may see, then run `trustpress check --content {}`",
        content.display()
    );
}
