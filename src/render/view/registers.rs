//! The views of the registers and lists: certifications (with their validity), documents,
//! subprocessors (with their changes, for the page and the feed), FAQ answers and risks.

use serde::Serialize;

use crate::date::Date;
use crate::freshness::Validity;
use crate::markdown;
use crate::model::Treatment;
use crate::site::routes::{self, file_name};

use super::{FileLink, Link, ViewContext};

/// What a certification card and badge show: its validity today, or that it is a teaser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertificationState {
    Valid,
    Expiring,
    Expired,
    /// A teaser: it exists, and its details are on request.
    OnRequest,
}

impl From<Validity> for CertificationState {
    fn from(validity: Validity) -> CertificationState {
        match validity {
            Validity::Valid => CertificationState::Valid,
            Validity::Expiring => CertificationState::Expiring,
            Validity::Expired => CertificationState::Expired,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CertificationView {
    pub id: String,
    pub name: String,
    pub issuer: Option<String>,
    pub certificate_number: Option<String>,
    pub scope: Option<String>,
    pub issued: Option<Date>,
    pub expires: Option<Date>,
    pub summary: Option<String>,
    pub teaser_only: bool,
    /// `valid`, `expiring`, `expired`, or `on-request` for teasers.
    pub state: CertificationState,
    pub days_left: Option<i64>,
    pub documents: Vec<FileLink>,
    pub documents_on_request: bool,
    /// The badge's site path; teasers have none (they have no validity to show).
    pub badge: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DocumentView {
    pub id: String,
    pub title: String,
    pub summary: Option<String>,
    pub teaser_only: bool,
    pub file: Option<FileLink>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubprocessorView {
    pub name: String,
    pub purpose: Option<String>,
    pub location: Option<String>,
    pub data: Vec<String>,
    pub website: Option<String>,
    pub added: Option<Date>,
    pub removed: Option<Date>,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubprocessorChange {
    pub date: Date,
    /// `added` or `removed`.
    pub change: &'static str,
    pub name: String,
    pub purpose: Option<String>,
    pub location: Option<String>,
    pub anchor: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FaqView {
    pub id: String,
    pub question: String,
    pub html: String,
    /// Its answer shows code (the site then needs the syntax stylesheet).
    #[serde(skip)]
    pub has_code: bool,
    pub category: String,
    pub controls: Vec<Link>,
    pub policies: Vec<Link>,
    pub caiq: Vec<String>,
    pub teaser_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RiskView {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    pub likelihood: u8,
    pub impact: u8,
    pub score: u8,
    /// `low` (1–4), `medium` (5–9), `high` (10–16), `critical` (17–25).
    pub level: &'static str,
    pub treatment: Option<Treatment>,
    pub controls: Vec<Link>,
    pub owner: Option<String>,
    pub review: Option<Date>,
    pub notes: Option<String>,
}

/// Certifications: valid ones first, then by name (what a visitor looks for is what holds
/// today).
pub(super) fn certifications(context: &ViewContext) -> Vec<CertificationView> {
    let (isms, today) = (context.isms, context.today);
    let mut certifications: Vec<CertificationView> = isms
        .certifications
        .values()
        .map(|certification| {
            let days_left = certification.expires.map(|expires| today.days_until(expires));
            let state = if certification.teaser_only {
                CertificationState::OnRequest
            } else {
                Validity::of(certification.expires, today).into()
            };
            CertificationView {
                id: certification.id.clone(),
                name: certification.name.clone(),
                issuer: certification.issuer.clone(),
                certificate_number: certification.certificate_number.clone(),
                scope: certification.scope.clone(),
                issued: certification.issued,
                expires: certification.expires,
                summary: certification.summary.clone(),
                teaser_only: certification.teaser_only,
                state,
                days_left,
                documents_on_request: certification.documents_on_request,
                badge: (!certification.teaser_only).then(|| routes::badge(&certification.id)),
                documents: certification
                    .documents
                    .iter()
                    .map(|document| {
                        let name = file_name(&document.path);
                        context.file_link(
                            &document.title,
                            &document.path,
                            routes::certification_file(&certification.id, &name),
                        )
                    })
                    .collect(),
            }
        })
        .collect();
    let expired = |c: &CertificationView| c.state == CertificationState::Expired;
    certifications.sort_by(|a, b| (expired(a), &a.name).cmp(&(expired(b), &b.name)));
    certifications
}

pub(super) fn documents(context: &ViewContext) -> Vec<DocumentView> {
    let isms = context.isms;
    let documents = isms
        .documents
        .values()
        .map(|document| DocumentView {
            id: document.id.clone(),
            title: document.title.clone(),
            summary: document.summary.clone(),
            teaser_only: document.teaser_only,
            file: (!document.teaser_only).then(|| {
                context.file_link(
                    &document.title,
                    &document.path,
                    routes::document_file(&file_name(&document.path)),
                )
            }),
        })
        .collect();
    documents
}

/// Subprocessors, and their additions and removals up to today, newest first, with the
/// date of the latest.
pub(super) fn subprocessors(
    context: &ViewContext,
) -> (Vec<SubprocessorView>, Vec<SubprocessorChange>, Option<Date>) {
    let (isms, today) = (context.isms, context.today);
    let subprocessors = isms
        .subprocessors
        .iter()
        .map(|s| SubprocessorView {
            name: s.name.clone(),
            purpose: s.purpose.clone(),
            location: s.location.clone(),
            data: s.data.clone(),
            website: s.website.clone(),
            added: s.added,
            removed: s.removed,
            current: s.removed.is_none_or(|removed| removed > today)
                && s.added.is_none_or(|added| added <= today),
        })
        .collect();

    let mut subprocessor_changes: Vec<SubprocessorChange> = Vec::new();
    for s in &isms.subprocessors {
        for (date, change) in [(s.added, "added"), (s.removed, "removed")] {
            let Some(date) = date.filter(|d| *d <= today) else { continue };
            subprocessor_changes.push(SubprocessorChange {
                date,
                change,
                name: s.name.clone(),
                purpose: s.purpose.clone(),
                location: s.location.clone(),
                anchor: format!("{}-{change}-{date}", crate::markdown::slug(&s.name)),
            });
        }
    }
    subprocessor_changes.sort_by(|a, b| (b.date, &a.name, a.change).cmp(&(a.date, &b.name, b.change)));
    let subprocessors_updated = subprocessor_changes.first().map(|c| c.date);
    (subprocessors, subprocessor_changes, subprocessors_updated)
}

/// FAQ answers, and their categories in order.
pub(super) fn faq(context: &ViewContext) -> (Vec<FaqView>, Vec<String>) {
    let isms = context.isms;
    let faq_base = context.page_base(routes::FAQ);
    let faq: Vec<FaqView> = isms
        .faq
        .values()
        .map(|answer| {
            // Every answer is on one page: its headings' ids begin with its own (its
            // article's) id, so two answers' "Details" are two anchors.
            let prefix = answer.id.to_lowercase();
            let rendered = markdown::render_in(
                &answer.answer.text,
                &answer.source.file,
                context.targets,
                &faq_base,
                &prefix,
            );
            (answer, rendered)
        })
        .map(|(answer, rendered)| FaqView {
            id: answer.id.clone(),
            question: answer.question.clone(),
            html: rendered.html,
            has_code: rendered.has_code,
            category: answer.category.clone().unwrap_or_else(|| context.locale.text("faq.general")),
            controls: answer.controls.iter().map(|c| context.control_link(&c.id)).collect(),
            policies: answer.policies.iter().filter_map(|p| context.policy_link(&p.id)).collect(),
            caiq: answer.caiq.clone(),
            teaser_only: answer.teaser_only,
        })
        .collect();
    let mut faq_categories: Vec<String> = faq.iter().map(|a| a.category.clone()).collect();
    faq_categories.sort();
    faq_categories.dedup();
    (faq, faq_categories)
}

/// Risks, highest score first.
pub(super) fn risks(context: &ViewContext) -> Vec<RiskView> {
    let isms = context.isms;
    let mut risks: Vec<RiskView> = isms
        .risks
        .values()
        .map(|risk| {
            let score = risk.likelihood.0 * risk.impact.0;
            RiskView {
                id: risk.id.clone(),
                title: risk.title.clone(),
                description: risk.description.clone(),
                likelihood: risk.likelihood.0,
                impact: risk.impact.0,
                score,
                level: risk_level(score),
                treatment: risk.treatment,
                controls: risk.controls.iter().map(|c| context.control_link(&c.id)).collect(),
                owner: risk.owner.clone(),
                review: risk.review,
                notes: risk.notes.clone(),
            }
        })
        .collect();
    risks.sort_by(|a, b| (b.score, &a.id).cmp(&(a.score, &b.id)));
    risks
}

pub fn risk_level(score: u8) -> &'static str {
    match score {
        0..=4 => "low",
        5..=9 => "medium",
        10..=16 => "high",
        _ => "critical",
    }
}
