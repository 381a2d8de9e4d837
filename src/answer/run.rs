//! `trustpress answer` as a library call: load and cut the content, read the questionnaire,
//! find its layout, decide every row, and write the filled copy and its record. Nothing is
//! printed here; the command reports what this returns.

use std::path::{Path, PathBuf};

use crate::hex::sha256;
use serde::Serialize;

use super::csv_file::CsvFile;
use super::fill::{plan, RowPlan, RowState, Unwritable, Vocabulary};
use super::layout::{detect, Layout, Overrides};
use super::matcher::{Matcher, Method};
use super::text::Reader;
use super::xlsx::Workbook;

/// The questionnaire as read, to be written back in its own form.
enum Form {
    Csv(CsvFile),
    Workbook(Workbook),
}
use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::Diagnostic;

pub struct AnswerOptions {
    pub questionnaire: PathBuf,
    pub content: PathBuf,
    pub audience: Audience,
    /// The filled copy [default: beside the questionnaire, `NAME.filled.EXT`].
    pub out: Option<PathBuf>,
    pub today: Date,
    pub overrides: Overrides,
    /// The sheet of a workbook to answer [default: the first with a question column].
    pub sheet: Option<String>,
    /// Replace `out` when it exists (never the questionnaire itself).
    pub force: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("the content has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    /// The arguments or the files named cannot be used (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The questionnaire cannot be read or answered (exit code 1).
    #[error("{0}")]
    Questionnaire(String),
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// What `answer` did.
#[derive(Debug, Serialize)]
pub struct AnswerReport {
    pub questionnaire: PathBuf,
    pub out: PathBuf,
    pub record: PathBuf,
    /// Each sheet answered, in workbook order (a CSV file is one sheet without a name).
    pub sheets: Vec<SheetAnswer>,
}

/// One sheet answered: its layout, every row's decision, and the cells not written.
#[derive(Debug, Serialize)]
pub struct SheetAnswer {
    /// Its name, in a workbook.
    pub sheet: Option<String>,
    pub layout: Layout,
    pub rows: Vec<RowPlan>,
    /// Cells an answer was not written into: (row, column, why), from 0.
    pub skipped: Vec<super::xlsx::Skipped>,
    /// Something the team should know about how this sheet was answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl AnswerReport {
    pub fn count(&self, state: RowState) -> usize {
        self.rows().filter(|r| r.state == state).count()
    }

    pub fn answered_by(&self, method: Method) -> usize {
        self.rows().filter(|r| r.state == RowState::Answered && r.decision.method == method).count()
    }

    fn rows(&self) -> impl Iterator<Item = &RowPlan> {
        self.sheets.iter().flat_map(|sheet| &sheet.rows)
    }
}

/// The record kept beside the filled copy: what was answered from which answer, so the team
/// can show later exactly what it told whom.
#[derive(Serialize)]
struct Record<'a> {
    questionnaire: String,
    questionnaire_sha256: String,
    filled: String,
    filled_sha256: String,
    date: Date,
    audience: Audience,
    content_commit: Option<String>,
    rows: Vec<RecordRow<'a>>,
}

#[derive(Serialize)]
struct RecordRow<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    sheet: Option<&'a str>,
    row: usize,
    question: &'a str,
    method: Method,
    confidence: f64,
    answers: Vec<RecordAnswer<'a>>,
}

#[derive(Serialize)]
struct RecordAnswer<'a> {
    id: &'a str,
    /// SHA-256 of the answer's text as written into the file.
    sha256: String,
}

pub fn answer(options: &AnswerOptions) -> Result<AnswerReport, AnswerError> {
    let input = &options.questionnaire;
    let extension = input.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    match extension.as_str() {
        "csv" | "xlsx" | "xlsm" => {}
        "xls" => {
            return Err(AnswerError::Questionnaire(format!(
                "`{}` is a legacy Excel file (.xls): open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8",
                input.display()
            )))
        }
        _ => {
            return Err(AnswerError::Usage(format!(
                "`{}` is not a questionnaire trustpress reads: expected .xlsx, .xlsm or .csv",
                input.display()
            )))
        }
    }
    let out = options.out.clone().unwrap_or_else(|| filled_name(input));
    let record_path = PathBuf::from(format!("{}.answers.json", out.display()));
    refuse_overwrite(Some(input), &out, options.force)?;
    refuse_overwrite(Some(input), &record_path, options.force)?;
    refuse_inside_content(&options.content, &out)?;

    let bytes = read_input(input)?;
    let questionnaire =
        |e: &dyn std::fmt::Display| AnswerError::Questionnaire(format!("`{}`: {e}", input.display()));
    let mut form = if extension == "csv" {
        Form::Csv(CsvFile::parse(&bytes).map_err(|e| questionnaire(&e))?)
    } else {
        Form::Workbook(Workbook::open(bytes.clone()).map_err(|e| questionnaire(&e))?)
    };

    let (loaded, isms, audience) = load_for_customer(&options.content, options.audience)?;
    let rules = super::built_in_rules().map_err(AnswerError::Questionnaire)?;
    let reader = Reader::new(rules);
    let matcher = Matcher::new(&reader, super::library(&isms, &isms.site.base_url));

    let within = reader.rules().header_within_rows;
    let columns = &reader.rules().columns;
    // A workbook: the sheet named, else every sheet whose header row names a question column
    // and a column to answer in. Column flags name one sheet's columns: with them and no
    // --sheet, only the first sheet with a layout is answered.
    let mut found: Vec<(Option<String>, Vec<Vec<String>>, Layout)> = Vec::new();
    match &form {
        Form::Csv(file) => {
            let rows = file.rows();
            if let Some(layout) = detect(&rows, columns, within, options.overrides) {
                found.push((None, rows, layout));
            }
        }
        Form::Workbook(workbook) => {
            let names: Vec<String> = match &options.sheet {
                Some(name) => {
                    workbook.sheet_path(name).map_err(|e| questionnaire(&e))?;
                    vec![name.clone()]
                }
                None => workbook.sheets.iter().map(|(name, _)| name.clone()).collect(),
            };
            let first_only = options.sheet.is_none() && options.overrides != Overrides::default();
            for name in &names {
                let rows = workbook.rows(name).map_err(|e| questionnaire(&e))?;
                if let Some(layout) = detect(&rows, columns, within, options.overrides) {
                    found.push((Some(name.clone()), rows, layout));
                    if first_only {
                        break;
                    }
                }
            }
        }
    }
    let Some((_, _, first)) = found.first() else {
        return Err(AnswerError::Questionnaire(format!(
            "`{}`: no header row with a question column in its first {within} rows; name the columns with --header-row and --question-col (and --answer-col, --comment-col, --evidence-col, --ref-col)",
            input.display()
        )));
    };
    let answerable =
        |layout: &Layout| layout.response.is_some() || layout.comment.is_some() || layout.evidence.is_some();
    if !found.iter().any(|(_, _, layout)| answerable(layout)) {
        return Err(AnswerError::Questionnaire(format!(
            "`{}`: the header row (row {}) has a question column but no column to answer in; name one with --answer-col or --comment-col",
            input.display(),
            first.header_row + 1
        )));
    }
    found.retain(|(_, _, layout)| answerable(layout));

    let mut sheets = Vec::new();
    for (sheet, rows, layout) in found {
        // The sheet's own words for yes, no and n/a: its dropdown's list, else its values.
        let dropdown = match (&form, &sheet, layout.response) {
            (Form::Workbook(workbook), Some(name), Some(column)) => {
                workbook.dropdown(name, column).map_err(|e| questionnaire(&e))?
            }
            _ => Vec::new(),
        };
        let vocabulary = Vocabulary::of_sheet(&rows, &layout, &dropdown);
        // A CAIQ of the other version: its ids name other questions than the answers' ids.
        let caiq = crate::caiq::ids::VersionTell::of(isms.site.caiq_version);
        let note = (!super::fill::by_reference(&rows, &layout, &caiq)).then(|| {
            format!("its question ids are CAIQ v{} ids and the answers' are v{} (site.yaml `caiq_version`): v4.1 renumbered controls, so rows were matched by their words, not their ids", caiq.other, caiq.version)
        });
        // What the values do not show: formulas (a formula never computed reads as empty) and
        // merged or array formula areas.
        let unwritable = match (&form, &sheet) {
            (Form::Workbook(workbook), Some(name)) => Unwritable {
                formulas: workbook
                    .formulas(name)
                    .map_err(|e| questionnaire(&e))?
                    .into_iter()
                    .map(|(place, _)| place)
                    .collect(),
                covered: workbook.covered_areas(name).map_err(|e| questionnaire(&e))?,
            },
            _ => Unwritable::default(),
        };
        let rows = plan(&rows, &layout, &matcher, &vocabulary, note.is_none(), &unwritable);
        sheets.push(SheetAnswer { sheet, layout, rows, skipped: Vec::new(), note });
    }
    let filled = match &mut form {
        Form::Csv(file) => {
            for row in sheets.iter().flat_map(|sheet| &sheet.rows) {
                for (column, value) in &row.writes {
                    file.set(row.row, *column, value);
                }
            }
            file.to_bytes()
        }
        Form::Workbook(workbook) => {
            let writes = sheets
                .iter()
                .map(|sheet| {
                    let cells = sheet
                        .rows
                        .iter()
                        .flat_map(|row| {
                            row.writes.iter().map(move |(column, value)| ((row.row, *column), value.clone()))
                        })
                        .collect();
                    (sheet.sheet.clone().unwrap_or_default(), cells)
                })
                .collect();
            let (bytes, mut skipped) = workbook.fill(&writes).map_err(|e| questionnaire(&e))?;
            for sheet in &mut sheets {
                // The cells that left a row for a person, and any `fill` left (none, when the
                // plan saw every formula and area).
                let planned =
                    sheet.rows.iter().filter_map(|row| row.unwritten.map(|(c, why)| (row.row, c, why)));
                let mut cells: Vec<_> = planned
                    .chain(skipped.remove(sheet.sheet.as_deref().unwrap_or_default()).unwrap_or_default())
                    .collect();
                cells.sort();
                sheet.skipped = cells;
            }
            bytes
        }
    };
    let git = crate::bundle::provenance::GitState::of(&options.content);
    let record = Record {
        questionnaire: display_name(input),
        questionnaire_sha256: sha256(&bytes),
        filled: display_name(&out),
        filled_sha256: sha256(&filled),
        date: options.today,
        audience,
        content_commit: git.commit.clone(),
        rows: sheets
            .iter()
            .flat_map(|sheet| sheet.rows.iter().map(move |row| (sheet.sheet.as_deref(), row)))
            .filter(|(_, row)| row.state == RowState::Answered)
            .map(|(sheet, row)| RecordRow {
                sheet,
                row: row.row + 1,
                question: &row.question,
                method: row.decision.method,
                confidence: row.decision.confidence,
                answers: row
                    .decision
                    .answers
                    .iter()
                    .filter_map(|id| matcher.entries().iter().find(|e| e.id == *id))
                    .map(|entry| RecordAnswer { id: &entry.id, sha256: sha256(entry.text.as_bytes()) })
                    .collect(),
            })
            .collect(),
    };
    let json = serde_json::to_vec_pretty(&record).map_err(|e| AnswerError::Questionnaire(e.to_string()))?;
    write_through_gate(&loaded, audience, &[(&out, &filled), (&record_path, &json)], Some(input))?;
    Ok(AnswerReport { questionnaire: input.clone(), out, record: record_path, sheets })
}

/// The content loaded (errors stop here) and cut for a customer at `audience`: auditor-level
/// content is never used, and, as a build does, no text the cut let through may still hold an
/// audience fence. Also the audience used.
pub(crate) fn load_for_customer(
    content: &Path,
    audience: Audience,
) -> Result<(crate::load::Loaded, crate::model::Isms, Audience), AnswerError> {
    let loaded = crate::load::load(content).map_err(|d| AnswerError::Content(d.into_sorted()))?;
    if loaded.diagnostics.has_errors() {
        return Err(AnswerError::Content(loaded.diagnostics.clone().into_sorted()));
    }
    let audience = audience.min(Audience::Internal);
    let isms = crate::cut::cut(&loaded.isms, audience);
    let leftovers = crate::tripwire::check(&isms);
    if !leftovers.is_empty() {
        return Err(AnswerError::Content(leftovers));
    }
    Ok((loaded, isms, audience))
}

/// Writes each `(path, bytes)`, whole, with the permissions of `like` (else a new file's), after every one has
/// passed the build's gate: nothing above `audience`, and no file with the bytes of a content
/// file this audience may not see. One refused file writes none.
pub(crate) fn write_through_gate(
    loaded: &crate::load::Loaded,
    audience: Audience,
    files: &[(&Path, &[u8])],
    like: Option<&Path>,
) -> Result<(), AnswerError> {
    let mut gate = crate::output::Gate::new(audience);
    gate.withhold(crate::withheld::Withheld::of(&loaded.isms, &loaded.root, audience));
    for (path, bytes) in files {
        let file =
            crate::output::OutputFile::new(display_name(path).replace('\\', "_"), bytes.to_vec(), audience);
        gate.admit(&file).map_err(|e| AnswerError::Questionnaire(e.to_string()))?;
    }
    for (path, bytes) in files {
        write_whole(path, bytes, like)?;
    }
    Ok(())
}

/// A filled copy or an export is never written inside the content folder: it would become
/// part of the ISMS the next build reads, or replace a file of it (as `build` refuses an
/// output folder there).
pub(crate) fn refuse_inside_content(content: &Path, out: &Path) -> Result<(), AnswerError> {
    let Ok(canonical) = std::fs::canonicalize(content) else { return Ok(()) };
    let folder = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(folder) = std::fs::canonicalize(folder) else { return Ok(()) };
    if folder.starts_with(&canonical) {
        return Err(AnswerError::Usage(format!(
            "refusing to write `{}` inside the content folder `{}`, whose files only people change: write it beside the content (--out)",
            out.display(),
            content.display()
        )));
    }
    Ok(())
}

/// The questionnaire's bytes ([`super::input::read_spreadsheet`]): one that cannot be read is
/// a usage error, one too large or not a file a questionnaire error.
pub(crate) fn read_input(input: &Path) -> Result<Vec<u8>, AnswerError> {
    use super::input::{read_spreadsheet, InputError};
    read_spreadsheet(input).map_err(|error| match error {
        InputError::Read { .. } => AnswerError::Usage(error.to_string()),
        error => AnswerError::Questionnaire(error.to_string()),
    })
}

/// `questions.csv` → `questions.filled.csv`, beside it.
pub(crate) fn filled_name(input: &Path) -> PathBuf {
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or("questionnaire");
    let extension = input.extension().and_then(|e| e.to_str()).unwrap_or("csv");
    input.with_file_name(format!("{stem}.filled.{extension}"))
}

pub(crate) fn refuse_overwrite(input: Option<&Path>, out: &Path, force: bool) -> Result<(), AnswerError> {
    let same = match (input.map(std::fs::canonicalize), std::fs::canonicalize(out)) {
        (Some(Ok(a)), Ok(b)) => a == b,
        _ => false,
    };
    if same {
        return Err(AnswerError::Usage(format!(
            "--out `{}` is the input file itself: trustpress writes a filled copy and never changes the input",
            out.display()
        )));
    }
    if !force && std::fs::symlink_metadata(out).is_ok() {
        return Err(AnswerError::Usage(format!(
            "`{}` already exists: choose another --out, or add --force to replace it",
            out.display()
        )));
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a reader
/// never sees half a file. It gets the permissions of `like` (the questionnaire it is a copy
/// of), not the owner-only ones of a temporary file, so whoever could read the questionnaire
/// can read its filled copy; without `like`, those a new file gets.
fn write_whole(path: &Path, bytes: &[u8], like: Option<&Path>) -> Result<(), AnswerError> {
    let error = |source| AnswerError::Write { path: path.to_path_buf(), source };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(error)?;
    std::io::Write::write_all(&mut temporary, bytes).map_err(error)?;
    let permissions = match like {
        Some(like) => std::fs::metadata(like).map_err(error)?.permissions(),
        None => new_file_permissions(folder).map_err(error)?,
    };
    temporary.as_file().set_permissions(permissions).map_err(error)?;
    temporary.persist(path).map_err(|e| error(e.error))?;
    Ok(())
}

/// The permissions a new file in `folder` gets (the process's umask applied), found by making
/// one.
fn new_file_permissions(folder: &Path) -> std::io::Result<std::fs::Permissions> {
    let probe = tempfile::Builder::new()
        .prefix(".trustpress-probe-")
        .make_in(folder, |path| std::fs::OpenOptions::new().write(true).create_new(true).open(path))?;
    probe.as_file().metadata().map(|m| m.permissions())
}

fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}
