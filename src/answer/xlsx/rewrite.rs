//! The cell editor: a sheet's XML with the written cells set, every other byte as it was.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use quick_xml::events::{BytesStart, Event};

use super::references::{parse_reference, reference};
use super::xml::attribute;
use super::XlsxError;

/// The sheet's XML rewritten, and the cells (row, column) left because they hold a formula.
type Rewritten = (Vec<u8>, Vec<(usize, usize)>);

/// What `fill` says of a sheet in which a row or cell has no reference (`r`).
pub(super) const NO_REFERENCE: &str = "the sheet has rows or cells without a reference (`r`), which cannot be filled safely: open the file in Excel or LibreOffice, save it, and try again";

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
/// reader opens. Text that merely looks like such an escape (`_x0041_`) has its underscore
/// written `_x005F_`, as Excel, XlsxWriter and EPPlus write it: left as it is, Excel and
/// calamine would read "A", and the customer would read other words than the approved answer
/// the record holds the hash of.
pub fn excel_text(text: &str) -> Cow<'_, str> {
    let escape = |c: char| matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    // An underscore that starts what a reader would take for an escape: `_x`, four hex
    // digits, `_`.
    let starts_escape = |at: usize| {
        let rest = text.as_bytes()[at..].get(..7);
        rest.is_some_and(|r| {
            r[0] == b'_' && r[1] == b'x' && r[2..6].iter().all(u8::is_ascii_hexdigit) && r[6] == b'_'
        })
    };
    if !text.chars().any(escape) && !text.match_indices('_').any(|(at, _)| starts_escape(at)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        if escape(c) {
            out.push_str(&format!("_x{:04X}_", c as u32));
        } else if c == '_' && starts_escape(at) {
            out.push_str("_x005F_");
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The sheet's XML with the cells of `writes` set, every other byte as it was; and the
/// cells not written because they hold a formula.
pub(super) fn rewrite_sheet(
    xml: &[u8],
    writes: &BTreeMap<(usize, usize), String>,
) -> Result<Rewritten, XlsxError> {
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
