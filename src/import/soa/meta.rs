//! The SoA's version, approver and approval date, as the sheet's columns give them.

use std::collections::BTreeSet;

use crate::import::sheet::Table;
use crate::import::{column_letter, parse_column, Place};

use super::SoaReport;

/// The SoA's version, approver and approval date, from columns (`soa_version`, as the
/// bundle's soa.csv has them) when every row that has one agrees.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Meta {
    pub version: Option<String>,
    pub approved_by: Option<String>,
    pub approved: Option<crate::date::Date>,
}

pub(super) fn report_meta(report: &mut SoaReport, tables: &[Table], name: &str) -> Meta {
    let Some(table) = tables.iter().find(|t| t.sheet == report.sheet) else { return Meta::default() };
    let mut meta = Meta::default();
    let place = Place::file(name, table.sheet.as_deref());
    for role in ["version", "approved_by", "approved"] {
        let Some(column) = report.columns.iter().find(|c| c.role.as_deref() == Some(role)) else { continue };
        let column = parse_column(&column.column).unwrap_or(0);
        let found: BTreeSet<&str> = report
            .controls
            .values()
            .map(|e| table.cell(e.row - 1, column))
            .filter(|v| !v.is_empty())
            .collect();
        let value = match found.len() {
            0 => continue,
            1 => found.into_iter().next().unwrap_or_default().to_string(),
            _ => {
                report.notes.push(format!(
                    "{place}, column {}: the rows give different values for the SoA's `{role}`; not imported",
                    column_letter(column)
                ));
                continue;
            }
        };
        match role {
            "version" => meta.version = Some(value),
            "approved_by" => meta.approved_by = Some(value),
            _ => match parse_date_text(&value) {
                Some(date) => meta.approved = Some(date),
                None => report.notes.push(format!(
                    "{place}, column {}: `{value}` is not a date (expected YYYY-MM-DD); the SoA's approval date is not imported",
                    column_letter(column)
                )),
            },
        }
    }
    meta
}

/// `2026-09-15`, or the day number Excel stores a date as.
pub fn parse_date_text(text: &str) -> Option<crate::date::Date> {
    let text = text.trim();
    if let Ok(date) = crate::date::Date::parse(text.get(..10).unwrap_or(text)) {
        return Some(date);
    }
    let serial: f64 = text.parse().ok()?;
    if !(20_000.0..80_000.0).contains(&serial) {
        return None;
    }
    crate::date::Date::from_unix_seconds(((serial.floor() as i64) - 25_569) * 86_400)
}
