//! A questionnaire kept as an Excel workbook (`.xlsx`, `.xlsm`), read with calamine and filled
//! in place: every part of the package is copied as it was (compressed bytes, order, dates,
//! the archive's comment), except the one sheet written, in which only the written cells
//! change. Styles, merged cells, data validations (dropdowns), formulas, column widths,
//! comments, defined names and macros stay exactly as they were.
//!
//! `package` reads the workbook's parts (workbook.xml, its relationships), `span` refuses a
//! sheet too large before calamine reads it, `references` and `areas` read cell references and
//! the areas `fill` leaves alone, `dropdown` reads list validations, `rewrite` is the cell
//! editor that sets cells in a sheet's XML, and `fill` writes the package with it.

mod areas;
mod dropdown;
mod fill;
mod package;
mod references;
mod rewrite;
mod span;
mod xml;

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use quick_xml::events::Event;

use areas::{covered_areas, merged_areas};
use package::{read_part, relationship_targets, sheet_ids, sheet_with_several_ids};
use span::check_span;
use xml::attribute;

pub use areas::covered_by;
pub use references::{column_letter, parse_reference, reference};
pub use rewrite::excel_text;

/// More than this in all, uncompressed, is not a questionnaire: a zip bomb is refused before
/// anything is decompressed.
const MAX_UNCOMPRESSED: u64 = 256 * 1024 * 1024;

/// The most characters a spreadsheet cell holds (Excel's limit): longer text is truncated or
/// "repaired" by Excel, so it is not written.
pub const CELL_CHARACTERS: usize = 32_767;

/// Why a text is not written into a cell, when it is longer than one holds.
pub const TOO_LONG: &str = "longer than a spreadsheet cell holds (32,767 characters)";

/// More cells than this in one sheet's used range, or in all the sheets read together, is
/// refused rather than allocated (workbook.js `MAX_CELLS`).
const MAX_CELLS: u64 = 1 << 24;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XlsxError {
    #[error("the file is empty")]
    Empty,
    #[error("the workbook is password-protected (or a legacy .xls): remove the password, or save it as .xlsx, and try again")]
    Encrypted,
    #[error("the file is not an Excel workbook (.xlsx): {0}")]
    NotAWorkbook(String),
    #[error("the workbook holds {0} bytes uncompressed, more than a questionnaire can (256 MiB): refused")]
    TooLarge(u64),
    #[error("the workbook has no sheet named `{0}`; its sheets: {1}")]
    NoSuchSheet(String, String),
    #[error("{0}")]
    Broken(String),
}

/// A cell, by (row, column) from 0, that an answer was not written into, and why.
pub type Skipped = (usize, usize, &'static str);

/// The cells left alone in each sheet, by sheet name.
pub type SkippedBySheet = BTreeMap<String, Vec<Skipped>>;

/// A workbook and where each of its sheets is in the package.
pub struct Workbook {
    bytes: Vec<u8>,
    /// (sheet name, part path such as `xl/worksheets/sheet1.xml`), in workbook order.
    pub sheets: Vec<(String, String)>,
    /// The cells `rows` returned, by sheet name: together at most `MAX_CELLS`.
    spans: std::sync::Mutex<BTreeMap<String, u64>>,
}

impl Workbook {
    pub fn open(bytes: Vec<u8>) -> Result<Workbook, XlsxError> {
        if bytes.is_empty() {
            return Err(XlsxError::Empty);
        }
        if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            return Err(XlsxError::Encrypted);
        }
        let mut archive =
            zip::ZipArchive::new(Cursor::new(&bytes)).map_err(|e| XlsxError::NotAWorkbook(e.to_string()))?;
        let mut total = 0u64;
        for index in 0..archive.len() {
            let entry = archive.by_index_raw(index).map_err(|e| XlsxError::NotAWorkbook(e.to_string()))?;
            total = total.saturating_add(entry.size());
        }
        if total > MAX_UNCOMPRESSED {
            return Err(XlsxError::TooLarge(total));
        }
        let workbook = read_part(&mut archive, "xl/workbook.xml")?;
        let relations = read_part(&mut archive, "xl/_rels/workbook.xml.rels")?;
        let targets = relationship_targets(&relations);
        if let Some(name) = sheet_with_several_ids(&workbook) {
            return Err(XlsxError::Broken(format!(
                "the workbook's sheet `{name}` has more than one relationship id, so it is not clear which part it is: open the file in Excel or LibreOffice, save it, and try again"
            )));
        }
        let mut sheets = Vec::new();
        for (name, id) in sheet_ids(&workbook) {
            if let Some(target) = targets.get(&id) {
                let path = match target.strip_prefix('/') {
                    Some(absolute) => absolute.to_string(),
                    None => format!("xl/{target}"),
                };
                sheets.push((name, path));
            }
        }
        Ok(Workbook { bytes, sheets, spans: Default::default() })
    }

    /// The sheet's cells as text, at their place in the sheet (row and column from 0).
    pub fn rows(&self, sheet: &str) -> Result<Vec<Vec<String>>, XlsxError> {
        let panicked = |what: &str| XlsxError::Broken(format!("{what}: it cannot be read"));
        let mut workbook: Xlsx<_> =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| Xlsx::new(Cursor::new(&self.bytes))))
                .map_err(|_| panicked("cannot read the workbook"))?
                .map_err(|e| XlsxError::Broken(format!("cannot read the workbook: {e}")))?;
        // calamine allocates a sheet's whole used range, and panics on a reference too large.
        if let Some((_, path)) = self.sheets.iter().find(|(name, _)| name == sheet) {
            if let Ok(xml) = self.part(path) {
                check_span(&xml)
                    .map_err(|e| XlsxError::Broken(format!("cannot read sheet `{sheet}`: {e}")))?;
            }
        }
        let range =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| workbook.worksheet_range(sheet)))
                .map_err(|_| panicked(&format!("cannot read sheet `{sheet}`")))?
                .map_err(|e| XlsxError::Broken(format!("cannot read sheet `{sheet}`: {e}")))?;
        let (top, left) = range.start().map_or((0, 0), |(top, left)| (top as usize, left as usize));
        let (height, width) = range.get_size();
        let cells = (height as u64).saturating_mul((left as u64).saturating_add(width as u64));
        {
            let mut spans = self.spans.lock().unwrap_or_else(|e| e.into_inner());
            if !spans.contains_key(sheet) {
                let total: u64 = spans.values().sum();
                if total.saturating_add(cells) > MAX_CELLS {
                    return Err(XlsxError::Broken(format!(
                        "cannot read sheet `{sheet}`: the workbook's sheets together span more than a questionnaire can ({MAX_CELLS} cells)"
                    )));
                }
                spans.insert(sheet.to_string(), cells);
            }
        }
        if range.start().is_none() {
            return Ok(Vec::new());
        }
        let mut rows: Vec<Vec<String>> = vec![Vec::new(); top];
        for row in range.rows() {
            let mut cells = vec![String::new(); left];
            cells.extend(row.iter().map(|cell| match cell {
                Data::Empty => String::new(),
                other => other.to_string(),
            }));
            rows.push(cells);
        }
        Ok(rows)
    }

    /// The part path of a sheet, by name, or of the first sheet.
    pub fn sheet_path(&self, sheet: &str) -> Result<&str, XlsxError> {
        self.sheets.iter().find(|(name, _)| name == sheet).map(|(_, path)| path.as_str()).ok_or_else(|| {
            let names: Vec<&str> = self.sheets.iter().map(|(n, _)| n.as_str()).collect();
            XlsxError::NoSuchSheet(sheet.to_string(), names.join(", "))
        })
    }

    /// The merged areas of a sheet, each (top row, left column, bottom row, right column)
    /// from 0: only the top-left cell of each holds the value. Used by `trustpress import`,
    /// which spreads that value over the area.
    pub fn merged_cells(&self, sheet: &str) -> Result<Vec<(usize, usize, usize, usize)>, XlsxError> {
        Ok(merged_areas(&self.part(self.sheet_path(sheet)?)?))
    }

    /// The cells of a sheet, (row, column) from 0, that hold a formula but no value: a file
    /// written by a script rather than a spreadsheet program, never computed. `rows` reads
    /// them as empty; `trustpress import` says so instead of importing nothing silently.
    pub fn uncomputed_formulas(&self, sheet: &str) -> Result<Vec<(usize, usize)>, XlsxError> {
        Ok(self.formulas(sheet)?.into_iter().filter(|(_, value)| !value).map(|(place, _)| place).collect())
    }

    /// The cells of a sheet, (row, column) from 0, that hold a formula, each with whether it
    /// holds a computed value too.
    pub fn formulas(&self, sheet: &str) -> Result<Vec<Formula>, XlsxError> {
        /// The cell being read: its place, whether it has a formula, and whether a value.
        struct Cell {
            place: Option<(usize, usize)>,
            formula: bool,
            value: bool,
        }
        let xml = self.part(self.sheet_path(sheet)?)?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let (mut found, mut buffer) = (Vec::new(), Vec::new());
        let mut cell: Option<Cell> = None;
        loop {
            match reader.read_event_into(&mut buffer) {
                Ok(Event::Start(e)) => match e.local_name().as_ref() {
                    "c" => {
                        let place = attribute(&e, b"r").and_then(|r| parse_reference(&r));
                        cell = Some(Cell { place, formula: false, value: false });
                    }
                    "f" => cell.iter_mut().for_each(|c| c.formula = true),
                    "v" | "is" => cell.iter_mut().for_each(|c| c.value = true),
                    _ => {}
                },
                Ok(Event::Empty(e)) => match e.local_name().as_ref() {
                    "f" => cell.iter_mut().for_each(|c| c.formula = true),
                    // `<c r="A1"/>`: no formula, nothing to say.
                    "c" => cell = None,
                    _ => {}
                },
                Ok(Event::End(e)) if e.local_name().as_ref() == "c" => {
                    if let Some(Cell { place: Some(place), formula: true, value }) = cell.take() {
                        found.push((place, value));
                    }
                }
                Ok(Event::Eof) | Err(_) => return Ok(found),
                _ => {}
            }
            buffer.clear();
        }
    }

    /// The areas of a sheet whose cells other than the top-left one `fill` leaves alone, each
    /// (first row, first column, last row, last column) with why: merged areas, and the
    /// areas array formulas fill.
    pub fn covered_areas(&self, sheet: &str) -> Result<Vec<(Area, &'static str)>, XlsxError> {
        let xml = self.part(self.sheet_path(sheet)?)?;
        Ok(covered_areas(&xml))
    }

    fn part(&self, path: &str) -> Result<Vec<u8>, XlsxError> {
        let mut archive =
            zip::ZipArchive::new(Cursor::new(&self.bytes)).map_err(|e| XlsxError::Broken(e.to_string()))?;
        read_part(&mut archive, path)
    }
}

/// A cell holding a formula: its (row, column) from 0, and whether it holds a computed value.
pub type Formula = ((usize, usize), bool);

/// A sheet area: (first row, first column, last row, last column), from 0.
pub type Area = (usize, usize, usize, usize);

#[cfg(test)]
mod tests;
