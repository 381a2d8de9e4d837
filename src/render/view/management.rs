//! The views of the management system (clauses 4 to 10): the scope, the objectives with
//! their trend charts, and which record satisfies each clause.

use serde::Serialize;

use crate::clauses::{self, Phase};
use crate::model::{Direction, Measurement, Objective, Scope};
use crate::render::svg;
use crate::site::routes;

use super::ViewContext;

#[derive(Debug, Clone, Serialize)]
pub struct ObjectiveView {
    pub id: String,
    pub title: String,
    pub owner: Option<String>,
    pub measure: Option<String>,
    pub target: f64,
    /// `≥ 95%`, `≤ 7 days`.
    pub target_text: String,
    pub direction: Direction,
    pub unit: Option<String>,
    pub frequency_months: u32,
    pub measurements: Vec<Measurement>,
    pub latest: Option<Measurement>,
    /// `98%`, `4 days`.
    pub latest_text: Option<String>,
    /// The latest measurement meets the target.
    pub met: bool,
    /// The last measurement is older than the frequency.
    pub overdue: bool,
    pub corrective_actions: Vec<crate::model::management::CorrectiveAction>,
    /// The trend against the target, an inline SVG with its text alternative.
    pub chart: String,
}

/// A clause and the records that satisfy it, each with its page where it has one.
#[derive(Debug, Clone, Serialize)]
pub struct ClauseView {
    pub id: String,
    /// The id as the standard writes it: `6.1.3 d)` for `6.1.3d`.
    pub number: String,
    pub title: String,
    pub phase: Phase,
    pub satisfied_by: Vec<SatisfierView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SatisfierView {
    /// `policy POL-ISP`, `risks.yaml`.
    pub label: String,
    pub path: Option<String>,
}

/// One step of plan–do–check–act: its clauses present out of all, and what holds it up.
#[derive(Debug, Clone, Serialize)]
pub struct PhaseView {
    pub phase: Phase,
    pub present: usize,
    pub total: usize,
    /// Clause titles nothing satisfies, then other problems of the step.
    pub stuck_on: Vec<String>,
}

pub(super) fn scope(context: &ViewContext) -> Option<Scope> {
    context.isms.scope.clone()
}

pub(super) fn objectives(context: &ViewContext) -> Vec<ObjectiveView> {
    context.isms.objectives.values().map(|objective| objective_view(objective, context)).collect()
}

fn objective_view(objective: &Objective, context: &ViewContext) -> ObjectiveView {
    let today = context.today;
    let latest = objective.latest().copied();
    ObjectiveView {
        id: objective.id.clone(),
        title: objective.title.clone(),
        owner: objective.owner.clone(),
        measure: objective.measure.clone(),
        target: objective.target,
        target_text: objective.target_text(),
        direction: objective.direction,
        unit: objective.unit.clone(),
        frequency_months: objective.frequency.months,
        measurements: objective.measurements.clone(),
        latest,
        latest_text: latest.map(|m| objective.value_text(m.value)),
        met: latest.is_some_and(|m| objective.met_by(m.value)),
        overdue: crate::freshness::measurement_overdue(objective, today),
        corrective_actions: objective.corrective_actions.clone(),
        chart: svg::trend(objective, context.locale),
    }
}

pub(super) fn clauses(context: &ViewContext) -> Vec<ClauseView> {
    clauses::coverage(context.isms)
        .into_iter()
        .map(|coverage| ClauseView {
            id: coverage.clause.id.to_string(),
            number: clauses::display(coverage.clause.id).to_string(),
            title: coverage.clause.title.to_string(),
            phase: coverage.clause.phase,
            satisfied_by: coverage
                .satisfied_by
                .iter()
                .map(|satisfier| {
                    let label = match &satisfier.id {
                        Some(id) => format!("{} {id}", satisfier.kind),
                        None => satisfier.kind.to_string(),
                    };
                    SatisfierView { label, path: path_of(satisfier) }
                })
                .collect(),
        })
        .collect()
}

/// The page that shows what satisfies a clause.
fn path_of(satisfier: &clauses::Satisfier) -> Option<String> {
    let id = satisfier.id.as_deref().unwrap_or("");
    Some(match satisfier.kind {
        "policy" => routes::policy(id),
        "audit" => routes::audit(id),
        "management review" => routes::review(id),
        "document" => routes::DOCUMENTS.to_string(),
        "scope.yaml" => routes::SCOPE.to_string(),
        "objectives.yaml" => format!("{}#objectives", routes::HEALTH),
        "soa.yaml" => routes::SOA.to_string(),
        "risks.yaml" => routes::RISKS.to_string(),
        "audits" | "audit findings" => routes::AUDITS.to_string(),
        "reviews" => routes::REVIEWS.to_string(),
        "status" => routes::SOA.to_string(),
        _ => return None,
    })
}

/// Plan, do, check, act, each with the clauses present and what holds it up, said in the
/// site's language.
pub fn phases(
    clauses: &[ClauseView],
    objectives: &[ObjectiveView],
    failing_checks: usize,
    open_findings: usize,
    locale: &crate::locale::Locale,
) -> Vec<PhaseView> {
    let counted =
        |key: &str, count: usize| locale.plain(key, Some(count as i64), &[("count", count.to_string())]);
    [Phase::Plan, Phase::Do, Phase::Check, Phase::Act]
        .into_iter()
        .map(|phase| {
            let of_phase: Vec<&ClauseView> = clauses.iter().filter(|c| c.phase == phase).collect();
            let mut stuck_on: Vec<String> = of_phase
                .iter()
                .filter(|c| c.satisfied_by.is_empty())
                .map(|c| {
                    locale.plain(
                        "health.stuck.no_record",
                        None,
                        &[("clause", clauses::display(&c.id).to_string()), ("title", c.title.clone())],
                    )
                })
                .collect();
            match phase {
                Phase::Check => {
                    let overdue = objectives.iter().filter(|o| o.overdue).count();
                    let missed = objectives.iter().filter(|o| o.latest.is_some() && !o.met).count();
                    if overdue > 0 {
                        stuck_on.push(counted("health.stuck.measurements_overdue", overdue));
                    }
                    if missed > 0 {
                        stuck_on.push(counted("health.stuck.off_target", missed));
                    }
                    if failing_checks > 0 {
                        stuck_on.push(counted("health.stuck.checks_failing", failing_checks));
                    }
                }
                Phase::Act if open_findings > 0 => {
                    stuck_on.push(counted("health.stuck.open_findings", open_findings));
                }
                _ => {}
            }
            PhaseView {
                phase,
                present: of_phase.iter().filter(|c| !c.satisfied_by.is_empty()).count(),
                total: of_phase.len(),
                stuck_on,
            }
        })
        .collect()
}
