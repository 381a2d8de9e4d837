//! `clauses.csv` and `objectives.csv`: the management system as an auditor's spreadsheet
//! reads it. One row per clause 4 to 10 that requires a record, with what satisfies it; one
//! row per measurement of each objective. RFC 4180, UTF-8, CRLF line ends, formulas defused.

use crate::model::management::number_text;
use crate::model::Isms;
use crate::render::questionnaire::defuse;

pub const CLAUSES_CSV: &str = "clauses.csv";
pub const OBJECTIVES_CSV: &str = "objectives.csv";

/// `clause, requires, phase, satisfied_by, state`: `satisfied_by` joined with `; `, state
/// `present` or `missing`.
pub fn clauses_csv(isms: &Isms) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record(["clause", "requires", "phase", "satisfied_by", "state"]);
    for coverage in crate::clauses::coverage(isms) {
        let satisfied_by: Vec<String> = coverage
            .satisfied_by
            .iter()
            .map(|s| match &s.id {
                Some(id) => format!("{} {id}", s.kind),
                None => s.kind.to_string(),
            })
            .collect();
        let phase = format!("{:?}", coverage.clause.phase).to_lowercase();
        let state = if satisfied_by.is_empty() { "missing" } else { "present" };
        let record = [
            crate::clauses::display(coverage.clause.id).to_string(),
            coverage.clause.title.to_string(),
            phase,
            satisfied_by.join("; "),
            state.to_string(),
        ];
        let _ = writer.write_record(record.iter().map(|cell| defuse(cell)));
    }
    writer.into_inner().unwrap_or_default()
}

/// `objective, title, owner, direction, target, unit, date, value, met`: one row per
/// measurement, in objective then date order (an objective without measurements has one row
/// with no date). Targets and values are plain numbers, as written, for a spreadsheet to
/// compute with.
pub fn objectives_csv(isms: &Isms) -> Vec<u8> {
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let _ = writer.write_record([
        "objective",
        "title",
        "owner",
        "direction",
        "target",
        "unit",
        "date",
        "value",
        "met",
    ]);
    for objective in isms.objectives.values() {
        let direction = match objective.direction {
            crate::model::Direction::AtLeast => "at-least",
            crate::model::Direction::AtMost => "at-most",
        };
        let text =
            [objective.id.clone(), objective.title.clone(), objective.owner.clone().unwrap_or_default()];
        let mut fixed: Vec<String> = text.iter().map(|cell| defuse(cell)).collect();
        fixed.push(direction.to_string());
        fixed.push(number_text(objective.target));
        fixed.push(defuse(objective.unit.as_deref().unwrap_or_default()));
        let rows: Vec<[String; 3]> = if objective.measurements.is_empty() {
            vec![Default::default()]
        } else {
            objective
                .measurements
                .iter()
                .map(|m| {
                    let met = if objective.met_by(m.value) { "yes" } else { "no" };
                    [m.date.to_string(), number_text(m.value), met.to_string()]
                })
                .collect()
        };
        for row in rows {
            // Text cells are defused above; numbers and dates are written as they are.
            let _ = writer.write_record(fixed.iter().chain(&row));
        }
    }
    writer.into_inner().unwrap_or_default()
}
