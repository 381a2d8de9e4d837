//! The views of the Statement of Applicability: each control with its status, policies,
//! evidence and monitored checks; the coverage by theme; the mapped frameworks (SOC 2,
//! NIS2) derived from it; and the auditor bundle's evidence index.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::date::Date;
use crate::freshness;
use crate::model::{Applicability, CheckResult, ControlCheck, ControlStatus, Isms, SoaEntry};
use crate::render::RenderTarget;
use crate::site::routes;

use super::{FileLink, Link, ViewContext};

#[derive(Debug, Clone, Serialize)]
pub struct CheckView {
    pub id: String,
    pub title: String,
    pub result: CheckResult,
    pub checked_at: String,
    pub checked_on: Date,
    pub stale: bool,
    /// The days after which its result counts as stale.
    pub stale_after: u32,
    pub source: Option<String>,
    pub details: Option<String>,
    pub controls: Vec<Link>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ControlView {
    pub id: String,
    pub path: String,
    pub title: String,
    pub theme: String,
    pub catalog: String,
    pub applicable: Option<bool>,
    pub status: Option<&'static str>,
    /// One word for filters: the status, `not-applicable` or `undecided`.
    pub state: &'static str,
    pub justification: Option<String>,
    pub owner: Option<String>,
    pub notes: Option<String>,
    pub policies: Vec<Link>,
    pub evidence: Vec<Link>,
    pub checks: Vec<CheckView>,
    /// The ids of this control in every enabled mapped framework (SOC 2, NIS2).
    pub mappings: Vec<FrameworkIds>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrameworkIds {
    pub framework: String,
    pub links: Vec<Link>,
}

/// A framework whose coverage is derived from the SoA through its mapping.
#[derive(Debug, Clone, Serialize)]
pub struct FrameworkView {
    pub id: String,
    pub path: String,
    pub name: String,
    pub description: Option<String>,
    pub criteria: Vec<CriterionView>,
    pub coverage: ThemeCoverage,
    pub themes: Vec<ThemeCoverage>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CriterionView {
    pub id: String,
    pub anchor: String,
    pub title: String,
    pub theme: String,
    /// Derived from the mapped controls' states: see `derive_state`.
    pub state: &'static str,
    pub controls: Vec<MappedControl>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MappedControl {
    pub id: String,
    pub title: String,
    pub path: String,
    pub state: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThemeCoverage {
    pub theme: String,
    pub total: usize,
    pub applicable: usize,
    pub not_applicable: usize,
    pub implemented: usize,
    pub partial: usize,
    pub planned: usize,
    pub not_implemented: usize,
    /// Controls the SoA has not decided yet (neither applicable nor excluded): while any
    /// are, the SoA is in progress and the percentage is not a headline.
    pub undecided: usize,
    /// Implemented share of applicable controls, in whole percent.
    pub percent: usize,
}

/// Monitored checks of one theme: a check counts once in each theme its controls are in.
#[derive(Debug, Clone, Serialize)]
pub struct ThemeChecks {
    pub theme: String,
    pub summary: CheckSummary,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct CheckSummary {
    pub total: usize,
    pub pass: usize,
    pub warn: usize,
    pub fail: usize,
    pub stale: usize,
    /// Of the whole site's checks: how many are counted in more than one theme, because
    /// their controls are in several. Zero in a theme's own row.
    pub in_several_themes: usize,
}

/// One evidence file under one control, for the auditor bundle's evidence index.
#[derive(Debug, Clone, Serialize)]
pub struct EvidenceRow {
    /// `None` for evidence that names no control.
    pub control: Option<Link>,
    pub id: String,
    pub title: String,
    pub collected: Option<Date>,
    /// Collected longer ago than its `max_age_days`.
    pub stale: bool,
    pub file: FileLink,
}

/// Every control of the SoA catalogs, each with its checks, and the coverage by theme and
/// in all.
pub(super) fn controls(
    context: &ViewContext,
) -> (Vec<CheckView>, Vec<ControlView>, Vec<ThemeCoverage>, ThemeCoverage) {
    let isms = context.isms;
    let checks: Vec<CheckView> = isms.checks.values().map(|check| context.check_view(check)).collect();
    let mut checks_by_control: BTreeMap<&str, Vec<CheckView>> = BTreeMap::new();
    for (check, view) in isms.checks.values().zip(&checks) {
        for control in &check.controls {
            checks_by_control.entry(control.id.as_str()).or_default().push(view.clone());
        }
    }

    let mut controls = Vec::new();
    let mut coverage: Vec<ThemeCoverage> = Vec::new();
    for catalog in isms.catalogs.soa_catalogs() {
        for control in &catalog.controls {
            let entry = isms.soa.controls.get(&control.id);
            let applicable = entry.and_then(|e| e.applicable).and_then(Applicability::decided);
            let status = entry.and_then(SoaEntry::applicable_status);
            let state = match (applicable, status) {
                (Some(false), _) => "not-applicable",
                (Some(true), Some(status)) => status.as_str(),
                _ => "undecided",
            };
            let theme = catalog.theme_of(control);
            controls.push(ControlView {
                id: control.id.clone(),
                path: routes::control(&control.id),
                title: control.title.clone(),
                theme: theme.clone(),
                catalog: catalog.name.clone(),
                applicable,
                status: status.map(ControlStatus::as_str),
                state,
                justification: entry.and_then(|e| e.justification.clone()),
                owner: entry.and_then(|e| e.owner.clone()),
                notes: entry.and_then(|e| e.notes.clone()),
                policies: entry
                    .map(|e| e.policies.iter().filter_map(|p| context.policy_link(&p.id)).collect())
                    .unwrap_or_default(),
                evidence: context.control_evidence(&control.id, entry),
                checks: checks_by_control.get(control.id.as_str()).cloned().unwrap_or_default(),
                mappings: isms
                    .catalogs
                    .mapped_to(&control.id)
                    .into_iter()
                    .map(|(catalog, ids)| FrameworkIds {
                        framework: catalog.name.clone(),
                        links: ids.into_iter().map(|id| context.control_link(id)).collect(),
                    })
                    .collect(),
            });
            let row = match coverage.iter_mut().position(|c| c.theme == theme) {
                Some(index) => &mut coverage[index],
                None => {
                    coverage.push(ThemeCoverage::empty(&theme));
                    coverage.last_mut().expect("just pushed")
                }
            };
            row.count(applicable, status);
        }
    }
    let mut coverage_total = ThemeCoverage::empty("All controls");
    for row in &mut coverage {
        row.finish();
        coverage_total.add(row);
    }
    coverage_total.finish();
    (checks, controls, coverage, coverage_total)
}

/// The monitored checks counted in all and by theme (a check counts once in each theme its
/// controls are in); themes without checks are left out.
pub(super) fn check_summaries(
    isms: &Isms,
    checks: &[CheckView],
    coverage: &[ThemeCoverage],
) -> (CheckSummary, Vec<ThemeChecks>) {
    let mut check_summary = CheckSummary::default();
    let mut checks_by_theme: Vec<ThemeChecks> = coverage
        .iter()
        .map(|row| ThemeChecks { theme: row.theme.clone(), summary: CheckSummary::default() })
        .collect();
    for check in checks {
        check_summary.add(check);
        let mut themes: Vec<String> = check
            .controls
            .iter()
            .filter_map(|link| isms.catalogs.find_control(&link.id))
            .map(|(catalog, control)| catalog.theme_of(control))
            .collect();
        themes.sort();
        themes.dedup();
        if themes.len() > 1 {
            check_summary.in_several_themes += 1;
        }
        for theme in themes {
            if let Some(row) = checks_by_theme.iter_mut().find(|row| row.theme == theme) {
                row.summary.add(check);
            }
        }
    }
    checks_by_theme.retain(|row| row.summary.total > 0);
    (check_summary, checks_by_theme)
}

impl ViewContext<'_> {
    /// Evidence `id` as shown on `control`'s page: in the auditor bundle a link to the file
    /// filed under that control, on a site just the id (and the title when visible).
    pub(super) fn evidence_link(&self, control: &str, id: &str) -> Link {
        // Evidence ids are shown from internal up; titles only when the item itself is visible.
        let title = self.isms.evidence.get(id).map(|e| e.title.clone()).unwrap_or_default();
        let path = self
            .evidence_files
            .iter()
            .find(|filed| filed.evidence_id == id && filed.control.as_deref() == Some(control))
            .map(|filed| filed.path.clone());
        Link { id: id.to_string(), title, path }
    }

    /// Evidence listed for `control`: its SoA entry's, then (in the auditor bundle) the
    /// evidence items that name the control themselves.
    pub(super) fn control_evidence(&self, control: &str, entry: Option<&SoaEntry>) -> Vec<Link> {
        let mut links: Vec<Link> = entry
            .map(|e| e.evidence.iter().map(|ev| self.evidence_link(control, &ev.id)).collect())
            .unwrap_or_default();
        if self.target == RenderTarget::AuditorBundle {
            for evidence in self.isms.evidence.values() {
                let names_control = evidence.controls.iter().any(|c| c.id == control);
                if names_control && !links.iter().any(|link| link.id == evidence.id) {
                    links.push(self.evidence_link(control, &evidence.id));
                }
            }
        }
        links
    }

    pub(super) fn evidence_rows(&self) -> Vec<EvidenceRow> {
        let mut rows: Vec<(usize, EvidenceRow)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for filed in self.evidence_files {
            let Some(evidence) = self.isms.evidence.get(&filed.evidence_id) else { continue };
            if !seen.insert((&filed.control, &filed.evidence_id)) {
                continue;
            }
            let stale = freshness::evidence_is_stale(evidence.collected, evidence.max_age_days, self.today);
            let title = format!("{} {}", evidence.id, evidence.title);
            rows.push((
                filed.control.as_deref().map_or(usize::MAX, |c| self.control_order(c)),
                EvidenceRow {
                    control: filed.control.as_deref().map(|c| self.control_link(c)),
                    id: evidence.id.clone(),
                    title: evidence.title.clone(),
                    collected: evidence.collected,
                    stale,
                    file: self.file_link(&title, &evidence.path, filed.path.clone()),
                },
            ));
        }
        // Controls in catalog order (A.5.2 before A.5.10), evidence by id within a control.
        rows.sort_by(|(a_order, a), (b_order, b)| (a_order, &a.id).cmp(&(b_order, &b.id)));
        rows.into_iter().map(|(_, row)| row).collect()
    }

    /// A control's position across the enabled catalogs, for listing in catalog order.
    pub(super) fn control_order(&self, id: &str) -> usize {
        self.isms
            .catalogs
            .enabled()
            .flat_map(|catalog| catalog.controls.iter())
            .position(|control| control.id == id)
            .unwrap_or(usize::MAX - 1)
    }

    pub(super) fn check_view(&self, check: &ControlCheck) -> CheckView {
        let checked_on = check.checked_at.date();
        let stale_after = freshness::check_window(check, &self.isms.site);
        CheckView {
            id: check.id.clone(),
            title: check.title.clone(),
            result: check.result,
            checked_at: check.checked_at.to_string(),
            checked_on,
            stale: freshness::check_is_stale(checked_on, stale_after, self.today),
            stale_after,
            source: check.source.clone(),
            details: check.details.clone(),
            controls: check.controls.iter().map(|c| self.control_link(&c.id)).collect(),
        }
    }
}

/// Coverage of each enabled mapped framework, derived from the SoA states of the controls
/// each criterion maps to.
pub(super) fn frameworks(isms: &Isms, controls: &[ControlView]) -> Vec<FrameworkView> {
    let by_id: BTreeMap<&str, &ControlView> = controls.iter().map(|c| (c.id.as_str(), c)).collect();
    isms.catalogs
        .mapped_catalogs()
        .map(|catalog| {
            let criteria: Vec<CriterionView> = catalog
                .controls
                .iter()
                .map(|criterion| {
                    let mapped: Vec<MappedControl> = criterion
                        .maps_to
                        .iter()
                        .filter_map(|id| by_id.get(id.as_str()))
                        .map(|control| MappedControl {
                            id: control.id.clone(),
                            title: control.title.clone(),
                            path: control.path.clone(),
                            state: control.state,
                        })
                        .collect();
                    let states: Vec<&str> = mapped.iter().map(|m| m.state).collect();
                    CriterionView {
                        id: criterion.id.clone(),
                        anchor: crate::markdown::slug(&criterion.id),
                        title: criterion.title.clone(),
                        theme: catalog.theme_of(criterion),
                        state: derive_state(&states),
                        controls: mapped,
                    }
                })
                .collect();
            let mut themes: Vec<ThemeCoverage> = Vec::new();
            let mut total = ThemeCoverage::empty("All criteria");
            for criterion in &criteria {
                let row = match themes.iter_mut().position(|t| t.theme == criterion.theme) {
                    Some(index) => &mut themes[index],
                    None => {
                        themes.push(ThemeCoverage::empty(&criterion.theme));
                        themes.last_mut().expect("just pushed")
                    }
                };
                row.count_state(criterion.state);
                total.count_state(criterion.state);
            }
            for row in &mut themes {
                row.finish();
            }
            total.finish();
            FrameworkView {
                id: catalog.id.clone(),
                path: routes::framework(&catalog.id),
                name: catalog.name.clone(),
                description: catalog.description.clone(),
                criteria,
                coverage: total,
                themes,
            }
        })
        .collect()
}

/// A criterion's state from the states of the controls it maps to: not applicable when all
/// of them are; otherwise judged on the applicable ones — implemented when all are,
/// partial when any is implemented or partial, else planned, not implemented, or undecided.
pub fn derive_state(states: &[&str]) -> &'static str {
    let applicable: Vec<&str> = states.iter().copied().filter(|s| *s != "not-applicable").collect();
    if states.is_empty() {
        return "undecided";
    }
    if applicable.is_empty() {
        return "not-applicable";
    }
    let any = |state: &str| applicable.contains(&state);
    if applicable.iter().all(|s| *s == "implemented") {
        "implemented"
    } else if any("implemented") || any("partial") {
        "partial"
    } else if any("planned") {
        "planned"
    } else if any("not-implemented") {
        "not-implemented"
    } else {
        "undecided"
    }
}

impl CheckSummary {
    fn add(&mut self, check: &CheckView) {
        self.total += 1;
        match check.result {
            CheckResult::Pass => self.pass += 1,
            CheckResult::Warn => self.warn += 1,
            CheckResult::Fail => self.fail += 1,
        }
        if check.stale {
            self.stale += 1;
        }
    }
}

impl ThemeCoverage {
    pub fn empty(theme: &str) -> ThemeCoverage {
        ThemeCoverage {
            theme: theme.to_string(),
            total: 0,
            applicable: 0,
            not_applicable: 0,
            implemented: 0,
            partial: 0,
            planned: 0,
            not_implemented: 0,
            undecided: 0,
            percent: 0,
        }
    }

    fn count(&mut self, applicable: Option<bool>, status: Option<ControlStatus>) {
        self.total += 1;
        match applicable {
            Some(false) => self.not_applicable += 1,
            Some(true) => {
                self.applicable += 1;
                match status {
                    Some(ControlStatus::Implemented) => self.implemented += 1,
                    Some(ControlStatus::Partial) => self.partial += 1,
                    Some(ControlStatus::Planned) => self.planned += 1,
                    Some(ControlStatus::NotImplemented) => self.not_implemented += 1,
                    None => {}
                }
            }
            None => {}
        }
    }

    fn count_state(&mut self, state: &str) {
        let (applicable, status) = match state {
            "not-applicable" => (Some(false), None),
            "implemented" => (Some(true), Some(ControlStatus::Implemented)),
            "partial" => (Some(true), Some(ControlStatus::Partial)),
            "planned" => (Some(true), Some(ControlStatus::Planned)),
            "not-implemented" => (Some(true), Some(ControlStatus::NotImplemented)),
            _ => (None, None),
        };
        self.count(applicable, status);
    }

    fn add(&mut self, other: &ThemeCoverage) {
        self.total += other.total;
        self.applicable += other.applicable;
        self.not_applicable += other.not_applicable;
        self.implemented += other.implemented;
        self.partial += other.partial;
        self.planned += other.planned;
        self.not_implemented += other.not_implemented;
    }

    fn finish(&mut self) {
        self.undecided = self.total - self.applicable - self.not_applicable;
        self.percent = (self.implemented * 100).checked_div(self.applicable).unwrap_or(0);
    }
}
