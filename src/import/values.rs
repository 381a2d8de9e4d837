//! The words spreadsheets use for an SoA's decisions and an answer's short response, read
//! into the content's values. A word not listed is not guessed at: the caller reports it as
//! not understood and leaves the field for a person.

use crate::answer::text::words;
use crate::model::{Applicability, ControlStatus, Response};

/// What a cell said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read<T> {
    /// The cell is empty (or a dash): the sheet did not say.
    Empty,
    Value(T),
    NotUnderstood,
}

/// A cell's words, joined by one space; symbols that mean yes or no kept as themselves.
fn normal(text: &str) -> String {
    words(text).join(" ")
}

fn is_blank(text: &str) -> bool {
    let text = text.trim();
    text.is_empty() || ["-", "–", "—"].contains(&text)
}

const YES: &[&str] = &[
    "yes",
    "y",
    "true",
    "1",
    "applicable",
    "included",
    "include",
    "selected",
    "in scope",
    "yes applicable",
    "applicable yes",
    "is applicable",
];
const NO: &[&str] = &[
    "no",
    "n",
    "false",
    "0",
    "not applicable",
    "excluded",
    "exclude",
    "not selected",
    "out of scope",
    "not included",
    "no not applicable",
    "not applicable no",
];
const UNDECIDED: &[&str] = &["tbd", "tbc", "undecided", "to be decided", "to be confirmed", "not decided"];
const YES_SYMBOLS: &[&str] = &["✓", "✔", "☑", "✅", "✔️"];
const NO_SYMBOLS: &[&str] = &["✗", "✘", "☒", "❌", "✖"];

/// An SoA's applicability: Yes/No, Included/Excluded, Applicable/Not applicable, ✓/✗,
/// TRUE/FALSE, `undecided` or TBD. `N/A` and `x` are not read: either could mean yes or no.
pub fn applicability(text: &str) -> Read<Applicability> {
    let text = text.trim();
    if is_blank(text) {
        return Read::Empty;
    }
    if YES_SYMBOLS.contains(&text) {
        return Read::Value(Applicability::Applicable);
    }
    if NO_SYMBOLS.contains(&text) {
        return Read::Value(Applicability::Excluded);
    }
    let phrase = normal(text);
    if YES.contains(&phrase.as_str()) {
        return Read::Value(Applicability::Applicable);
    }
    if NO.contains(&phrase.as_str()) {
        return Read::Value(Applicability::Excluded);
    }
    if UNDECIDED.contains(&phrase.as_str()) {
        return Read::Value(Applicability::Undecided);
    }
    // `Yes – required by contract`: the first word decides when it is a plain yes or no.
    let (first, rest) = text.split_once([' ', '-', '–', '—', ',', ';', ':', '(']).unwrap_or((text, ""));
    if !rest.trim().is_empty() {
        match normal(first).as_str() {
            "yes" | "applicable" | "included" => return Read::Value(Applicability::Applicable),
            "no" | "excluded" => return Read::Value(Applicability::Excluded),
            _ => {}
        }
    }
    Read::NotUnderstood
}

const IMPLEMENTED: &[&str] = &[
    "implemented",
    "fully implemented",
    "done",
    "complete",
    "completed",
    "in place",
    "yes",
    "y",
    "operational",
    "effective",
    "implemented and effective",
    "live",
    "in operation",
    "100",
];
const PARTIAL: &[&str] = &[
    "partial",
    "partially",
    "partly",
    "partially implemented",
    "partly implemented",
    "in progress",
    "ongoing",
    "started",
    "being implemented",
    "implementation in progress",
    "wip",
    "work in progress",
];
const PLANNED: &[&str] =
    &["planned", "scheduled", "to do", "todo", "on the roadmap", "roadmap", "planned not started"];
const NOT_IMPLEMENTED: &[&str] = &[
    "not implemented",
    "no",
    "n",
    "none",
    "missing",
    "not in place",
    "not started",
    "not yet implemented",
    "0",
];
/// What an excluded control's status cell says: nothing to import.
const NOT_APPLICABLE: &[&str] = &["n a", "na", "not applicable", "excluded"];

/// A control's implementation status. `Ok(None)` for N/A (nothing to import on an excluded
/// control); a percentage reads as implemented (100), not implemented (0) or partial.
pub fn status(text: &str) -> Read<Option<ControlStatus>> {
    let text = text.trim();
    if is_blank(text) {
        return Read::Empty;
    }
    if let Some(number) = text.strip_suffix('%').and_then(|n| n.trim().parse::<f64>().ok()) {
        return match number {
            n if n >= 100.0 => Read::Value(Some(ControlStatus::Implemented)),
            n if n <= 0.0 => Read::Value(Some(ControlStatus::NotImplemented)),
            _ => Read::Value(Some(ControlStatus::Partial)),
        };
    }
    let phrase = normal(text);
    let phrase = phrase.as_str();
    let tables: [(&[&str], Option<ControlStatus>); 5] = [
        (IMPLEMENTED, Some(ControlStatus::Implemented)),
        (PARTIAL, Some(ControlStatus::Partial)),
        (PLANNED, Some(ControlStatus::Planned)),
        (NOT_IMPLEMENTED, Some(ControlStatus::NotImplemented)),
        (NOT_APPLICABLE, None),
    ];
    for (list, value) in tables {
        if list.contains(&phrase) {
            return Read::Value(value);
        }
    }
    // Our own words, as soa.yaml writes them.
    if let Some(found) = ControlStatus::ALL.iter().find(|s| text.eq_ignore_ascii_case(s.as_str())) {
        return Read::Value(Some(*found));
    }
    Read::NotUnderstood
}

/// An answer's short response: yes, no or not applicable.
pub fn response(text: &str) -> Read<Response> {
    let text = text.trim();
    if text.is_empty() {
        return Read::Empty;
    }
    if YES_SYMBOLS.contains(&text) {
        return Read::Value(Response::Yes);
    }
    if NO_SYMBOLS.contains(&text) {
        return Read::Value(Response::No);
    }
    match normal(text).as_str() {
        "yes" | "y" | "true" => Read::Value(Response::Yes),
        "no" | "n" | "false" => Read::Value(Response::No),
        "n a" | "na" | "not applicable" => Read::Value(Response::Na),
        _ => Read::NotUnderstood,
    }
}

/// A CAIQ "SSRM Control Ownership" value, in CSA's words (`Shared CSP and 3rd-party`) or
/// trustpress's (`shared-csp-third-party`).
pub fn ssrm(text: &str) -> Read<crate::model::Ssrm> {
    use crate::model::Ssrm;
    if is_blank(text) {
        return Read::Empty;
    }
    let text = normal(text).replace("3rd", "third").replace(" and ", " ");
    match text.as_str() {
        "csp owned" | "csp" => Read::Value(Ssrm::CspOwned),
        "csc owned" | "csc" => Read::Value(Ssrm::CscOwned),
        "third party outsourced" | "third party" => Read::Value(Ssrm::ThirdPartyOutsourced),
        "shared csp csc" => Read::Value(Ssrm::SharedCspCsc),
        "shared csp third party" => Read::Value(Ssrm::SharedCspThirdParty),
        _ => Read::NotUnderstood,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssrm_in_csas_words_and_ours() {
        use crate::model::Ssrm;
        for (text, want) in [
            ("CSP-owned", Ssrm::CspOwned),
            ("csc-owned", Ssrm::CscOwned),
            ("3rd-party outsourced", Ssrm::ThirdPartyOutsourced),
            ("Shared CSP and CSC", Ssrm::SharedCspCsc),
            ("Shared CSP and 3rd-party", Ssrm::SharedCspThirdParty),
            ("shared-csp-third-party", Ssrm::SharedCspThirdParty),
        ] {
            assert!(matches!(ssrm(text), Read::Value(got) if got == want), "{text}");
            assert!(matches!(ssrm(want.label()), Read::Value(got) if got == want), "{}", want.label());
        }
        assert!(matches!(ssrm("Shared"), Read::NotUnderstood));
        assert!(matches!(ssrm(" "), Read::Empty));
    }

    #[test]
    fn applicability_in_the_words_sheets_use() {
        for text in [
            "Yes",
            "Y",
            "TRUE",
            "Included",
            "✓",
            "✔",
            "Applicable",
            "Yes - required by contract",
            "yes (risk R-4)",
        ] {
            assert_eq!(applicability(text), Read::Value(Applicability::Applicable), "{text}");
        }
        for text in ["No", "n", "false", "Excluded", "Not applicable", "✗", "No – fully remote"] {
            assert_eq!(applicability(text), Read::Value(Applicability::Excluded), "{text}");
        }
        assert_eq!(applicability("TBD"), Read::Value(Applicability::Undecided));
        for text in ["", "  ", "-"] {
            assert_eq!(applicability(text), Read::Empty, "{text:?}");
        }
        for text in ["N/A", "x", "Maybe", "Partly", "Yes/No", "?"] {
            assert_eq!(applicability(text), Read::NotUnderstood, "{text}");
        }
    }

    #[test]
    fn status_in_the_words_sheets_use() {
        use ControlStatus::*;
        for (text, status) in [
            ("Implemented", Implemented),
            ("Fully implemented", Implemented),
            ("100%", Implemented),
            ("In progress", Partial),
            ("40 %", Partial),
            ("Planned", Planned),
            ("not-implemented", NotImplemented),
            ("Not started", NotImplemented),
            ("0%", NotImplemented),
        ] {
            assert_eq!(super::status(text), Read::Value(Some(status)), "{text}");
        }
        assert_eq!(super::status("N/A"), Read::Value(None));
        assert_eq!(super::status("Amber"), Read::NotUnderstood);
        assert_eq!(response("N/A"), Read::Value(Response::Na));
        assert_eq!(response("Sometimes"), Read::NotUnderstood);
    }
}
