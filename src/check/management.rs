//! The management system checked as a stage 1 auditor would: every clause 4 to 10 that
//! requires documented information has a record (`clause-missing`), and every objective is
//! measured on time and acted on when it misses its target.

use std::path::Path;

use super::Sources;
use crate::clauses;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::model::{Isms, Objective};

pub fn check(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    missing_clauses(isms, diagnostics);
    for objective in isms.objectives.values() {
        measured_on_time(objective, today, sources, diagnostics);
        if let Some(future) = objective.measurements.iter().find(|m| m.date > today) {
            diagnostics.push(
                Diagnostic::warning(
                    "objective-measurement-in-future",
                    format!(
                        "objective {} has a measurement dated {}, after today ({today})",
                        objective.id, future.date
                    ),
                )
                .at(sources.value(&objective.source, &future.date.to_string()))
                .hint("fix the date: the latest measurement is the one the site shows as current"),
            );
        }
        missed_targets(objective, sources, diagnostics);
    }
}

fn missing_clauses(isms: &Isms, diagnostics: &mut Diagnostics) {
    for coverage in clauses::coverage(isms) {
        if !coverage.satisfied_by.is_empty() {
            continue;
        }
        let clause = coverage.clause;
        let diagnostic = Diagnostic::warning(
            "clause-missing",
            format!(
                "ISO/IEC 27001 clause {} ({}): no record in the content satisfies it",
                clauses::display(clause.id),
                clause.title
            ),
        )
        .hint(clause.how)
        .at(Location::file(Path::new(clause.place)));
        diagnostics.push(diagnostic);
    }
}

/// The latest measurement is no older than the objective's frequency.
fn measured_on_time(
    objective: &Objective,
    today: Date,
    sources: &mut Sources,
    diagnostics: &mut Diagnostics,
) {
    if !crate::freshness::measurement_overdue(objective, today) {
        return;
    }
    let message = match objective.latest() {
        None => format!("objective {} has no measurement yet", objective.id),
        Some(latest) => format!(
            "objective {}'s last measurement ({}) is older than its frequency ({} month{}): one is overdue",
            objective.id,
            latest.date,
            objective.frequency.months,
            if objective.frequency.months == 1 { "" } else { "s" }
        ),
    };
    diagnostics.push(
        Diagnostic::warning("objective-measurement-overdue", message)
            .at(sources.key(&objective.source, "frequency"))
            .hint("add the latest value under `measurements:`, or in measurements/<ID>.yaml"),
    );
}

/// The last two measurements both missed the target, and no corrective action is dated on or
/// after the first of them.
fn missed_targets(objective: &Objective, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let [.., first, second] = objective.measurements.as_slice() else { return };
    if !objective.target.is_finite() {
        return; // `invalid-measurement` says so.
    }
    if objective.met_by(first.value) || objective.met_by(second.value) {
        return;
    }
    if objective.corrective_actions.iter().any(|action| action.date >= first.date) {
        return;
    }
    diagnostics.push(
        Diagnostic::warning(
            "objective-target-missed",
            format!(
                "objective {} missed its target ({}) twice in a row ({} and {}) with no corrective action since",
                objective.id,
                objective.target_text(),
                first.date,
                second.date
            ),
        )
        .at(sources.key(&objective.source, "target"))
        .hint("record what is being done under `corrective_actions:` (date, action)"),
    );
}
