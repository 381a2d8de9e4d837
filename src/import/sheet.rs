//! A spreadsheet read for import: every sheet's cells as text, by the answer module's readers,
//! with the limits an import keeps and merged areas spread over their cells.

use std::path::Path;

use super::{display_name, ImportError};
use crate::answer::csv_file::CsvFile;
use crate::answer::xlsx::{Workbook, XlsxError};

/// A larger file is not an SoA or an answer library; refused before it is read
/// (the questionnaire page's limit).
pub use crate::answer::input::MAX_FILE_BYTES;

/// More rows than this in one sheet is refused (the questionnaire page's limit for a whole
/// workbook).
pub const MAX_ROWS: usize = 100_000;

/// One sheet (or a CSV file) as text: `rows[row][column]`, from 0.
#[derive(Debug, Clone)]
pub struct Table {
    /// The sheet's name, in a workbook.
    pub sheet: Option<String>,
    pub rows: Vec<Vec<String>>,
    /// Cells (row, column) holding a formula never computed: read as empty, but not empty.
    pub uncomputed: std::collections::BTreeSet<(usize, usize)>,
}

impl Table {
    /// The cell's text, trimmed; empty outside the table.
    pub fn cell(&self, row: usize, column: usize) -> &str {
        self.rows.get(row).and_then(|r| r.get(column)).map_or("", |c| c.trim())
    }

    /// Whether the cell holds a formula no spreadsheet program ever computed.
    pub fn uncomputed(&self, row: usize, column: usize) -> bool {
        self.uncomputed.contains(&(row, column))
    }

    pub fn width(&self) -> usize {
        self.rows.iter().map(Vec::len).max().unwrap_or(0)
    }
}

/// What to say of a formula never computed.
pub const UNCOMPUTED: &str = "holds a formula that was never computed (the file was written by a program, not saved by a spreadsheet): open it in Excel or LibreOffice, save it, and import again";

/// The spreadsheet at `path`: its sheets in workbook order (a CSV file is one sheet without
/// a name), or only the one named `sheet`.
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Vec<Table>, ImportError> {
    let name = display_name(path);
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_lowercase();
    match extension.as_str() {
        "csv" | "xlsx" | "xlsm" => {}
        "xls" => {
            return Err(ImportError::Input(format!(
                "{name}: a legacy Excel file (.xls): open it in Excel or LibreOffice and save it as .xlsx or CSV UTF-8"
            )))
        }
        _ => {
            return Err(ImportError::Usage(format!(
                "{name}: expected a spreadsheet: .xlsx, .xlsm or .csv (UTF-8)"
            )))
        }
    }
    let bytes = crate::answer::input::read_spreadsheet(path).map_err(|error| match error {
        crate::answer::input::InputError::TooLarge { bytes, .. } => ImportError::Input(format!(
            "{name}: the file holds {bytes} bytes, more than a spreadsheet to import can ({} MiB): refused",
            MAX_FILE_BYTES / 1024 / 1024
        )),
        error => ImportError::Usage(error.to_string()),
    })?;
    let tables = if extension == "csv" {
        if sheet.is_some() {
            return Err(ImportError::Usage(format!(
                "{name}: --sheet names a sheet of a workbook; a CSV file has none"
            )));
        }
        if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            return Err(ImportError::Input(format!(
                "{name}: this is a workbook, not CSV text: give it its .xlsx name, or save it as CSV UTF-8"
            )));
        }
        let file = CsvFile::parse(&bytes).map_err(|e| ImportError::Input(format!("{name}: {e}")))?;
        vec![Table { sheet: None, rows: file.rows(), uncomputed: Default::default() }]
    } else {
        read_workbook(&name, bytes, sheet)?
    };
    for table in &tables {
        if table.rows.len() > MAX_ROWS {
            let place = super::Place::file(&name, table.sheet.as_deref());
            return Err(ImportError::Input(format!(
                "{place}: {} rows, more than an import reads ({MAX_ROWS}): refused",
                table.rows.len()
            )));
        }
    }
    Ok(tables)
}

fn read_workbook(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Vec<Table>, ImportError> {
    let workbook = Workbook::open(bytes).map_err(|e| match e {
        XlsxError::Encrypted => ImportError::Input(format!(
            "{name}: this workbook is encrypted (password-protected, or a legacy .xls saved as .xlsx): save an unprotected copy as .xlsx and import that"
        )),
        other => ImportError::Input(format!("{name}: {other}")),
    })?;
    let names: Vec<String> = match sheet {
        Some(wanted) => {
            workbook.sheet_path(wanted).map_err(|e| ImportError::Usage(format!("{name}: {e}")))?;
            vec![wanted.to_string()]
        }
        None => workbook.sheets.iter().map(|(n, _)| n.clone()).collect(),
    };
    if names.is_empty() {
        return Err(ImportError::Input(format!("{name}: the workbook has no sheet")));
    }
    let mut tables = Vec::new();
    for sheet in names {
        let place = super::Place::file(name, Some(&sheet));
        let mut rows = workbook.rows(&sheet).map_err(|e| ImportError::Input(format!("{place}: {e}")))?;
        let merged =
            workbook.merged_cells(&sheet).map_err(|e| ImportError::Input(format!("{place}: {e}")))?;
        spread_merged(&mut rows, &merged);
        let uncomputed = workbook
            .uncomputed_formulas(&sheet)
            .map_err(|e| ImportError::Input(format!("{place}: {e}")))?
            .into_iter()
            .collect();
        tables.push(Table { sheet: Some(sheet), rows, uncomputed });
    }
    Ok(tables)
}

/// Gives every cell of a merged area its top-left cell's value, within the rows and columns
/// the sheet has (an area reaching to the sheet's last row costs nothing): a justification
/// merged over three controls' rows belongs to each of them. An area of one row (a title
/// across the columns) is left as it is: spread, its words would read as every column's header.
pub fn spread_merged(rows: &mut [Vec<String>], merged: &[(usize, usize, usize, usize)]) {
    for &(top, left, bottom, right) in merged {
        if bottom <= top {
            continue;
        }
        let Some(value) = rows.get(top).and_then(|r| r.get(left)).cloned() else { continue };
        if value.trim().is_empty() {
            continue;
        }
        let last_row = bottom.min(rows.len().saturating_sub(1));
        for row in rows.iter_mut().take(last_row + 1).skip(top) {
            let last_column = right.min(row.len().saturating_sub(1));
            for cell in row.iter_mut().take(last_column + 1).skip(left) {
                if cell.trim().is_empty() {
                    *cell = value.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_areas_spread_within_the_sheet_only() {
        let mut rows = vec![
            vec!["Title".to_string(), String::new(), String::new()],
            vec!["A.5.1".to_string(), "why".to_string()],
            vec!["A.5.2".to_string(), String::new()],
        ];
        spread_merged(&mut rows, &[(0, 0, 0, 2), (1, 1, 1_048_575, 16_383)]);
        assert_eq!(rows[0], ["Title", "", ""]);
        assert_eq!(rows[2], ["A.5.2", "why"]);
    }
}
