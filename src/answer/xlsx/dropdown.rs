//! The values of a column's list dropdown (data validation): the validations of a sheet, and
//! the list, range or defined name each names.

use quick_xml::events::Event;

use super::references::parse_reference;
use super::xml::{attribute, unescaped_text};
use super::{Workbook, XlsxError};

impl Workbook {
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
    pub(super) fn defined_name(&self, name: &str) -> Option<String> {
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
}

/// Every list validation of a sheet: (the cells it covers, its `formula1`), classic ones
/// (`<dataValidation type="list" sqref="C4:C40"><formula1>…`) and Excel 2010's
/// (`<x14:dataValidation type="list"><x14:formula1><xm:f>…</xm:f></x14:formula1><xm:sqref>…`).
pub(super) fn list_validations(xml: &[u8]) -> Vec<(String, String)> {
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

pub(super) fn range_has_column(range: &str, column: usize) -> bool {
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
