//! Freshness against a date: policy reviews, certificates, evidence, control checks,
//! security.txt, audit findings and risk reviews.

use super::Sources;
use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::freshness::{self, Validity};
use crate::model::{CheckResult, Isms};

/// RFC 9116 recommends an `Expires` less than a year away.
const SECURITY_TXT_MAX_DAYS: i64 = 366;

pub fn check(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    policies(isms, today, sources, diagnostics);
    certifications(isms, today, sources, diagnostics);
    evidence(isms, today, sources, diagnostics);
    answers(isms, today, sources, diagnostics);
    checks(isms, today, sources, diagnostics);
    security_txt(isms, today, sources, diagnostics);
    audits_and_risks(isms, today, sources, diagnostics);
}

fn policies(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for policy in isms.policies.values() {
        if policy.review_every.is_some() && policy.next_review.is_some() {
            diagnostics.push(
                Diagnostic::warning(
                    "policy-review-ambiguous",
                    format!(
                        "policy {} sets both review_every and next_review; next_review is used",
                        policy.id
                    ),
                )
                .at(sources.key(&policy.source, "next_review"))
                .hint("keep one of the two"),
            );
        }
        match policy.next_review_date() {
            Some(due) if freshness::review_overdue(Some(due), today) => {
                let key = if policy.next_review.is_some() { "next_review" } else { "approved" };
                diagnostics.push(
                    Diagnostic::error(
                        "policy-review-overdue",
                        format!(
                            "policy {} was due for review on {due} ({} days ago)",
                            policy.id,
                            due.days_until(today)
                        ),
                    )
                    .at(sources.key(&policy.source, key))
                    .hint("review the policy, then update `approved` (and `version`) or `next_review`"),
                );
            }
            Some(_) => {}
            None if policy.approved.is_none() => diagnostics.push(
                Diagnostic::warning(
                    "policy-unapproved",
                    format!("policy {} is a draft: nobody has approved it yet", policy.id),
                )
                .at(policy.source.clone())
                .hint("when it is approved, add `approved_by` (who) and `approved: YYYY-MM-DD`; the site shows it as a draft until then"),
            ),
            None if policy.review_every.is_some() => diagnostics.push(
                Diagnostic::warning(
                    "policy-no-review-date",
                    format!("policy {} has review_every but no approved date to count from", policy.id),
                )
                .at(sources.key(&policy.source, "review_every"))
                .hint("add `approved: YYYY-MM-DD`"),
            ),
            None => diagnostics.push(
                Diagnostic::warning(
                    "policy-no-review-date",
                    format!("policy {} has no review cycle", policy.id),
                )
                .at(policy.source.clone())
                .hint("add `review_every: 12 months` (with `approved`) or `next_review: YYYY-MM-DD`"),
            ),
        }
    }
}

fn certifications(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for certification in isms.certifications.values() {
        let Some(expires) = certification.expires else { continue };
        let days = today.days_until(expires);
        let location = sources.key(&certification.source, "expires");
        match Validity::of(Some(expires), today) {
            Validity::Expired => {
                let public = certification.audience == Audience::Public;
                let message = format!("certification `{}` expired on {expires}", certification.name);
                let diagnostic = if public {
                    Diagnostic::error("certification-expired", message).hint(
                        "the public trust center shows it as expired: renew it, update `expires`, or withdraw it",
                    )
                } else {
                    Diagnostic::warning("certification-expired", message).hint("renew it or update `expires`")
                };
                diagnostics.push(diagnostic.at(location));
            }
            Validity::Expiring => diagnostics.push(
                Diagnostic::warning(
                    "certification-expiring",
                    format!("certification `{}` expires on {expires}, in {days} days", certification.name),
                )
                .at(location)
                .hint("plan the recertification audit"),
            ),
            Validity::Valid => {}
        }
    }
}

fn evidence(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for item in isms.evidence.values() {
        let (Some(collected), Some(max_age)) = (item.collected, item.max_age_days) else { continue };
        let age = collected.days_until(today);
        if freshness::evidence_is_stale(item.collected, item.max_age_days, today) {
            diagnostics.push(
                Diagnostic::warning(
                    "evidence-stale",
                    format!(
                        "evidence {} was collected {age} days ago; its maximum age is {max_age} days",
                        item.id
                    ),
                )
                .at(sources.key(&item.source, "collected"))
                .hint("collect it again and update `collected`"),
            );
        }
    }
}

fn answers(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for answer in isms.faq.values() {
        let (Some(reviewed), Some(max_age)) = (answer.reviewed, answer.max_age_days) else { continue };
        if freshness::evidence_is_stale(Some(reviewed), Some(max_age), today) {
            diagnostics.push(
                Diagnostic::warning(
                    "answer-stale",
                    format!(
                        "FAQ answer {} was last reviewed {} days ago; its maximum age is {max_age} days",
                        answer.id,
                        reviewed.days_until(today)
                    ),
                )
                .at(sources.key(&answer.source, "reviewed"))
                .hint(match &answer.owner {
                    Some(owner) => format!("ask {owner} to confirm it is still true, then update `reviewed`"),
                    None => "confirm it is still true, then update `reviewed`".to_string(),
                }),
            );
        }
    }
}

fn checks(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for check in isms.checks.values() {
        let age = check.checked_at.date().days_until(today);
        let window = freshness::check_window(check, &isms.site);
        if freshness::check_is_stale(check.checked_at.date(), window, today) {
            diagnostics.push(
                Diagnostic::warning(
                    "check-stale",
                    format!("control check {} last ran {age} days ago ({})", check.id, check.checked_at),
                )
                .at(sources.key(&check.origin, "checked_at"))
                .hint(match (check.stale_after, isms.site.checks.stale_after) {
                    (Some(_), _) => format!("results older than its `stale_after` of {window} days show as stale; is the automation still running?"),
                    (None, Some(_)) => format!("results older than site.yaml's `checks.stale_after` of {window} days show as stale; is the automation still running?"),
                    (None, None) => format!("results older than {window} days show as stale; is the automation still running? A check that runs less often can set `stale_after: DAYS`"),
                }),
            );
        }
        if check.result == CheckResult::Fail {
            diagnostics.push(
                Diagnostic::warning(
                    "check-failing",
                    format!("control check {} is failing: {}", check.id, check.title),
                )
                .at(sources.key(&check.origin, "result"))
                .hint(match &check.details {
                    Some(details) => details.clone(),
                    None => "see the check's source for details".to_string(),
                }),
            );
        }
    }
}

fn security_txt(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let site = Location::at("site.yaml", 1, 1);
    let Some(config) = &isms.site.security_txt else {
        diagnostics.push(
            Diagnostic::warning(
                "security-txt-missing",
                "site.yaml has no security_txt: no /.well-known/security.txt is published",
            )
            .at(site)
            .hint("add `security_txt:` with `expires:` (RFC 9116 requires Contact and Expires)"),
        );
        return;
    };
    let expires = config.expires.date();
    let days = today.days_until(expires);
    let section = sources.mapping_key(&site, "security_txt");
    let location = sources.key(&section, "expires");
    if days < 0 {
        diagnostics.push(
            Diagnostic::error("security-txt-expired", format!("security.txt expired on {}", config.expires))
                .at(location)
                .hint("RFC 9116: researchers must treat an expired file as stale; set `expires` to a date within the next year"),
        );
    } else if days > SECURITY_TXT_MAX_DAYS {
        diagnostics.push(
            Diagnostic::warning(
                "security-txt-expires-late",
                format!("security.txt expires on {}, more than a year ahead", config.expires),
            )
            .at(location)
            .hint("RFC 9116 recommends an Expires less than a year in the future"),
        );
    }
}

fn audits_and_risks(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for audit in isms.records.audits.values() {
        for finding in &audit.findings {
            let Some(due) = finding.due.filter(|_| freshness::finding_overdue(finding, today)) else {
                continue;
            };
            diagnostics.push(
                Diagnostic::warning(
                    "finding-overdue",
                    format!("audit finding {} is open and was due on {due}", finding.id),
                )
                .at(sources.value(&audit.source, &finding.id))
                .hint("close it with its corrective action, or agree a new due date"),
            );
        }
    }
    for risk in isms.risks.values() {
        if let Some(review) = risk.review.filter(|_| freshness::review_overdue(risk.review, today)) {
            diagnostics.push(
                Diagnostic::warning(
                    "risk-review-overdue",
                    format!("risk {} was due for review on {review}", risk.id),
                )
                .at(sources.key(&risk.source, "review"))
                .hint("review the risk and set the next `review` date"),
            );
        }
    }
}
