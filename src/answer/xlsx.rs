//! A questionnaire kept as an Excel workbook (`.xlsx`, `.xlsm`), read with calamine and filled
//! in place: every part of the package is copied as it was (compressed bytes, order, dates,
//! the archive's comment), except the one sheet written, in which only the written cells
//! change. Styles, merged cells, data validations (dropdowns), formulas, column widths,
//! comments, defined names and macros stay exactly as they were.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, Xlsx};
use quick_xml::events::{BytesStart, Event};

/// More than this in all, uncompressed, is not a questionnaire: a zip bomb is refused before
/// anything is decompressed.
const MAX_UNCOMPRESSED: u64 = 256 * 1024 * 1024;

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
        Ok(Workbook { bytes, sheets })
    }

    /// The sheet's cells as text, at their place in the sheet (row and column from 0).
    pub fn rows(&self, sheet: &str) -> Result<Vec<Vec<String>>, XlsxError> {
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(&self.bytes))
            .map_err(|e| XlsxError::Broken(format!("cannot read the workbook: {e}")))?;
        let range = workbook
            .worksheet_range(sheet)
            .map_err(|e| XlsxError::Broken(format!("cannot read sheet `{sheet}`: {e}")))?;
        let Some((top, left)) = range.start() else { return Ok(Vec::new()) };
        let (top, left) = (top as usize, left as usize);
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

    /// What a workbook-level defined name stands for (`YesNo` → `Lists!$A$1:$A$3`).
    fn defined_name(&self, name: &str) -> Option<String> {
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '.') {
            return None;
        }
        let xml = self.part("xl/workbook.xml").ok()?;
        let mut reader = quick_xml::Reader::from_reader(xml.as_slice());
        let (mut inside, mut buffer) = (false, Vec::new());
        loop {
            match reader.read_event_into(&mut buffer) {
                Ok(Event::Start(e)) if e.local_name().as_ref() == "definedName" => {
                    inside = attribute(&e, b"name").as_deref() == Some(name)
                        && attribute(&e, b"localSheetId").is_none();
                }
                Ok(Event::Text(text)) if inside => {
                    let raw = text.into_inner();
                    return quick_xml::escape::unescape(&raw).ok().map(|t| t.into_owned());
                }
                Ok(Event::End(e)) if e.local_name().as_ref() == "definedName" => inside = false,
                Ok(Event::Eof) | Err(_) => return None,
                _ => {}
            }
            buffer.clear();
        }
    }

    /// The workbook with `writes` (by sheet name: cell → text) made, and per sheet the cells
    /// left alone: inside a merged area (only its top-left cell holds a value) or holding a
    /// formula. Every other part of the file is copied as it was, byte for byte.
    pub fn fill(
        &self,
        writes: &BTreeMap<String, BTreeMap<(usize, usize), String>>,
    ) -> Result<(Vec<u8>, SkippedBySheet), XlsxError> {
        let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut skipped_by_sheet = BTreeMap::new();
        for (sheet, writes) in writes {
            let path = self.sheet_path(sheet)?.to_string();
            let original = self.part(&path)?;
            let merged = merged_areas(&original);
            let mut skipped = Vec::new();
            let mut writes = writes.clone();
            writes.retain(|&(row, column), _| {
                let inside = merged.iter().any(|&(r0, c0, r1, c1)| {
                    (r0..=r1).contains(&row) && (c0..=c1).contains(&column) && (row, column) != (r0, c0)
                });
                if inside {
                    skipped.push((row, column, "inside a merged area"));
                }
                !inside
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

fn attribute(element: &BytesStart, name: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref().as_bytes() == name)
        .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()))
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
    let mut n = column + 1;
    let mut letters = String::new();
    while n > 0 {
        letters.insert(0, char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// Every list validation of a sheet: (the cells it covers, its `formula1`), classic ones
/// (`<dataValidation type="list" sqref="C4:C40"><formula1>…`) and Excel 2010's
/// (`<x14:dataValidation type="list"><x14:formula1><xm:f>…</xm:f></x14:formula1><xm:sqref>…`).
fn list_validations(xml: &[u8]) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut found = Vec::new();
    // The validation being read: is it a list, its cells, its formula; and which element's
    // text is being read.
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
            Ok(Event::Text(text)) if in_formula || in_sqref => {
                let raw = text.into_inner();
                let text = quick_xml::escape::unescape(&raw).map(|t| t.into_owned()).unwrap_or_default();
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
                if let Some(area) = attribute(&e, b"ref") {
                    let (start, end) = area.split_once(':').unwrap_or((&area, &area));
                    if let (Some((r0, c0)), Some((r1, c1))) = (parse_reference(start), parse_reference(end)) {
                        areas.push((r0, c0, r1, c1));
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return areas,
            _ => {}
        }
        buffer.clear();
    }
}

/// The cell written for `text` at (row, column), keeping the style of the cell it replaces.
fn inline_cell(row: usize, column: usize, style: Option<&str>, text: &str) -> Vec<u8> {
    let style = style.map(|s| format!(" s=\"{}\"", quick_xml::escape::escape(s))).unwrap_or_default();
    format!(
        "<c r=\"{}\"{style} t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        reference(row, column),
        quick_xml::escape::escape(text)
    )
    .into_bytes()
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
    let mut pending_cells: Vec<usize> = Vec::new(); // columns of the current row, reversed
    let mut buffer = Vec::new();
    let emit_row = |out: &mut Vec<u8>, row: usize| {
        out.extend_from_slice(format!("<row r=\"{}\">", row + 1).as_bytes());
        for ((_, column), text) in writes.range((row, 0)..(row + 1, 0)) {
            out.extend(inline_cell(row, *column, None, text));
        }
        out.extend_from_slice(b"</row>");
    };
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event_into(&mut buffer).map_err(broken)?;
        let end = reader.buffer_position() as usize;
        let raw = &xml[start..end];
        match event {
            Event::Eof => break,
            Event::Empty(e) if e.local_name().as_ref() == "sheetData" => {
                out.extend_from_slice(b"<sheetData>");
                while let Some(row) = pending_rows.pop() {
                    emit_row(&mut out, row);
                }
                out.extend_from_slice(b"</sheetData>");
            }
            Event::End(e) if e.local_name().as_ref() == "sheetData" => {
                while let Some(row) = pending_rows.pop() {
                    emit_row(&mut out, row);
                }
                out.extend_from_slice(raw);
            }
            Event::Start(ref e) | Event::Empty(ref e) if e.local_name().as_ref() == "row" => {
                let row =
                    attribute(e, b"r").and_then(|r| r.parse::<usize>().ok()).and_then(|r| r.checked_sub(1));
                if let Some(row) = row {
                    while pending_rows.last().is_some_and(|&p| p < row) {
                        let earlier = pending_rows.pop().unwrap_or(row);
                        emit_row(&mut out, earlier);
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
                            out.extend(inline_cell(row, column, None, &writes[&(row, column)]));
                        }
                        out.extend_from_slice(b"</row>");
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
                        out.extend(inline_cell(row, column, None, &writes[&(row, column)]));
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
                        out.extend(inline_cell(row, earlier, None, &writes[&(row, earlier)]));
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
                        out.extend(inline_cell(row, column, style.as_deref(), &writes[&(row, column)]));
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
}
