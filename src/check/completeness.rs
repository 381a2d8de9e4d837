//! The Statement of Applicability is complete (ISO/IEC 27001 clause 6.1.3 d): every control
//! of every enabled catalog has an entry; each says whether it applies; exclusions are
//! justified; applicable controls have a status; implemented ones point at a policy or
//! evidence; and the SoA itself is versioned and approved.

use std::path::Path;

use super::Sources;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::model::{ControlStatus, Isms};

pub fn soa(isms: &Isms, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let soa_file = Location::at("soa.yaml", 1, 1);
    if !sources.root.join(Path::new("soa.yaml")).exists() {
        return; // Reported by the loader as `missing-soa`.
    }
    let controls_line = sources.key(&soa_file, "controls");

    let mut missing = Vec::new();
    for catalog in isms.catalogs.enabled() {
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

    for (id, entry) in &isms.soa.controls {
        if isms.catalogs.find_control(id).is_none() {
            continue; // Reported as `unknown-control`.
        }
        let key = sources.mapping_key(&controls_line, id);
        match entry.applicable {
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
        diagnostics.push(
            Diagnostic::error(
                "soa-unapproved",
                format!("the Statement of Applicability has no {}", unset.join(", ")),
            )
            .at(Location::at("soa.yaml", 1, 1))
            .hint("an SoA is a controlled document: give it a version, who approved it and when"),
        );
    }
}
