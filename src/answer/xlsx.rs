//! A questionnaire kept as an Excel workbook (`.xlsx`, `.xlsm`), read with calamine and filled
//! in place: every part of the package is copied as it was (compressed bytes, order, dates,
//! the archive's comment), except the one sheet written, in which only the written cells
//! change. Styles, merged cells, data validations (dropdowns), formulas, column widths,
//! comments, defined names and macros stay exactly as they were.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, Xlsx};
use quick_xml::events::{BytesStart, Event};

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

/// The sheet's XML rewritten, and the cells (row, column) left because they hold a formula.
type Rewritten = (Vec<u8>, Vec<(usize, usize)>);

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

    /// The values of the list dropdown (data validation) over `column` of `sheet`: written in
    /// the validation (`"Yes,No,N/A"`), or a range of cells (`$H$2:$H$4`,
    /// `Lists!$A$1:$A$3`), or a defined name for one; in the classic form or in Excel 2010's
    /// extension (`x14:dataValidation`, which cross-sheet lists use). Empty when there is none
    /// or it cannot be read.
    pub fn dropdown(&self, sheet: &str, column: usize) -> Result<Vec<String>, XlsxError> {
        let xml = self.part(self.sheet_path(sheet)?)?;
        for (sqref, formula) in list_validations(&xml) {
            if sqref.split_whitespace().any(|range| range_has_column(range, column)) {
                return Ok(self.list_values(sheet, &formula));
            }
        }
        Ok(Vec::new())
    }

    /// The values a list validation's formula names.
    fn list_values(&self, sheet: &str, formula: &str) -> Vec<String> {
        let formula = formula.trim().trim_start_matches('=');
        if let Some(list) = formula.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            return list.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
        }
        let formula = match self.defined_name(formula) {
            Some(target) => target,
            None => formula.to_string(),
        };
        let (on_sheet, range) = match formula.rsplit_once('!') {
            Some((name, range)) => {
                let name = name.trim();
                let unquoted = match name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')) {
                    Some(quoted) => quoted.replace("''", "'"),
                    None => name.to_string(),
                };
                (unquoted, range.to_string())
            }
            None => (sheet.to_string(), formula),
        };
        let bare = range.replace('$', "");
        let (start, end) = bare.split_once(':').unwrap_or((&bare, &bare));
        let (Some((top, left)), Some((bottom, right))) = (parse_reference(start), parse_reference(end))
        else {
            return Vec::new();
        };
        let Ok(rows) = self.rows(&on_sheet) else { return Vec::new() };
        let mut values = Vec::new();
        for row in rows.iter().take(bottom.saturating_add(1)).skip(top) {
            for cell in row.iter().take(right.saturating_add(1)).skip(left) {
                let cell = cell.trim();
                if !cell.is_empty() && !values.iter().any(|v: &String| v == cell) {
                    values.push(cell.to_string());
                }
            }
        }
        values
    }

    /// What a workbook-level defined name stands for (`YesNo` → `Lists!$A$1:$A$3`): the whole
    /// text of the first such `<definedName>` that holds any, entity references unescaped
    /// (`'Q&amp;A''s lists'!$A$1:$A$3` → `'Q&A''s lists'!$A$1:$A$3`). `None` when there is
    /// none, or when its text cannot be unescaped.
    fn defined_name(&self, name: &str) -> Option<String> {
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            return None;
        }
        let xml = self.part("xl/workbook.xml").ok()?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let (mut inside, mut value, mut buffer) = (false, String::new(), Vec::new());
        loop {
            match reader.read_event_into(&mut buffer) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "definedName" => {
                    inside = attribute(&e, b"name").as_deref() == Some(name)
                        && attribute(&e, b"localSheetId").is_none();
                    value.clear();
                }
                Ok(event @ (Event::Text(_) | Event::GeneralRef(_))) if inside => {
                    value.push_str(&unescaped_text(&event)?);
                }
                Ok(Event::End(e)) if e.local_name().as_ref() == "definedName" => {
                    if inside && !value.is_empty() {
                        return Some(value);
                    }
                    inside = false;
                }
                Ok(Event::Eof) | Err(_) => return None,
                _ => {}
            }
            buffer.clear();
        }
    }

    /// The workbook with `writes` (by sheet name: cell → text) made, and per sheet the cells
    /// left alone: inside a merged area (only its top-left cell holds a value) or an array
    /// formula's area, or holding a formula. Every other part of the file is copied as it was, byte for byte.
    pub fn fill(
        &self,
        writes: &BTreeMap<String, BTreeMap<(usize, usize), String>>,
    ) -> Result<(Vec<u8>, SkippedBySheet), XlsxError> {
        let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut skipped_by_sheet = BTreeMap::new();
        for (sheet, writes) in writes {
            let path = self.sheet_path(sheet)?.to_string();
            let original = self.part(&path)?;
            let covered = covered_areas(&original);
            let mut skipped = Vec::new();
            let mut writes = writes.clone();
            writes.retain(|&(row, column), _| match covered_by(&covered, row, column) {
                Some(why) => {
                    skipped.push((row, column, why));
                    false
                }
                None => true,
            });
            let (sheet_xml, formulas) = rewrite_sheet(&original, &writes)?;
            for (row, column) in formulas {
                skipped.push((row, column, "holds a formula"));
            }
            skipped.sort_unstable();
            parts.insert(path, sheet_xml);
            skipped_by_sheet.insert(sheet.clone(), skipped);
        }
        let mut archive =
            zip::ZipArchive::new(Cursor::new(&self.bytes)).map_err(|e| XlsxError::Broken(e.to_string()))?;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let name = archive
                .by_index_raw(index)
                .map_err(|e| XlsxError::Broken(e.to_string()))?
                .name()
                .map_err(|e| XlsxError::Broken(e.to_string()))?
                .to_string();
            if let Some(sheet_xml) = parts.get(&name) {
                let entry = archive.by_index_raw(index).map_err(|e| XlsxError::Broken(e.to_string()))?;
                let mut options =
                    zip::write::SimpleFileOptions::default().compression_method(entry.compression());
                if let Some(time) = entry.last_modified() {
                    options = options.last_modified_time(time);
                }
                drop(entry);
                out.start_file(name, options).map_err(|e| XlsxError::Broken(e.to_string()))?;
                out.write_all(sheet_xml).map_err(|e| XlsxError::Broken(e.to_string()))?;
            } else {
                let entry = archive.by_index_raw(index).map_err(|e| XlsxError::Broken(e.to_string()))?;
                out.raw_copy_file(entry).map_err(|e| XlsxError::Broken(e.to_string()))?;
            }
        }
        out.set_raw_comment(archive.comment().into()).map_err(|e| XlsxError::Broken(e.to_string()))?;
        let bytes = out.finish().map_err(|e| XlsxError::Broken(e.to_string()))?.into_inner();
        Ok((bytes, skipped_by_sheet))
    }
}

fn read_part<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    path: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut entry =
        archive.by_name(path).map_err(|_| XlsxError::NotAWorkbook(format!("it has no `{path}`")))?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|e| XlsxError::Broken(format!("`{path}`: {e}")))?;
    Ok(bytes)
}

/// What a text event or an entity or character reference (`&amp;`, `&#39;`, which quick-xml
/// reports as an event of its own) stands for, unescaped; `None` for any other event, or when
/// it cannot be unescaped (an unknown entity, a bad character reference).
fn unescaped_text(event: &Event) -> Option<String> {
    let raw = match event {
        Event::Text(text) => Cow::Borrowed(&**text),
        Event::GeneralRef(reference) => Cow::Owned(format!("&{};", &**reference)),
        _ => return None,
    };
    quick_xml::escape::unescape(&raw).ok().map(Cow::into_owned)
}

fn attribute(element: &BytesStart, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref().as_bytes() == name)
        .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()))
}

/// What `fill` says of a sheet in which a row or cell has no reference (`r`).
const NO_REFERENCE: &str = "the sheet has rows or cells without a reference (`r`), which cannot be filled safely: open the file in Excel or LibreOffice, save it, and try again";

/// The name (or `?`) of the first `<sheet>` in workbook.xml with more than one attribute whose
/// local name is `id` (`r:id` and `id`): calamine reads the last, `sheet_ids` the first.
fn sheet_with_several_ids(workbook: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(workbook);
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                let ids = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .filter(|a| a.key.local_name().as_ref() == "id")
                    .count();
                if ids > 1 {
                    return Some(attribute(&e, b"name").unwrap_or_else(|| "?".to_string()));
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buffer.clear();
    }
}

/// A cell or row reference as calamine reads it (`C5`, `5` for a row), each number at most
/// `MAX_CELLS + 1`: (row, column) from 0; `None` when it is not one.
fn span_reference(reference: &[u8]) -> Option<(u64, Option<u64>)> {
    let (mut row, mut column, mut at) = (0u64, 0u64, 0);
    while at < reference.len() {
        let c = reference[at];
        if c.is_ascii_alphabetic() {
            column = (column * 26 + u64::from(c.to_ascii_lowercase() - b'a') + 1).min(MAX_CELLS + 1);
        } else if c.is_ascii_digit() {
            break;
        } else {
            return None;
        }
        at += 1;
    }
    for &c in &reference[at..] {
        if !c.is_ascii_digit() {
            return None;
        }
        row = (row * 10 + u64::from(c - b'0')).min(MAX_CELLS + 1);
    }
    if row == 0 {
        return None;
    }
    Some((row - 1, column.checked_sub(1)))
}

/// Refuses a sheet whose cells (all of them, with or without a value, where calamine puts
/// them) span more than `MAX_CELLS`, before calamine allocates them. Stops, saying nothing
/// more, at what calamine itself refuses (malformed XML, a reference that is not one).
/// workbook.js `checkSpan` does the same.
fn check_span(xml: &[u8]) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buffer = Vec::new();
    let (mut top, mut left, mut bottom, mut right) = (u64::MAX, u64::MAX, 0u64, 0u64);
    let (mut row_index, mut column_index) = (0u64, 0u64);
    let raw_r = |e: &BytesStart| -> Result<Option<Vec<u8>>, ()> {
        for a in e.attributes().with_checks(false) {
            let a = a.map_err(|_| ())?;
            if a.key.as_ref() == "r" {
                return Ok(Some(a.value.as_bytes().to_vec()));
            }
        }
        Ok(None)
    };
    let mut in_sheet_data = false;
    'scan: while let Ok(event) = reader.read_event_into(&mut buffer) {
        match event {
            Event::Eof => break,
            Event::Start(e) if !in_sheet_data => in_sheet_data = e.local_name().as_ref() == "sheetData",
            _ if !in_sheet_data => {}
            Event::Start(e) if e.local_name().as_ref() == "row" => match raw_r(&e) {
                Err(()) => break,
                Ok(None) => {}
                Ok(Some(r)) => match span_reference(&r) {
                    Some((row, _)) => row_index = row,
                    None => break,
                },
            },
            Event::End(e) if e.local_name().as_ref() == "row" => {
                row_index = (row_index + 1).min(MAX_CELLS + 1);
                column_index = 0;
            }
            Event::Start(e) if e.local_name().as_ref() == "c" => {
                let (row, column) = match raw_r(&e) {
                    Err(()) => break,
                    Ok(None) => (row_index, column_index),
                    Ok(Some(r)) => match span_reference(&r) {
                        Some((row, Some(column))) => (row, column),
                        _ => break,
                    },
                };
                column_index = (column + 1).min(MAX_CELLS + 1);
                (top, left) = (top.min(row), left.min(column));
                (bottom, right) = (bottom.max(row), right.max(column));
                loop {
                    buffer.clear();
                    match reader.read_event_into(&mut buffer) {
                        Ok(Event::End(e)) if e.local_name().as_ref() == "c" => break,
                        Ok(Event::Eof) | Err(_) => break 'scan,
                        _ => {}
                    }
                }
            }
            Event::End(e) if e.local_name().as_ref() == "sheetData" => break,
            _ => {}
        }
        buffer.clear();
    }
    if top == u64::MAX {
        return Ok(());
    }
    let (height, width) = (bottom - top + 1, right - left + 1);
    if width * height > MAX_CELLS || bottom >= MAX_CELLS {
        return Err(format!(
            "its cells span {height} rows and {width} columns, more than a questionnaire can ({MAX_CELLS} cells)"
        ));
    }
    Ok(())
}

/// (sheet name, relationship id) of each `<sheet>` in workbook.xml.
fn sheet_ids(workbook: &[u8]) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_reader(workbook);
    let (mut sheets, mut buffer) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref().ends_with(":id"))
                    .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()));
                if let (Some(name), Some(id)) = (attribute(&e, b"name"), id) {
                    sheets.push((name, id));
                }
            }
            Ok(Event::Eof) | Err(_) => return sheets,
            _ => {}
        }
        buffer.clear();
    }
}

/// Relationship id → target, from a `.rels` part.
fn relationship_targets(relations: &[u8]) -> BTreeMap<String, String> {
    let mut reader = quick_xml::Reader::from_reader(relations);
    let (mut targets, mut buffer) = (BTreeMap::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attribute(&e, b"Id"), attribute(&e, b"Target")) {
                    targets.insert(id, target);
                }
            }
            Ok(Event::Eof) | Err(_) => return targets,
            _ => {}
        }
        buffer.clear();
    }
}

/// `C5` → (4, 2).
pub fn parse_reference(reference: &str) -> Option<(usize, usize)> {
    let letters: String = reference.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &reference[letters.len()..];
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() {
        return None;
    }
    let column = letters.to_ascii_uppercase().bytes().fold(0usize, |n, b| n * 26 + usize::from(b - b'A') + 1);
    let row: usize = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column - 1))
}

/// (0, 2) → `C1`.
pub fn reference(row: usize, column: usize) -> String {
    format!("{}{}", column_letter(column), row + 1)
}

/// A column's letters: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn column_letter(column: usize) -> String {
    let mut n = column + 1;
    let mut letters = String::new();
    while n > 0 {
        letters.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters
}

/// Every list validation of a sheet: (the cells it covers, its `formula1`), classic ones
/// (`<dataValidation type="list" sqref="C4:C40"><formula1>…`) and Excel 2010's
/// (`<x14:dataValidation type="list"><x14:formula1><xm:f>…</xm:f></x14:formula1><xm:sqref>…`).
fn list_validations(xml: &[u8]) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut found = Vec::new();
    // The validation being read: is it a list, its cells, its formula; and which element's
    // text (text and entity references, unescaped) is being read.
    let (mut list, mut sqref, mut formula) = (false, String::new(), String::new());
    let (mut in_formula, mut in_sqref, mut buffer) = (false, false, Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "dataValidation" => {
                    list = attribute(&e, b"type").as_deref() == Some("list");
                    sqref = attribute(&e, b"sqref").unwrap_or_default();
                    formula.clear();
                }
                "formula1" => in_formula = true,
                "sqref" => in_sqref = true,
                _ => {}
            },
            Ok(event @ (Event::Text(_) | Event::GeneralRef(_))) if in_formula || in_sqref => {
                let text = unescaped_text(&event).unwrap_or_default();
                if in_formula {
                    formula.push_str(&text);
                } else {
                    sqref.push_str(&text);
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "formula1" => in_formula = false,
                "sqref" => in_sqref = false,
                "dataValidation" => {
                    if list && !formula.is_empty() {
                        found.push((std::mem::take(&mut sqref), std::mem::take(&mut formula)));
                    }
                    list = false;
                }
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => return found,
            _ => {}
        }
        buffer.clear();
    }
}

fn range_has_column(range: &str, column: usize) -> bool {
    let (start, end) = range.split_once(':').unwrap_or((range, range));
    let column_of = |r: &str| {
        let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
        parse_reference(&format!("{letters}1")).map(|(_, c)| c)
    };
    match (column_of(start), column_of(end)) {
        (Some(first), Some(last)) => (first..=last).contains(&column),
        _ => false,
    }
}

/// Every merged area as (first row, first column, last row, last column).
fn merged_areas(sheet: &[u8]) -> Vec<(usize, usize, usize, usize)> {
    let mut reader = quick_xml::Reader::from_reader(sheet);
    let (mut areas, mut buffer) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "mergeCell" => {
                areas.extend(attribute(&e, b"ref").and_then(|area| parse_area(&area)));
            }
            Ok(Event::Eof) | Err(_) => return areas,
            _ => {}
        }
        buffer.clear();
    }
}

/// A cell holding a formula: its (row, column) from 0, and whether it holds a computed value.
pub type Formula = ((usize, usize), bool);

/// A sheet area: (first row, first column, last row, last column), from 0.
pub type Area = (usize, usize, usize, usize);

/// `A1:C3` (or `B2`, one cell) as an area.
fn parse_area(text: &str) -> Option<Area> {
    let (start, end) = text.split_once(':').unwrap_or((text, text));
    let ((r0, c0), (r1, c1)) = (parse_reference(start)?, parse_reference(end)?);
    Some((r0, c0, r1, c1))
}

/// Merged areas first, then array formulas' areas, each with why `fill` leaves its cells.
fn covered_areas(sheet: &[u8]) -> Vec<(Area, &'static str)> {
    let merged = merged_areas(sheet).into_iter().map(|area| (area, "inside a merged area"));
    merged.chain(array_areas(sheet).into_iter().map(|area| (area, "inside an array formula"))).collect()
}

/// Why `fill` leaves (row, column) alone, if it is inside one of `areas` but not its top-left
/// cell (which holds the value or the formula).
pub fn covered_by(areas: &[(Area, &'static str)], row: usize, column: usize) -> Option<&'static str> {
    areas
        .iter()
        .find(|&&((r0, c0, r1, c1), _)| {
            (r0..=r1).contains(&row) && (c0..=c1).contains(&column) && (row, column) != (r0, c0)
        })
        .map(|(_, why)| *why)
}

/// Every area an array (or data table) formula fills, as (first row, first column, last row,
/// last column): the formula is in its top-left cell, and spreadsheet programs recompute the
/// other cells, so an answer written there would be lost or refused.
fn array_areas(sheet: &[u8]) -> Vec<(usize, usize, usize, usize)> {
    let mut reader = quick_xml::Reader::from_reader(sheet);
    let (mut areas, mut buffer) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "f" => {
                let kind = attribute(&e, b"t");
                if matches!(kind.as_deref(), Some("array" | "dataTable")) {
                    areas.extend(attribute(&e, b"ref").and_then(|area| parse_area(&area)));
                }
            }
            Ok(Event::Eof) | Err(_) => return areas,
            _ => {}
        }
        buffer.clear();
    }
}

/// `x:` for `<x:sheetData>`, nothing for `<sheetData>`: the namespace prefix of an element.
fn prefix_of(element: &BytesStart) -> String {
    let name = element.name().0;
    name.find(':').map_or("", |colon| &name[..=colon]).to_string()
}

/// The cell written for `text` at (row, column), keeping the style of the cell it replaces;
/// its elements take the sheet's namespace `prefix` (`x:`, or nothing).
fn inline_cell(prefix: &str, row: usize, column: usize, style: Option<&str>, text: &str) -> Vec<u8> {
    let style = style.map(|s| format!(" s=\"{}\"", quick_xml::escape::escape(s))).unwrap_or_default();
    format!(
        "<{prefix}c r=\"{}\"{style} t=\"inlineStr\"><{prefix}is><{prefix}t xml:space=\"preserve\">{}</{prefix}t></{prefix}is></{prefix}c>",
        reference(row, column),
        quick_xml::escape::escape(excel_text(text).as_ref())
    )
    .into_bytes()
}

/// `text` as a spreadsheet cell holds it: a character XML 1.0 does not allow (the C0
/// controls but tab, line feed and carriage return; U+FFFE, U+FFFF) is written `_xHHHH_`,
/// ECMA-376's escape, which Excel and calamine read back as the character, as
/// rust_xlsxwriter writes it. Without it a control character in an answer makes sheet XML no
/// reader opens. Text that merely looks like such an escape is left as it is, as
/// rust_xlsxwriter and openpyxl leave it (readers disagree on `_x005F_`, its escape).
pub fn excel_text(text: &str) -> Cow<'_, str> {
    let escape = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if !text.chars().any(escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            out.push_str(&format!("_x{:04X}_", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The sheet's XML with the cells of `writes` set, every other byte as it was; and the
/// cells not written because they hold a formula.
fn rewrite_sheet(xml: &[u8], writes: &BTreeMap<(usize, usize), String>) -> Result<Rewritten, XlsxError> {
    let broken = |e: quick_xml::Error| XlsxError::Broken(format!("the sheet's XML: {e}"));
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut out: Vec<u8> = Vec::with_capacity(xml.len() + writes.len() * 200);
    let rows: BTreeSet<usize> = writes.keys().map(|&(row, _)| row).collect();
    let mut pending_rows: Vec<usize> = rows.iter().copied().collect();
    pending_rows.reverse(); // popped from the end, lowest first
    let mut formulas = Vec::new();
    let mut current_row: Option<usize> = None;
    // The prefix of `<sheetData>` (`x:` in `<x:sheetData>`): the rows and cells written in it
    // take it too, so that they are in the sheet's namespace.
    let mut prefix = String::new();
    let mut pending_cells: Vec<usize> = Vec::new(); // columns of the current row, reversed
    let mut buffer = Vec::new();
    let mut in_sheet_data = false;
    let emit_row = |out: &mut Vec<u8>, prefix: &str, row: usize| {
        out.extend_from_slice(format!("<{prefix}row r=\"{}\">", row + 1).as_bytes());
        for ((_, column), text) in writes.range((row, 0)..(row + 1, 0)) {
            out.extend(inline_cell(prefix, row, *column, None, text));
        }
        out.extend_from_slice(format!("</{prefix}row>").as_bytes());
    };
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event_into(&mut buffer).map_err(broken)?;
        let end = reader.buffer_position() as usize;
        let raw = &xml[start..end];
        match event {
            Event::Eof => break,
            // A row or cell without its reference is where Excel puts it, after the one
            // before: the rows and cells written could land on it twice.
            Event::Start(ref e) | Event::Empty(ref e)
                if in_sheet_data
                    && matches!(e.local_name().as_ref(), "row" | "c")
                    && attribute(e, b"r").is_none() =>
            {
                return Err(XlsxError::Broken(NO_REFERENCE.to_string()));
            }
            Event::Start(ref e) if e.local_name().as_ref() == "sheetData" => {
                in_sheet_data = true;
                prefix = prefix_of(e);
                out.extend_from_slice(raw);
            }
            // `<sheetData/>`: kept as it is when no row is written, else opened (its prefix
            // and attributes kept) for the new rows.
            Event::Empty(ref e) if e.local_name().as_ref() == "sheetData" && !pending_rows.is_empty() => {
                prefix = prefix_of(e);
                out.extend_from_slice(&raw[..raw.len() - 2]);
                out.extend_from_slice(b">");
                while let Some(row) = pending_rows.pop() {
                    emit_row(&mut out, &prefix, row);
                }
                out.extend_from_slice(format!("</{}>", e.name().0).as_bytes());
            }
            Event::End(e) if e.local_name().as_ref() == "sheetData" => {
                in_sheet_data = false;
                while let Some(row) = pending_rows.pop() {
                    emit_row(&mut out, &prefix, row);
                }
                out.extend_from_slice(raw);
            }
            Event::Start(ref e) | Event::Empty(ref e) if e.local_name().as_ref() == "row" => {
                let row =
                    attribute(e, b"r").and_then(|r| r.parse::<usize>().ok()).and_then(|r| r.checked_sub(1));
                if let Some(row) = row {
                    while pending_rows.last().is_some_and(|&p| p < row) {
                        let earlier = pending_rows.pop().unwrap_or(row);
                        emit_row(&mut out, &prefix, earlier);
                    }
                }
                let is_empty = matches!(event, Event::Empty(_));
                if let Some(row) = row.filter(|r| pending_rows.last() == Some(r)) {
                    pending_rows.pop();
                    pending_cells =
                        writes.range((row, 0)..(row + 1, 0)).map(|(&(_, c), _)| c).rev().collect();
                    if is_empty {
                        // `<row r="5"/>`: its cells are all new.
                        out.extend_from_slice(&raw[..raw.len() - 2]);
                        out.extend_from_slice(b">");
                        while let Some(column) = pending_cells.pop() {
                            out.extend(inline_cell(&prefix, row, column, None, &writes[&(row, column)]));
                        }
                        out.extend_from_slice(format!("</{}>", e.name().0).as_bytes());
                        continue;
                    }
                    current_row = Some(row);
                } else {
                    current_row = None;
                }
                out.extend_from_slice(raw);
            }
            Event::End(ref e) if e.local_name().as_ref() == "row" => {
                if let Some(row) = current_row.take() {
                    while let Some(column) = pending_cells.pop() {
                        out.extend(inline_cell(&prefix, row, column, None, &writes[&(row, column)]));
                    }
                }
                out.extend_from_slice(raw);
            }
            Event::Start(ref e) | Event::Empty(ref e)
                if e.local_name().as_ref() == "c" && current_row.is_some() =>
            {
                let row = current_row.unwrap_or(0);
                let column = attribute(e, b"r").and_then(|r| parse_reference(&r)).map(|(_, c)| c);
                let is_empty = matches!(event, Event::Empty(_));
                let style = attribute(e, b"s");
                // New cells that come before this one.
                if let Some(column) = column {
                    while pending_cells.last().is_some_and(|&p| p < column) {
                        let earlier = pending_cells.pop().unwrap_or(column);
                        out.extend(inline_cell(&prefix, row, earlier, None, &writes[&(row, earlier)]));
                    }
                }
                // The whole cell, as written.
                let mut cell = raw.to_vec();
                let mut has_formula = false;
                if !is_empty {
                    let mut depth = 1;
                    let mut inner = Vec::new();
                    while depth > 0 {
                        let inner_start = reader.buffer_position() as usize;
                        let inner_event = reader.read_event_into(&mut inner).map_err(broken)?;
                        let inner_end = reader.buffer_position() as usize;
                        match &inner_event {
                            Event::Start(x) if x.local_name().as_ref() == "f" => has_formula = true,
                            Event::Empty(x) if x.local_name().as_ref() == "f" => has_formula = true,
                            _ => {}
                        }
                        match inner_event {
                            Event::Start(_) => depth += 1,
                            Event::End(_) => depth -= 1,
                            Event::Eof => {
                                return Err(XlsxError::Broken("the sheet's XML ends inside a cell".into()))
                            }
                            _ => {}
                        }
                        cell.extend_from_slice(&xml[inner_start..inner_end]);
                        inner.clear();
                    }
                }
                match column.filter(|c| pending_cells.last() == Some(c)) {
                    Some(column) if has_formula => {
                        pending_cells.pop();
                        formulas.push((row, column));
                        out.extend(cell);
                    }
                    Some(column) => {
                        pending_cells.pop();
                        let text = &writes[&(row, column)];
                        out.extend(inline_cell(&prefix, row, column, style.as_deref(), text));
                    }
                    None => out.extend(cell),
                }
            }
            _ => out.extend_from_slice(raw),
        }
        buffer.clear();
    }
    Ok((out, formulas))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_an_array_formula_fills_are_its_area_and_shared_formulas_have_none() {
        let sheet = br#"<worksheet><sheetData><row r="3"><c r="C3"><f t="array" ref="C3:C5">A3:A5*2</f><v>2</v></c><c r="D3"><f t="shared" ref="D3:D5" si="0">A3</f><v>1</v></c></row><row r="4"><c r="C4"><v>4</v></c><c r="D4"><f t="shared" si="0"/><v>2</v></c><c r="E4"><f t="dataTable" ref="E4:F4" dt2D="0" dtr="0" r1="A1"/></c></row></sheetData></worksheet>"#;
        assert_eq!(array_areas(sheet), vec![(2, 2, 4, 2), (3, 4, 3, 5)]);
    }

    #[test]
    fn control_characters_are_written_as_excel_escapes() {
        assert_eq!(excel_text("plain, with _x0041_ as written"), "plain, with _x0041_ as written");
        assert_eq!(
            excel_text("a\u{1}b\u{b}c\u{1b}\u{fffe}\u{ffff}\t\n\r"),
            "a_x0001_b_x000B_c_x001B__xFFFE__xFFFF_\t\n\r"
        );
        assert_eq!(excel_text("é\u{0}😀"), "é_x0000_😀");
    }

    #[test]
    fn list_validations_are_read_in_both_forms() {
        let xml = br#"<worksheet xmlns:x14="x" xmlns:xm="m"><dataValidations count="2">
<dataValidation type="list" sqref="C2:C9"><formula1>"Yes,No"</formula1></dataValidation>
<dataValidation type="whole" sqref="D2:D9"><formula1>1</formula1></dataValidation>
</dataValidations><extLst><ext><x14:dataValidations count="1">
<x14:dataValidation type="list"><x14:formula1><xm:f>Lists!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E40</xm:sqref></x14:dataValidation>
</x14:dataValidations></ext></extLst></worksheet>"#;
        assert_eq!(
            list_validations(xml),
            [
                ("C2:C9".to_string(), "\"Yes,No\"".to_string()),
                ("E2:E40".to_string(), "Lists!$A$1:$A$3".to_string())
            ]
        );
    }

    const SHEET: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:D4"/><sheetData><row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s" s="2"><v>1</v></c></row><row r="3"><c r="A3"><v>7</v></c><c r="C3" s="5"/><c r="D3"><f>SUM(A3)</f><v>7</v></c></row></sheetData><mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells><dataValidations count="1"><dataValidation type="list" sqref="C2:C40"><formula1>"Yes,No,N/A"</formula1></dataValidation></dataValidations></worksheet>"#;

    #[test]
    fn references_read_and_write() {
        assert_eq!(parse_reference("C5"), Some((4, 2)));
        assert_eq!(parse_reference("AA10"), Some((9, 26)));
        assert_eq!(reference(9, 26), "AA10");
        assert_eq!(parse_reference("5"), None);
    }

    #[test]
    fn a_row_numbered_zero_is_kept_as_written_not_a_panic() {
        let sheet =
            r#"<worksheet><sheetData><row r="0"><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#;
        let writes: BTreeMap<(usize, usize), String> = [((0, 1), "x".to_string())].into_iter().collect();
        let (out, _) = rewrite_sheet(sheet.as_bytes(), &writes).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.starts_with(r#"<worksheet><sheetData><row r="0"><c r="A1"><v>1</v></c></row>"#), "{out}");
        assert!(out.contains(r#"<c r="B1" t="inlineStr">"#), "{out}");
    }

    #[test]
    fn no_writes_change_nothing() {
        let (out, formulas) = rewrite_sheet(SHEET.as_bytes(), &BTreeMap::new()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), SHEET);
        assert!(formulas.is_empty());
    }

    #[test]
    fn writes_go_into_place_keeping_styles_and_formulas() {
        let writes: BTreeMap<(usize, usize), String> = [
            ((1, 2), "Yes".to_string()),     // row 2 is new
            ((2, 1), "B & <b>".to_string()), // a new cell before C3
            ((2, 2), "No".to_string()),      // C3 exists, styled
            ((2, 3), "x".to_string()),       // D3 holds a formula: kept
            ((5, 0), "last".to_string()),    // a row after every row
        ]
        .into_iter()
        .collect();
        let (out, formulas) = rewrite_sheet(SHEET.as_bytes(), &writes).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert_eq!(formulas, vec![(2, 3)]);
        assert!(out.contains(r#"</row><row r="2"><c r="C2" t="inlineStr"><is><t xml:space="preserve">Yes</t></is></c></row><row r="3">"#), "{out}");
        assert!(out.contains(r#"<c r="A3"><v>7</v></c><c r="B3" t="inlineStr"><is><t xml:space="preserve">B &amp; &lt;b&gt;</t></is></c><c r="C3" s="5" t="inlineStr"><is><t xml:space="preserve">No</t></is></c><c r="D3"><f>SUM(A3)</f><v>7</v></c></row>"#), "{out}");
        assert!(out.contains(r#"<row r="6"><c r="A6" t="inlineStr"><is><t xml:space="preserve">last</t></is></c></row></sheetData>"#), "{out}");
        assert!(out.ends_with(r#"<dataValidation type="list" sqref="C2:C40"><formula1>"Yes,No,N/A"</formula1></dataValidation></dataValidations></worksheet>"#));
        assert_eq!(merged_areas(SHEET.as_bytes()), vec![(0, 0, 0, 1)]);
        assert!(range_has_column("C2:C40", 2) && !range_has_column("C2:C40", 3));
    }

    /// A workbook of `sheets` (name, as written in an attribute; sheet XML), with `defined_names`
    /// (`<definedName>` elements) in its workbook.xml.
    fn workbook_of(sheets: &[(&str, &str)], defined_names: &str) -> Workbook {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
        let package = "http://schemas.openxmlformats.org/package/2006";
        let relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
        let mut listed = String::new();
        let mut targets = String::new();
        for (index, (name, _)) in sheets.iter().enumerate() {
            let n = index + 1;
            listed.push_str(&format!(r#"<sheet name="{name}" sheetId="{n}" r:id="rId{n}"/>"#));
            targets.push_str(&format!(
                r#"<Relationship Id="rId{n}" Type="{relationships}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            ));
        }
        let package_relationship = format!(
            r#"<Relationship Id="rId1" Type="{relationships}/officeDocument" Target="xl/workbook.xml"/>"#
        );
        let mut parts = vec![
            ("[Content_Types].xml".to_string(), format!(r#"<Types xmlns="{package}/content-types"/>"#)),
            (
                "_rels/.rels".to_string(),
                format!(
                    r#"<Relationships xmlns="{package}/relationships">{package_relationship}</Relationships>"#
                ),
            ),
            (
                "xl/workbook.xml".to_string(),
                format!(
                    r#"<workbook xmlns="{main}" xmlns:r="{relationships}"><sheets>{listed}</sheets><definedNames>{defined_names}</definedNames></workbook>"#
                ),
            ),
            (
                "xl/_rels/workbook.xml.rels".to_string(),
                format!(r#"<Relationships xmlns="{package}/relationships">{targets}</Relationships>"#),
            ),
        ];
        for (index, (_, xml)) in sheets.iter().enumerate() {
            parts.push((format!("xl/worksheets/sheet{}.xml", index + 1), xml.to_string()));
        }
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, text) in parts {
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(text.as_bytes()).unwrap();
        }
        Workbook::open(out.finish().unwrap().into_inner()).unwrap()
    }

    /// A sheet whose column A holds `words`, from row 1.
    fn column_of(words: &[&str]) -> String {
        let rows: String = words
            .iter()
            .enumerate()
            .map(|(index, word)| {
                let n = index + 1;
                format!(r#"<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{word}</t></is></c></row>"#)
            })
            .collect();
        format!("<worksheet><sheetData>{rows}</sheetData></worksheet>")
    }

    #[test]
    fn a_defined_name_is_read_whole_entity_references_included() {
        let questions = r#"<worksheet><sheetData/><dataValidations count="1"><dataValidation type="list" sqref="C2:C40"><formula1>Answers</formula1></dataValidation></dataValidations></worksheet>"#;
        let lists = column_of(&["Y", "N", "Not applicable"]);
        let workbook = workbook_of(
            &[("Questions", questions), ("Q&amp;A&apos;s lists", &lists)],
            concat!(
                r#"<definedName name="Empty"></definedName>"#,
                r#"<definedName name="Answers" localSheetId="0">Questions!$A$1</definedName>"#,
                r#"<definedName name="Answers">'Q&amp;A&apos;&apos;s lists'!$A$1:$A$3</definedName>"#,
                r#"<definedName name="Characters">&#39;It&#x27;&#39;s&#39;!$B$2</definedName>"#,
            ),
        );
        assert_eq!(workbook.defined_name("Answers").as_deref(), Some("'Q&A''s lists'!$A$1:$A$3"));
        assert_eq!(workbook.defined_name("Characters").as_deref(), Some("'It''s'!$B$2"));
        assert_eq!(workbook.defined_name("Empty"), None);
        assert_eq!(workbook.dropdown("Questions", 2).unwrap(), ["Y", "N", "Not applicable"]);
        // An entity that cannot be unescaped (calamine would refuse such a workbook.xml).
        let unknown =
            workbook_of(&[("Lists", &lists)], r#"<definedName name="N">Lists!&nbsp;$A$1</definedName>"#);
        assert_eq!(unknown.defined_name("N"), None);
    }

    #[test]
    fn list_validations_keep_entity_references() {
        let xml = br#"<worksheet xmlns:x14="x" xmlns:xm="m"><dataValidations count="1">
<dataValidation type="list" sqref="C2:C9"><formula1>'Q&amp;A'!$A$1:$A$3</formula1></dataValidation>
</dataValidations><extLst><ext><x14:dataValidations count="1">
<x14:dataValidation type="list"><x14:formula1><xm:f>'Q&amp;A&apos;&apos;s &#x4C;ists'!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E2:E40&#32;G2:G9</xm:sqref></x14:dataValidation>
</x14:dataValidations></ext></extLst></worksheet>"#;
        assert_eq!(
            list_validations(xml),
            [
                ("C2:C9".to_string(), "'Q&A'!$A$1:$A$3".to_string()),
                ("E2:E40 G2:G9".to_string(), "'Q&A''s Lists'!$A$1:$A$3".to_string())
            ]
        );
        let sheet = std::str::from_utf8(xml).unwrap();
        let workbook = workbook_of(&[("Sheet1", sheet), ("Q&amp;A", &column_of(&["Yes", "No"]))], "");
        assert_eq!(workbook.dropdown("Sheet1", 2).unwrap(), ["Yes", "No"]);
    }

    #[test]
    fn an_empty_sheet_data_is_kept_unless_rows_are_written_into_it() {
        for sheet in [
            r#"<worksheet><sheetData/></worksheet>"#,
            r#"<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" /></x:worksheet>"#,
        ] {
            let (out, _) = rewrite_sheet(sheet.as_bytes(), &BTreeMap::new()).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), sheet);
        }
        let writes: BTreeMap<(usize, usize), String> =
            [((0, 1), "b".to_string()), ((1, 0), "a".to_string())].into_iter().collect();
        let sheet = r#"<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" /></x:worksheet>"#;
        let (out, _) = rewrite_sheet(sheet.as_bytes(), &writes).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            concat!(
                r#"<x:worksheet xmlns:x="urn:x"><x:sheetData a="1" >"#,
                r#"<x:row r="1"><x:c r="B1" t="inlineStr"><x:is><x:t xml:space="preserve">b</x:t></x:is></x:c></x:row>"#,
                r#"<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t xml:space="preserve">a</x:t></x:is></x:c></x:row>"#,
                r#"</x:sheetData></x:worksheet>"#
            )
        );
    }

    #[test]
    fn rows_and_cells_written_take_the_sheets_prefix() {
        let sheet = r#"<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1"/><x:row r="3"><x:c r="B3" s="4"/></x:row></x:sheetData></x:worksheet>"#;
        let writes: BTreeMap<(usize, usize), String> =
            [((0, 0), "a".to_string()), ((1, 0), "b".to_string()), ((2, 1), "c".to_string())]
                .into_iter()
                .collect();
        let (out, _) = rewrite_sheet(sheet.as_bytes(), &writes).unwrap();
        let cell = |reference: &str, style: &str, text: &str| {
            format!(
                r#"<x:c r="{reference}"{style} t="inlineStr"><x:is><x:t xml:space="preserve">{text}</x:t></x:is></x:c>"#
            )
        };
        assert_eq!(
            String::from_utf8(out).unwrap(),
            format!(
                r#"<x:worksheet xmlns:x="urn:x"><x:sheetData><x:row r="1">{}</x:row><x:row r="2">{}</x:row><x:row r="3">{}</x:row></x:sheetData></x:worksheet>"#,
                cell("A1", "", "a"),
                cell("A2", "", "b"),
                cell("B3", r#" s="4""#, "c")
            )
        );
    }

    /// Found by a red team: each used to panic in calamine, allocate gigabytes, or write into
    /// the wrong place. Each is refused with the browser's words (tests/browser/workbook.test.mjs).
    #[test]
    fn absurd_references_are_refused_before_calamine_reads_them() {
        for reference in ["ZZZZZZZ2", "A99999999999999999999999", "XFD1048576"] {
            let sheet = format!(
                r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Question</t></is></c></row><row><c r="{reference}"><v>1</v></c></row></sheetData></worksheet>"#
            );
            let workbook = workbook_of(&[("Q", &sheet)], "");
            let error = workbook.rows("Q").unwrap_err().to_string();
            assert!(error.contains("more than a questionnaire can (16777216 cells)"), "{reference}: {error}");
        }
    }

    #[test]
    fn a_sheet_with_two_relationship_ids_is_refused() {
        let workbook = workbook_of(&[("Q", &column_of(&["Question"]))], "");
        let bytes = workbook.bytes.clone();
        let mut archive = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).unwrap();
            let name = entry.name().unwrap().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).unwrap();
            if name == "xl/workbook.xml" {
                text = text.replace(r#"r:id="rId1"/>"#, r#"r:id="rId1" id="rId2"/>"#);
            }
            out.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            out.write_all(text.as_bytes()).unwrap();
        }
        let error = Workbook::open(out.finish().unwrap().into_inner()).err().unwrap().to_string();
        assert!(error.contains("has more than one relationship id"), "{error}");
    }

    #[test]
    fn a_sheet_whose_rows_or_cells_have_no_reference_is_not_filled() {
        let writes: BTreeMap<(usize, usize), String> = [((1, 1), "x".to_string())].into_iter().collect();
        for sheet in [
            r#"<worksheet><sheetData><row><c r="A1"><v>1</v></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c><v>1</v></c></row></sheetData></worksheet>"#,
        ] {
            let error = rewrite_sheet(sheet.as_bytes(), &writes).err().unwrap().to_string();
            assert_eq!(error, NO_REFERENCE, "{sheet}");
        }
    }
}
