//! The Statement of Applicability is complete (ISO/IEC 27001 clause 6.1.3 d): every control
//! of every enabled catalog has an entry; each says whether it applies; exclusions are
//! justified; applicable controls have a status; implemented ones point at a policy or
//! evidence; and the SoA itself is versioned and approved.

use std::path::Path;

use super::Sources;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::model::{Applicability, ControlStatus, Isms};

pub fn soa(isms: &Isms, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let soa_file = Location::at("soa.yaml", 1, 1);
    if !sources.root.join(Path::new("soa.yaml")).exists() {
        return; // Reported by the loader as `missing-soa`.
    }
    let controls_line = sources.key(&soa_file, "controls");

    let mut missing = Vec::new();
    for catalog in isms.catalogs.soa_catalogs() {
        for control in &catalog.controls {
            if !isms.soa.controls.contains_key(&control.id) {
                missing.push(control.id.clone());
                diagnostics.push(
                    Diagnostic::error(
                        "soa-missing-control",
                        format!("control {} ({}) has no entry in the Statement of Applicability", control.id, control.title),
                    )
                    .at(controls_line.clone())
                    .hint(format!(
                        "add `{}:` under `controls:` with `applicable: true` and a status, or `applicable: false` and a justification",
                        control.id
                    )),
                );
            }
        }
    }

    let mut undecided: Vec<&str> = Vec::new();
    for (id, entry) in &isms.soa.controls {
        if isms.catalogs.soa_catalogs().all(|catalog| catalog.control(id).is_none()) {
            continue; // Reported as `unknown-control` (or a mapped framework's id, checked there).
        }
        let key = sources.mapping_key(&controls_line, id);
        let applicable = match entry.applicable {
            Some(Applicability::Undecided) => {
                undecided.push(id.as_str());
                continue;
            }
            decided => decided.and_then(Applicability::decided),
        };
        match applicable {
            None => diagnostics.push(
                Diagnostic::error("soa-missing-applicable", format!("control {id} does not say whether it applies"))
                    .at(key.clone())
                    .hint("add `applicable: true` (with a status) or `applicable: false` (with a justification)"),
            ),
            Some(false) if entry.justification.as_deref().is_none_or(|j| j.trim().is_empty()) => diagnostics.push(
                Diagnostic::error("soa-exclusion-unjustified", format!("control {id} is excluded without a justification"))
                    .at(key.clone())
                    .hint("ISO/IEC 27001 6.1.3 d requires a justification for every excluded control: add `justification:`"),
            ),
            Some(true) if entry.status.is_none() => diagnostics.push(
                Diagnostic::error("soa-missing-status", format!("applicable control {id} has no implementation status"))
                    .at(key.clone())
                    .hint("add `status:` with implemented, partial, planned or not-implemented"),
            ),
            Some(true)
                if entry.status == Some(ControlStatus::Implemented)
                    && entry.policies.is_empty()
                    && entry.evidence.is_empty() =>
            {
                diagnostics.push(
                    Diagnostic::warning(
                        "soa-implemented-without-support",
                        format!("control {id} is marked implemented but names no policy or evidence"),
                    )
                    .at(key.clone())
                    .hint("add `policies:` or `evidence:` so an auditor can see how it is implemented"),
                )
            }
            _ => {}
        }
    }

    // In catalog order (A.5.2 before A.5.10), as the SoA lists them.
    let order: Vec<&str> =
        isms.catalogs.soa_catalogs().flat_map(|c| c.controls.iter().map(|c| c.id.as_str())).collect();
    undecided.sort_by_key(|id| order.iter().position(|o| o == id).unwrap_or(usize::MAX));
    let undecided_count = undecided.len();
    if !undecided.is_empty() {
        let first = sources.mapping_key(&controls_line, undecided[0]);
        let listed = if undecided.len() > 8 {
            format!("{} and {} more", undecided[..8].join(", "), undecided.len() - 8)
        } else {
            undecided.join(", ")
        };
        diagnostics.push(
            Diagnostic::warning(
                "soa-undecided",
                format!("{} control{} not decided yet: {listed}", undecided.len(), if undecided.len() == 1 { " is" } else { "s are" }),
            )
            .at(first)
            .hint("for each, set `applicable: true` with a status (and policies or evidence), or `applicable: false` with a justification"),
        );
    }

    let mut unset = Vec::new();
    if isms.soa.version.is_none() {
        unset.push("version");
    }
    if isms.soa.approved_by.is_none() {
        unset.push("approved_by");
    }
    if isms.soa.approved.is_none() {
        unset.push("approved");
    }
    if !unset.is_empty() {
        // An SoA still in progress cannot be approved yet: a warning until every control is
        // decided, then an error.
        let message = format!("the Statement of Applicability has no {}", unset.join(", "));
        let diagnostic = if undecided_count > 0 {
            Diagnostic::warning("soa-unapproved", message)
                .hint("an SoA is a controlled document: once every control is decided, give it a version, who approved it and when; the site shows it as in progress until then")
        } else {
            Diagnostic::error("soa-unapproved", message)
                .hint("an SoA is a controlled document: give it a version, who approved it and when")
        };
        diagnostics.push(diagnostic.at(Location::at("soa.yaml", 1, 1)));
    }
}
