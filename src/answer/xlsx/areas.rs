//! The areas of a sheet whose cells other than the top-left one `fill` leaves alone: merged
//! areas, and the areas array formulas fill.

use quick_xml::events::Event;

use super::references::parse_reference;
use super::xml::attribute;
use super::Area;

/// Every merged area as (first row, first column, last row, last column).
pub(super) fn merged_areas(sheet: &[u8]) -> Vec<(usize, usize, usize, usize)> {
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

/// `A1:C3` (or `B2`, one cell) as an area.
fn parse_area(text: &str) -> Option<Area> {
    let (start, end) = text.split_once(':').unwrap_or((text, text));
    let ((r0, c0), (r1, c1)) = (parse_reference(start)?, parse_reference(end)?);
    Some((r0, c0, r1, c1))
}

/// Merged areas first, then array formulas' areas, each with why `fill` leaves its cells.
pub(super) fn covered_areas(sheet: &[u8]) -> Vec<(Area, &'static str)> {
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
pub(super) fn array_areas(sheet: &[u8]) -> Vec<(usize, usize, usize, usize)> {
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
