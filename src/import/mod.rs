//! `trustpress import`: content files made from the spreadsheets an ISMS usually starts in.
//! `soa/` turns a Statement of Applicability kept as a spreadsheet into `soa.yaml` (new, or
//! merged into the existing file by `merge.rs`, which edits it as text so its comments and
//! order stay); `answers/` turns an answer library exported from a questionnaire tool into
//! `faq/imported-*.yaml`, every answer internal.
//!
//! The sheets are read by the answer module's readers (`answer::xlsx::Workbook`,
//! `answer::csv_file::CsvFile`); `sheet.rs` adds what an import needs on top (size limits,
//! merged cells spread over their area, places for messages). `columns.rs` finds a header
//! row and its columns by their header words, as `answer::layout` does for questionnaires.
//! `control_id.rs` reads the many ways a control id is written. `yaml_text.rs` writes YAML
//! scalars that read back as written; every file is parsed again with the loader's parser
//! before it is written, and refused when it does not read back the same.
//!
//! Nothing is printed here: the command reports what these return. Nothing existing is
//! replaced except by `--merge`; files are written whole (a temporary file, then a rename).

pub mod answers;
pub mod columns;
pub mod control_id;
pub mod merge;
pub mod sheet;
pub mod soa;
pub mod values;
pub mod yaml_text;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// Where a value is in the spreadsheet: file, sheet (in a workbook), row and column as the
/// spreadsheet numbers them (row from 1, column as letters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Place {
    pub file: String,
    pub sheet: Option<String>,
    /// From 1, as the spreadsheet shows it.
    pub row: Option<usize>,
    /// As the spreadsheet shows it: `C`.
    pub column: Option<String>,
}

impl Place {
    pub fn file(file: &str, sheet: Option<&str>) -> Place {
        Place { file: file.to_string(), sheet: sheet.map(str::to_string), row: None, column: None }
    }

    /// `row` and `column` from 0.
    pub fn cell(&self, row: usize, column: Option<usize>) -> Place {
        Place { row: Some(row + 1), column: column.map(column_letter), ..self.clone() }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet \"{sheet}\"")?;
        }
        if let Some(row) = self.row {
            write!(f, ", row {row}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        Ok(())
    }
}

pub use crate::answer::xlsx::column_letter;

/// `B` → 1, `aa` → 26, `3` → 2: a column as a spreadsheet names it (letters, or a number
/// from 1), counted from 0.
pub fn parse_column(text: &str) -> Option<usize> {
    let text = text.trim();
    if let Ok(number) = text.parse::<usize>() {
        return number.checked_sub(1);
    }
    if text.is_empty() || text.len() > 3 || !text.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let number = text.to_ascii_uppercase().bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1);
    Some(number - 1)
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The arguments cannot be used, or a file would be replaced (exit code 2).
    #[error("{0}")]
    Usage(String),
    /// The spreadsheet cannot be read or imported (exit code 1).
    #[error("{0}")]
    Input(String),
    /// The existing content cannot be merged into or read safely (exit code 1).
    #[error("{0}")]
    Content(String),
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`: a reader
/// never sees half a file. With `replace` false, an existing `path` is never replaced, even
/// one that appears between the check and the rename.
pub fn write_whole(path: &Path, bytes: &[u8], replace: bool) -> Result<(), ImportError> {
    let error = |source| ImportError::Write { path: path.to_path_buf(), source };
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(folder).map_err(error)?;
    let mut temporary = tempfile::NamedTempFile::new_in(folder).map_err(error)?;
    std::io::Write::write_all(&mut temporary, bytes).map_err(error)?;
    // Content files are read by the team and the build: the permissions of a file written
    // the ordinary way, not the owner-only ones of a temporary file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = match std::fs::metadata(path) {
            Ok(existing) => existing.permissions().mode(),
            Err(_) => 0o644,
        };
        temporary.as_file().set_permissions(std::fs::Permissions::from_mode(mode)).map_err(error)?;
    }
    if replace {
        temporary.persist(path).map_err(|e| error(e.error))?;
    } else {
        temporary.persist_noclobber(path).map_err(|e| error(e.error))?;
    }
    Ok(())
}

/// The file name of `path`, for messages and reports.
pub fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_read_as_a_person_would_say_them() {
        let place = Place::file("soa.xlsx", Some("SoA")).cell(13, Some(2));
        assert_eq!(place.to_string(), "soa.xlsx, sheet \"SoA\", row 14, column C");
        assert_eq!(Place::file("soa.csv", None).cell(0, None).to_string(), "soa.csv, row 1");
        assert_eq!((column_letter(25), column_letter(26)), ("Z".to_string(), "AA".to_string()));
        assert_eq!((parse_column("c"), parse_column("27"), parse_column("0")), (Some(2), Some(26), None));
        assert_eq!(parse_column("B2"), None);
    }
}
