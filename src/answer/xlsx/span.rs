//! The guard before calamine reads a sheet: a sheet whose cells span more than a questionnaire
//! can is refused before calamine allocates its used range.

use quick_xml::events::{BytesStart, Event};

use super::MAX_CELLS;

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
pub(super) fn check_span(xml: &[u8]) -> Result<(), String> {
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
