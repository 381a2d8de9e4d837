//! `trustpress answer`: fill in a customer's security questionnaire from the answer library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use trustpress::answer::fill::RowState;
use trustpress::answer::layout::Overrides;
use trustpress::answer::run::{answer, AnswerOptions, AnswerReport};
use trustpress::answer::Method;

use super::{answer_error, build_date, print_json, usage_error, SiteAudience};

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AnswerFormat {
    Human,
    Json,
}

#[derive(Args)]
pub struct AnswerArgs {
    /// The questionnaire: an Excel workbook (.xlsx, .xlsm) or a CSV file (UTF-8, with or
    /// without BOM; `,`, `;` or tab).
    questionnaire: PathBuf,
    /// The one sheet to answer [default: every sheet whose header row names a question
    /// column and a column to answer in; with column flags, the first such sheet].
    #[arg(long)]
    sheet: Option<String>,
    /// The ISMS content folder.
    #[arg(long, default_value = "content")]
    content: PathBuf,
    /// Whose answers to use: public ones only (what any customer can read on the trust
    /// center), or public and internal ones (answering under NDA). Auditor-level content is
    /// never used.
    #[arg(long, value_enum, default_value = "public")]
    audience: SiteAudience,
    /// The filled copy to write [default: NAME.filled.csv beside the questionnaire]; its
    /// record goes beside it as FILLED.answers.json. The questionnaire is never changed.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace --out (and its record) when they exist.
    #[arg(long)]
    force: bool,
    /// `human` (a summary) or `json` (every row's decision).
    #[arg(long, value_enum, default_value = "human")]
    format: AnswerFormat,
    /// The date recorded with the answers [default: SOURCE_DATE_EPOCH's day, else today's
    /// UTC date].
    #[arg(long)]
    today: Option<String>,
    /// The header row, counted from 1, when it is not found by itself.
    #[arg(long, value_name = "ROW")]
    header_row: Option<usize>,
    /// The question column: a letter (`B`) or a number counted from 1.
    #[arg(long, value_name = "COL")]
    question_col: Option<String>,
    /// The reference (question id) column.
    #[arg(long, value_name = "COL")]
    ref_col: Option<String>,
    /// The response (Yes/No/N/A) column.
    #[arg(long, value_name = "COL")]
    answer_col: Option<String>,
    /// The comment (explanation) column.
    #[arg(long, value_name = "COL")]
    comment_col: Option<String>,
    /// The evidence (link) column.
    #[arg(long, value_name = "COL")]
    evidence_col: Option<String>,
}

/// `B` → 1, `AA` → 26, `3` → 2: a column as a spreadsheet names it, counted from 0.
fn column(text: &str, flag: &str) -> Result<usize, String> {
    let text = text.trim();
    if let Ok(number) = text.parse::<usize>() {
        return number.checked_sub(1).ok_or_else(|| format!("{flag}: columns count from 1"));
    }
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_alphabetic()) || text.len() > 3 {
        return Err(format!("{flag}: expected a column letter (`B`) or number (`2`), not `{text}`"));
    }
    let number = text.to_ascii_uppercase().bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1);
    Ok(number - 1)
}

fn overrides(args: &AnswerArgs) -> Result<Overrides, String> {
    let col = |value: &Option<String>, flag: &str| value.as_deref().map(|v| column(v, flag)).transpose();
    Ok(Overrides {
        header_row: match args.header_row {
            Some(0) => return Err("--header-row: rows count from 1".to_string()),
            row => row.map(|r| r - 1),
        },
        question: col(&args.question_col, "--question-col")?,
        reference: col(&args.ref_col, "--ref-col")?,
        response: col(&args.answer_col, "--answer-col")?,
        comment: col(&args.comment_col, "--comment-col")?,
        evidence: col(&args.evidence_col, "--evidence-col")?,
    })
}

pub fn run(args: AnswerArgs) -> ExitCode {
    let today = match build_date(args.today.as_deref()) {
        Ok(today) => today,
        Err(message) => return usage_error(&message),
    };
    let overrides = match overrides(&args) {
        Ok(overrides) => overrides,
        Err(message) => return usage_error(&message),
    };
    let options = AnswerOptions {
        questionnaire: args.questionnaire.clone(),
        content: args.content.clone(),
        audience: args.audience.audience(),
        out: args.out.clone(),
        today,
        overrides,
        sheet: args.sheet.clone(),
        force: args.force,
    };
    let report = match answer(&options) {
        Ok(report) => report,
        Err(error) => return answer_error(&args.content, error),
    };
    match args.format {
        AnswerFormat::Json => print_json(&report.sheets),
        AnswerFormat::Human => {
            print_summary(&report);
            ExitCode::SUCCESS
        }
    }
}

fn print_summary(report: &AnswerReport) {
    let name = |column: Option<usize>| column.map_or("none".to_string(), letter);
    for sheet in &report.sheets {
        let layout = &sheet.layout;
        if let Some(name) = &sheet.sheet {
            println!("sheet: {name}");
        }
        println!(
            "layout: header on row {}; question {}, reference {}, response {}, comment {}, evidence {}",
            layout.header_row + 1,
            letter(layout.question),
            name(layout.reference),
            name(layout.response),
            name(layout.comment),
            name(layout.evidence)
        );
        if let Some(note) = &sheet.note {
            println!("note: {note}");
        }
        let count = |state| sheet.rows.iter().filter(|r| r.state == state).count();
        let by = |method| {
            sheet.rows.iter().filter(|r| r.state == RowState::Answered && r.decision.method == method).count()
        };
        print_counts(
            count(RowState::Answered),
            by(Method::Reference),
            by(Method::Text),
            count(RowState::NeedsPerson),
            count(RowState::AlreadyFilled),
        );
        for row in sheet.rows.iter().filter(|r| r.state == RowState::NeedsPerson) {
            let best = match &row.decision.best {
                Some((id, confidence)) => format!("closest: {id} ({:.0}%)", confidence * 100.0),
                None => "no candidate".to_string(),
            };
            println!("  row {}: {} — {best}", row.row + 1, row.question);
        }
        for (row, column, why) in &sheet.skipped {
            println!("  not written: {}{} {why}", letter(*column), row + 1);
        }
    }
    if report.sheets.len() > 1 {
        print!("all {} sheets: ", report.sheets.len());
        print_counts(
            report.count(RowState::Answered),
            report.answered_by(Method::Reference),
            report.answered_by(Method::Text),
            report.count(RowState::NeedsPerson),
            report.count(RowState::AlreadyFilled),
        );
    }
    println!("wrote {} and {}", report.out.display(), report.record.display());
}

fn print_counts(answered: usize, by_reference: usize, by_text: usize, needs: usize, filled: usize) {
    println!(
        "{answered} answered ({by_reference} by reference, {by_text} by text match), {needs} need{} a person, {filled} already filled (left as they were)",
        if needs == 1 { "s" } else { "" }
    );
}

use trustpress::answer::xlsx::column_letter as letter;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_read_as_spreadsheets_name_them() {
        assert_eq!(column("B", "--x"), Ok(1));
        assert_eq!(column("aa", "--x"), Ok(26));
        assert_eq!(column("3", "--x"), Ok(2));
        assert!(column("0", "--x").is_err() && column("B2", "--x").is_err());
        assert_eq!((letter(0), letter(25), letter(26)), ("A".to_string(), "Z".to_string(), "AA".to_string()));
    }
}
