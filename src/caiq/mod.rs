//! CSA's CAIQ v4 (Consensus Assessments Initiative Questionnaire) from the answer library, for
//! a STAR Level 1 self-assessment: each question an answer names in its `caiq` ids gets the
//! answer's `response` (CSP CAIQ Answer), `ssrm` (SSRM Control Ownership), text (CSP
//! Implementation Description) and `csc_responsibilities`. Nothing is matched by words.
//!
//! Two ways out: a new workbook or CSV in CSA's column layout with every question id of the
//! version (`workbook`), or the team's own copy of CSA's workbook filled in place
//! (`template`). Either is cut to one audience (public by default: STAR publishes it) and
//! passes the build's gate before it is written.

pub mod ids;
pub mod rows;
pub mod template;
pub mod workbook;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::answer::run::{
    load_for_customer, refuse_inside_content, refuse_overwrite, write_through_gate, AnswerError,
};
use crate::answer::xlsx::Workbook;
use crate::audience::Audience;
use crate::date::Date;
pub use ids::Version;
use rows::Rows;
use template::State;

pub struct ExportOptions {
    pub content: PathBuf,
    pub audience: Audience,
    /// The version whose question ids a new CAIQ lists [default: the newest]; with a
    /// template, the version the template is expected to be.
    pub version: Option<Version>,
    /// The team's own copy of CSA's CAIQ workbook, to be filled.
    pub template: Option<PathBuf>,
    /// The sheet of the template [default: the first with CSA's header row].
    pub sheet: Option<String>,
    /// The file to write [default: CSA's sheet name, `CAIQv4.1.0.xlsx`; with a template, `NAME.filled.xlsx`
    /// beside it]. A `.csv` name writes CSV.
    pub out: Option<PathBuf>,
    pub force: bool,
    pub today: Date,
}

/// What the export did.
#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub out: PathBuf,
    pub audience: Audience,
    /// The version of the questions: the one asked for, or the one the template's ids belong to.
    pub version: Option<Version>,
    /// The template's sheet, when a template was filled.
    pub sheet: Option<String>,
    pub rows: Rows,
    /// With a template: each question's state, in sheet order.
    pub states: Vec<(String, State)>,
    /// Template ids no known CAIQ version has (a template of another version, or edited).
    pub template_ids_unknown: Vec<String>,
    /// Cells not written: (row, column, why), from 0.
    pub not_written: Vec<crate::answer::xlsx::Skipped>,
}

impl ExportReport {
    /// The CAIQ's questions: one row each (a question on two rows of a template is two).
    pub fn questions(&self) -> usize {
        self.rows.rows.len()
    }

    /// Questions written (with a template, those whose cells were empty).
    pub fn answered(&self) -> usize {
        if self.sheet.is_some() {
            self.states.iter().filter(|(_, s)| *s == State::Answered).count()
        } else {
            self.rows.answered()
        }
    }

    pub fn already_filled(&self) -> usize {
        self.states.iter().filter(|(_, s)| *s == State::AlreadyFilled).count()
    }

    /// With a template: questions left whole because a cell of theirs cannot be written.
    pub fn not_writable(&self) -> usize {
        self.states.iter().filter(|(_, s)| *s == State::NotWritten).count()
    }
}

pub fn export(options: &ExportOptions) -> Result<ExportReport, AnswerError> {
    match &options.template {
        Some(template) => fill_template(options, template),
        None => new_caiq(options),
    }
}

fn is_csv(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("csv"))
}

/// The version a CAIQ is made in: the content's (`caiq_version`), since the answers' ids
/// are written in it. Asking for another is refused: v4.1 renumbered controls, so an id can
/// name another question in each version, and no verified crosswalk maps one to the other.
fn same_version(content: Version, wanted: Version, what: &str) -> Result<Version, AnswerError> {
    if content == wanted {
        return Ok(content);
    }
    Err(AnswerError::Usage(format!(
        "{what} is CAIQ v{wanted}, but the answers' caiq ids are CAIQ v{content} ids (site.yaml `caiq_version`, {}): v4.1 renumbered controls in several domains, so the same id can be another question; move the answers' ids to v{wanted} and set `caiq_version: \"{wanted}\"`",
        if content == Version::default() { "by default" } else { "as set" }
    )))
}

fn new_caiq(options: &ExportOptions) -> Result<ExportReport, AnswerError> {
    if options.sheet.is_some() {
        return Err(AnswerError::Usage("--sheet names a sheet of --template; there is no template".into()));
    }
    if let Some(out) = &options.out {
        if !matches!(
            out.extension().and_then(|e| e.to_str()).map(str::to_lowercase).as_deref(),
            Some("xlsx" | "csv")
        ) {
            return Err(AnswerError::Usage(format!(
                "--out `{}`: a CAIQ is written as .xlsx or .csv",
                out.display()
            )));
        }
    }
    let (loaded, isms, audience) = load_for_customer(&options.content, options.audience)?;
    let content_version = isms.site.caiq_version;
    let version = match options.version {
        Some(wanted) => same_version(content_version, wanted, "--version")?,
        None => content_version,
    };
    let questions = ids::questions(version);
    let out = options.out.clone().unwrap_or_else(|| PathBuf::from(format!("{}.xlsx", questions.sheet)));
    refuse_overwrite(None, &out, options.force)?;
    refuse_inside_content(&options.content, &out)?;
    let rows = rows::rows(&isms, &questions.ids, version);
    let (bytes, not_written) = if is_csv(&out) {
        (workbook::csv(&rows), Vec::new())
    } else {
        workbook::xlsx(&rows, questions, &isms.site.organization.name, options.today)
            .map_err(AnswerError::Questionnaire)?
    };
    write_through_gate(&loaded, audience, &[(&out, &bytes)], None)?;
    Ok(ExportReport {
        out,
        audience,
        version: Some(version),
        sheet: None,
        rows,
        states: Vec::new(),
        template_ids_unknown: Vec::new(),
        not_written,
    })
}

fn fill_template(options: &ExportOptions, input: &Path) -> Result<ExportReport, AnswerError> {
    let extension = input.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    if !matches!(extension.as_str(), "xlsx" | "xlsm") {
        return Err(AnswerError::Usage(format!(
            "--template `{}`: expected CSA's CAIQ workbook (.xlsx)",
            input.display()
        )));
    }
    let out = options.out.clone().unwrap_or_else(|| crate::answer::run::filled_name(input));
    if out.extension().and_then(|e| e.to_str()).map(str::to_lowercase) != Some(extension.clone()) {
        return Err(AnswerError::Usage(format!(
            "--out `{}`: a filled template keeps the template's form (.{extension})",
            out.display()
        )));
    }
    refuse_overwrite(Some(input), &out, options.force)?;
    refuse_inside_content(&options.content, &out)?;
    let bytes = crate::answer::run::read_input(input)?;
    let broken =
        |e: &dyn std::fmt::Display| AnswerError::Questionnaire(format!("`{}`: {e}", input.display()));
    let workbook = Workbook::open(bytes).map_err(|e| broken(&e))?;
    let names: Vec<String> = match &options.sheet {
        Some(name) => {
            workbook.sheet_path(name).map_err(|e| broken(&e))?;
            vec![name.clone()]
        }
        None => workbook.sheets.iter().map(|(name, _)| name.clone()).collect(),
    };
    let mut found = None;
    for name in names {
        let rows = workbook.rows(&name).map_err(|e| broken(&e))?;
        if let Some(columns) = template::columns(&rows) {
            found = Some((name, rows, columns));
            break;
        }
    }
    let Some((sheet, sheet_rows, columns)) = found else {
        return Err(AnswerError::Questionnaire(format!(
            "`{}`: no sheet has CSA's CAIQ header row (a `Question ID` column and a `CSP CAIQ Answer` or `CSP Implementation Description` column) in its first rows",
            input.display()
        )));
    };
    let placed = template::question_ids(&sheet_rows, &columns);
    if placed.is_empty() {
        return Err(AnswerError::Questionnaire(format!(
            "`{}`, sheet `{sheet}`: no CAIQ question ids (such as `A&A-01.1`) under the header in column {}",
            input.display(),
            crate::answer::xlsx::column_letter(columns.id)
        )));
    }
    let template_ids: Vec<String> = placed.iter().map(|(_, id)| id.clone()).collect();
    let template_ids_unknown: Vec<String> =
        template_ids.iter().filter(|id| ids::versions_of(id).is_empty()).cloned().collect();
    let (loaded, isms, audience) = load_for_customer(&options.content, options.audience)?;
    let content_version = isms.site.caiq_version;
    if let Some(wanted) = options.version {
        same_version(content_version, wanted, "--version")?;
    }
    // What the template says it is counts, not only its ids: a v4.1 questionnaire trimmed to
    // ids both versions share still asks v4.1's questions.
    for labelled in template::labelled_versions(&sheet, &sheet_rows, columns.header_row) {
        same_version(
            content_version,
            labelled,
            &format!("`{}` (sheet `{sheet}` says v{labelled})", input.display()),
        )?;
    }
    // The template's version: the content's when every id it knows is one of the content's
    // version, else the other version that has them all.
    let all_unknown = template_ids_unknown.len() == template_ids.len();
    let version = match ids::version_of(template_ids.iter().map(String::as_str), content_version) {
        Some(found) => Some(same_version(content_version, found, &format!("`{}`", input.display()))?),
        None if all_unknown => None,
        None => {
            return Err(AnswerError::Questionnaire(format!(
                "`{}`: its question ids are not all of one CAIQ version (v4.0.3 or v4.1), so which question an id names is not clear",
                input.display()
            )))
        }
    };
    let rows = rows::rows(&isms, &template_ids, content_version);
    let answers: Vec<(usize, &rows::Row)> =
        placed.iter().map(|(index, _)| *index).zip(rows.rows.iter()).collect();
    let (writes, states, mut not_written) =
        template::plan(&workbook, &sheet, &sheet_rows, &columns, &answers).map_err(|e| broken(&e))?;
    let (filled, mut skipped) =
        workbook.fill(&[(sheet.clone(), writes)].into_iter().collect()).map_err(|e| broken(&e))?;
    write_through_gate(&loaded, audience, &[(&out, &filled)], Some(input))?;
    Ok(ExportReport {
        out,
        audience,
        version,
        rows,
        states,
        template_ids_unknown,
        not_written: {
            not_written.extend(skipped.remove(&sheet).unwrap_or_default());
            not_written.sort_unstable();
            not_written
        },
        sheet: Some(sheet),
    })
}
