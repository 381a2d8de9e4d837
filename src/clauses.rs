//! The documented information ISO/IEC 27001 clauses 4 to 10 require, and which content
//! satisfies each: records that name a clause (`clauses: [5.2]`) and records that satisfy one
//! by what they are (the risk register is the risk assessment's results). Below `check` and
//! `render`: `check` reports a clause nothing satisfies (`clause-missing`), the health page
//! shows the coverage, the auditor bundle exports it. The descriptions are our own words;
//! the standard's text is licensed.

use serde::Serialize;

use crate::model::{Isms, MarkdownRecord, RecordVisitor, Reference};

/// Plan, do, check, act: where a clause sits in the management cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Plan,
    Do,
    Check,
    Act,
}

/// A clause that requires documented information.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Clause {
    pub id: &'static str,
    /// What it asks for, in a few words of our own.
    pub title: &'static str,
    /// What in the content satisfies it: the hint of `clause-missing`.
    pub how: &'static str,
    pub phase: Phase,
    /// The file or folder where its record would go: where `clause-missing` points.
    pub place: &'static str,
}

const fn clause(id: &'static str, title: &'static str, how: &'static str, phase: Phase) -> Clause {
    let place = match id.as_bytes() {
        [b'4', ..] => "scope.yaml",
        b"6.1.3d" => "soa.yaml",
        b"6.2" | b"9.1" => "objectives.yaml",
        b"7.2" => "evidence/evidence.yaml",
        b"8.2" | b"8.3" => "risks.yaml",
        b"9.2" | b"10.2" => "audits",
        b"9.3" => "reviews",
        _ => "policies",
    };
    Clause { id, title, how, phase, place }
}

use Phase::{Act, Check, Do, Plan};

/// Every clause with required documented information, in the standard's order.
pub const CLAUSES: &[Clause] = &[
    clause(
        "4.1",
        "Issues that bear on the ISMS",
        "list them under `issues:` (external, internal) in scope.yaml, and say under `climate_change:` whether climate change is one (relevant, reason)",
        Plan,
    ),
    clause(
        "4.2",
        "Interested parties and what they require",
        "list them under `interested_parties:` in scope.yaml",
        Plan,
    ),
    clause("4.3", "ISMS scope", "write the scope `statement` in scope.yaml", Plan),
    clause(
        "5.2",
        "Information security policy",
        "name the clause in the top-level policy's front matter: `clauses: [5.2]`",
        Plan,
    ),
    clause(
        "6.1.2",
        "Risk assessment process",
        "name the clause (`clauses: [6.1.2]`) in the policy or document that says how risks are assessed",
        Plan,
    ),
    clause(
        "6.1.3",
        "Risk treatment process",
        "name the clause (`clauses: [6.1.3]`) in the policy or document that says how risks are treated",
        Plan,
    ),
    clause(
        "6.1.3d",
        "Statement of Applicability",
        "decide the controls in soa.yaml",
        Plan,
    ),
    clause("6.2", "Security objectives", "list them in objectives.yaml", Plan),
    clause(
        "7.2",
        "Evidence of competence",
        "name the clause (`clauses: [7.2]`) on the evidence of training or qualification",
        Do,
    ),
    clause(
        "8.1",
        "Operational planning and control",
        "name the clause (`clauses: [8.1]`) in the policy or document that plans and controls the ISMS's processes",
        Do,
    ),
    clause("8.2", "Risk assessment results", "list the risks in risks.yaml", Do),
    clause("8.3", "Risk treatment results", "give the risks in risks.yaml a `treatment`", Do),
    clause(
        "9.1",
        "Monitoring and measurement results",
        "record measurements of the objectives (objectives.yaml or measurements/), or control checks (status/)",
        Check,
    ),
    clause("9.2", "Internal audit programme and results", "record the internal audits in audits/", Check),
    clause("9.3", "Management review results", "record the management reviews in reviews/", Check),
    clause(
        "10.2",
        "Nonconformities and corrective actions",
        "record audit findings with their `corrective_action`, or name the clause (`clauses: [10.2]`) on the record that tracks them",
        Act,
    ),
];

/// The clause with `id`.
pub fn find(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|clause| clause.id == id)
}

/// Something in the content that satisfies a clause.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Satisfier {
    /// What kind of item: `policy`, `document`, `evidence`, `audit`, `management review`,
    /// or a file: `scope.yaml`, `objectives.yaml`, `soa.yaml`, `risks.yaml`, `status`.
    pub kind: &'static str,
    /// The item's id; `None` for a file.
    pub id: Option<String>,
}

/// A clause and what satisfies it (nothing: missing).
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    pub clause: &'static Clause,
    pub satisfied_by: Vec<Satisfier>,
}

/// Every clause's coverage in `isms`, in clause order. On a cut model, only what its
/// audience can see counts.
pub fn coverage(isms: &Isms) -> Vec<Coverage> {
    let mut named: Vec<(String, Satisfier)> = Vec::new();
    let mut name = |clauses: &[Reference], kind: &'static str, id: &str| {
        for clause in clauses {
            named.push((clause_id(&clause.id).to_string(), Satisfier { kind, id: Some(id.to_string()) }));
        }
    };
    for document in isms.documents.values() {
        name(&document.clauses, "document", &document.id);
    }
    for evidence in isms.evidence.values() {
        name(&evidence.clauses, "evidence", &evidence.id);
    }
    struct Records<'n>(&'n mut Vec<(String, Satisfier)>);
    impl<'a> RecordVisitor<'a> for Records<'_> {
        fn visit<K: MarkdownRecord>(&mut self, records: &'a std::collections::BTreeMap<String, K>) {
            for record in records.values() {
                for clause in record.clauses() {
                    let satisfier = Satisfier { kind: K::NAME, id: Some(record.id().to_string()) };
                    self.0.push((clause_id(&clause.id).to_string(), satisfier));
                }
            }
        }
    }
    isms.visit_records(&mut Records(&mut named));

    let file = |kind: &'static str| Satisfier { kind, id: None };
    let scope = isms.scope.as_ref().filter(|scope| !scope.statement_only);
    CLAUSES
        .iter()
        .map(|clause| {
            let mut satisfied_by: Vec<Satisfier> =
                named.iter().filter(|(id, _)| *id == clause.id).map(|(_, s)| s.clone()).collect();
            let derived = match clause.id {
                "4.1" => scope.is_some_and(|s| {
                    !(s.issues.external.is_empty() && s.issues.internal.is_empty())
                        && s.climate_change.is_some()
                }),
                "4.2" => scope.is_some_and(|s| !s.interested_parties.is_empty()),
                "4.3" => isms.scope.as_ref().is_some_and(|s| !s.statement.trim().is_empty()),
                "6.1.3d" => !isms.soa.controls.is_empty(),
                "6.2" => !isms.objectives.is_empty(),
                "8.2" => !isms.risks.is_empty(),
                "8.3" => isms.risks.values().any(|risk| risk.treatment.is_some()),
                "9.1" => {
                    isms.objectives.values().any(|o| !o.measurements.is_empty()) || !isms.checks.is_empty()
                }
                "9.2" => !isms.records.audits.is_empty(),
                "9.3" => !isms.records.reviews.is_empty(),
                "10.2" => isms
                    .records
                    .audits
                    .values()
                    .flat_map(|a| &a.findings)
                    .any(|f| f.corrective_action.is_some()),
                _ => false,
            };
            if derived {
                let kind = match clause.id {
                    "4.1" | "4.2" | "4.3" => "scope.yaml",
                    "6.1.3d" => "soa.yaml",
                    "6.2" => "objectives.yaml",
                    "8.2" | "8.3" => "risks.yaml",
                    "9.1" if isms.objectives.values().any(|o| !o.measurements.is_empty()) => {
                        "objectives.yaml"
                    }
                    "9.1" => "status",
                    "9.2" => "audits",
                    "9.3" => "reviews",
                    _ => "audit findings",
                };
                satisfied_by.insert(0, file(kind));
            }
            satisfied_by.dedup();
            Coverage { clause, satisfied_by }
        })
        .collect()
}

/// A clause's id as the standard writes it: `6.1.3d` is `6.1.3 d)`.
pub fn display(id: &str) -> &str {
    if id == "6.1.3d" {
        "6.1.3 d)"
    } else {
        id
    }
}

/// A clause id as written, with the SoA's `6.1.3 d)` spellings read as `6.1.3d`.
pub fn clause_id(written: &str) -> &str {
    match written.trim() {
        "6.1.3 d" | "6.1.3 d)" | "6.1.3(d)" | "6.1.3.d" => "6.1.3d",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_order() {
        let ids: Vec<&str> = CLAUSES.iter().map(|c| c.id).collect();
        let mut sorted = ids.clone();
        sorted.dedup();
        assert_eq!(ids, sorted);
        assert!(find("4.3").is_some() && find("6.1.3d").is_some() && find("A.5.1").is_none());
        assert_eq!(clause_id("6.1.3 d)"), "6.1.3d");
    }

    #[test]
    fn an_empty_isms_satisfies_nothing() {
        let coverage = coverage(&Isms::default());
        assert_eq!(coverage.len(), CLAUSES.len());
        assert!(coverage.iter().all(|c| c.satisfied_by.is_empty()));
    }
}

#[cfg(test)]
mod yaml_tests {
    #[test]
    fn clause_ids_read_as_written_even_where_yaml_sees_numbers() {
        #[derive(serde::Deserialize)]
        struct Item {
            clauses: Vec<crate::model::Reference>,
        }
        let item: Item = crate::load::yaml::parse(
            "clauses: [5.2, 6.1.2, 10.2, 9.1, '6.1.3 d)']\n",
            std::path::Path::new("x.yaml"),
            1,
        )
        .unwrap();
        let ids: Vec<&str> = item.clauses.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["5.2", "6.1.2", "10.2", "9.1", "6.1.3 d)"]);
    }
}
