//! How a list of diagnostics is shown to a person: repeats of one code grouped (the first
//! three in full, then one line naming where the rest are), and the `--deny`/`--allow` choices
//! a team makes for its CI. Machine output (`--format json`) always has every diagnostic.

use std::collections::BTreeMap;

use super::{Diagnostic, Severity};

/// How many diagnostics of one code are shown in full before the rest are summed up.
pub const SHOWN_IN_FULL: usize = 3;

/// One entry of a human report: a diagnostic in full, or the rest of a code in a line.
#[derive(Debug, PartialEq)]
pub enum Shown<'a> {
    Full(&'a Diagnostic),
    /// `… and 67 more soa-implemented-without-support: soa.yaml:20, soa.yaml:25, …`
    More {
        code: &'static str,
        severity: Severity,
        places: Vec<String>,
    },
}

/// `diagnostics` in their order, with each code's fourth and later diagnostics replaced by
/// one `More` line, listing where they are, right after its third. Only diagnostics at a
/// line are grouped: one about a whole file or folder (`clause-missing`) says what it is about
/// in its message, and is always shown in full.
pub fn grouped(diagnostics: &[Diagnostic]) -> Vec<Shown<'_>> {
    let at_line = |d: &Diagnostic| d.location.as_ref().is_some_and(|l| l.line > 0);
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for diagnostic in diagnostics.iter().filter(|d| at_line(d)) {
        *count.entry(diagnostic.code).or_default() += 1;
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut shown = Vec::new();
    for diagnostic in diagnostics {
        if !at_line(diagnostic) {
            shown.push(Shown::Full(diagnostic));
            continue;
        }
        let index = seen.entry(diagnostic.code).or_default();
        *index += 1;
        if *index <= SHOWN_IN_FULL {
            shown.push(Shown::Full(diagnostic));
        }
        if *index == SHOWN_IN_FULL && count[diagnostic.code] > SHOWN_IN_FULL {
            let places = diagnostics
                .iter()
                .filter(|d| d.code == diagnostic.code && at_line(d))
                .skip(SHOWN_IN_FULL)
                .filter_map(|d| d.location.as_ref().map(ToString::to_string))
                .collect();
            shown.push(Shown::More { code: diagnostic.code, severity: diagnostic.severity, places });
        }
    }
    shown
}

impl Shown<'_> {
    /// The `More` line: its places, up to ten, then `…`.
    pub fn more_line(code: &str, severity: Severity, places: &[String]) -> String {
        const LISTED: usize = 10;
        let mut listed: Vec<&str> = places.iter().take(LISTED).map(String::as_str).collect();
        if places.len() > LISTED {
            listed.push("…");
        }
        let kind = match severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        format!("{kind}[{code}]: … and {} more: {}", places.len(), listed.join(", "))
    }
}

/// What a team chose for its CI: codes made errors (`--deny`), and codes left out
/// (`--allow`).
#[derive(Debug, Default, Clone)]
pub struct Choices {
    pub deny: Vec<String>,
    pub allow: Vec<String>,
}

impl Choices {
    /// `diagnostics` with the allowed codes' warnings left out and the denied codes' made
    /// errors. An error is never allowed away: what stops a build stops `check`.
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        diagnostics
            .into_iter()
            .filter(|d| d.is_error() || !self.allow.iter().any(|code| code == d.code))
            .map(|mut d| {
                if self.deny.iter().any(|code| code == d.code) {
                    d.severity = Severity::Error;
                }
                d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    fn at(code: &'static str, line: u32) -> Diagnostic {
        Diagnostic::warning(code, format!("{code} {line}")).at(Location::at(
            std::path::Path::new("soa.yaml"),
            line,
            3,
        ))
    }

    #[test]
    fn repeats_past_three_become_one_line_after_the_third() {
        let diagnostics: Vec<Diagnostic> =
            (1..=6).map(|line| at("soa-x", line)).chain([at("other", 9), at("soa-x", 12)]).collect();
        let shown = grouped(&diagnostics);
        assert_eq!(shown.len(), 5, "{shown:?}");
        assert!(matches!(shown[3], Shown::More { code: "soa-x", ref places, .. } if places.len() == 4));
        assert_eq!(shown[4], Shown::Full(&diagnostics[6]));
        let Shown::More { code, severity, places } = &shown[3] else { unreachable!() };
        assert_eq!(
            Shown::more_line(code, *severity, places),
            "warning[soa-x]: … and 4 more: soa.yaml:4:3, soa.yaml:5:3, soa.yaml:6:3, soa.yaml:12:3"
        );
    }

    #[test]
    fn deny_makes_errors_and_allow_drops_only_warnings() {
        let choices =
            Choices { deny: vec!["check-stale".into()], allow: vec!["soa-x".into(), "broken".into()] };
        let diagnostics = vec![at("check-stale", 1), at("soa-x", 2), Diagnostic::error("broken", "stays")];
        let applied = choices.apply(diagnostics);
        let codes: Vec<(&str, bool)> = applied.iter().map(|d| (d.code, d.is_error())).collect();
        assert_eq!(codes, [("check-stale", true), ("broken", true)]);
    }
}
