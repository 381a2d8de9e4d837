//! Finding a sheet's header row and what each column holds, by the header's words: the way
//! `answer::layout` finds a questionnaire's columns (the same reading of a header into
//! lower-case words, the same rule for a match), with the keyword lists of an SoA and of an
//! answer library. Each guess can be replaced by a `--column ROLE=COL` flag.

use std::collections::BTreeMap;

use crate::answer::text::words;

/// A role's header keywords, lower-case words joined by one space. A header matches a
/// keyword when it is that keyword, or (for keywords of two words or more, or of five
/// letters or more) holds it. Roles are tried in the order given: the first that matches
/// takes the column.
pub type Keywords = &'static [(&'static str, &'static [&'static str])];

/// The role a header names, if any.
pub fn role_of(header: &str, keywords: Keywords) -> Option<&'static str> {
    let header = words(header).join(" ");
    if header.is_empty() {
        return None;
    }
    let padded = format!(" {header} ");
    keywords
        .iter()
        .find(|(_, list)| {
            list.iter().any(|keyword| {
                let inside = keyword.contains(' ') || keyword.len() >= 5;
                header == *keyword || (inside && padded.contains(&format!(" {keyword} ")))
            })
        })
        .map(|(role, _)| *role)
}

/// What each column of a header row holds: role → columns, in column order (a role may
/// take several columns, such as a justification for inclusion and one for exclusion).
pub type Roles = BTreeMap<&'static str, Vec<usize>>;

/// The roles of one row's cells.
pub fn roles_of_row(row: &[String], keywords: Keywords) -> Roles {
    let mut roles: Roles = BTreeMap::new();
    for (column, cell) in row.iter().enumerate() {
        if let Some(role) = role_of(cell, keywords) {
            roles.entry(role).or_default().push(column);
        }
    }
    roles
}

/// The header row among `candidates`: the one whose cells name the most roles, counting
/// `required` roles first; among equals, the last (the row right above the data, under a
/// title that happens to hold a keyword). `None` when no row names every required role.
pub fn find_header(
    rows: &[Vec<String>],
    candidates: std::ops::Range<usize>,
    keywords: Keywords,
    required: &[&str],
) -> Option<(usize, Roles)> {
    let mut best: Option<(usize, usize, Roles)> = None;
    for row in candidates {
        let Some(cells) = rows.get(row) else { break };
        let roles = roles_of_row(cells, keywords);
        if !required.iter().all(|r| roles.contains_key(r)) {
            continue;
        }
        let count = roles.len();
        if count > 0 && best.as_ref().is_none_or(|(most, _, _)| count >= *most) {
            best = Some((count, row, roles));
        }
    }
    best.map(|(_, row, roles)| (row, roles))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYWORDS: Keywords =
        &[("notes", &["implementation notes", "notes"]), ("status", &["status", "implementation"])];

    #[test]
    fn roles_are_tried_in_order_and_long_keywords_match_inside() {
        assert_eq!(role_of("Implementation notes (internal)", KEYWORDS), Some("notes"));
        assert_eq!(role_of("Implementation", KEYWORDS), Some("status"));
        assert_eq!(role_of("Implementation status", KEYWORDS), Some("status"));
        assert_eq!(role_of("Statuses", KEYWORDS), None);
        assert_eq!(role_of("", KEYWORDS), None);
    }
}
