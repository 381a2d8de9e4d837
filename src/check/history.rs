//! Document control (ISO/IEC 27001 clause 7.5.3) from git: a policy whose text or controls
//! changed in a commit after its latest approval, with no new `version` or `approved` date,
//! is the finding auditors raise most. The history itself is read by `history`.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::Loaded;

use super::Sources;

pub(super) fn check(loaded: &Loaded, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for policy in loaded.isms.policies.values() {
        let Some(unapproved) = loaded.history.unapproved_changes(&policy.id) else { continue };
        let first = &unapproved.first;
        let approval = match (&policy.version, policy.approved) {
            (Some(version), Some(approved)) => format!("version {} approved {approved}", version.0),
            (None, Some(approved)) => format!("its approval of {approved}"),
            _ => "its last approval".to_string(),
        };
        let more = match unapproved.later.len() {
            0 => String::new(),
            n => format!(" and {n} later commit(s) ({})", unapproved.later.join(", ")),
        };
        diagnostics.push(
            Diagnostic::warning(
                "changed-without-approval",
                format!(
                    "policy {} changed in commit {} ({}, by {}: \"{}\"){more} after {approval}, with no new version or approval date",
                    policy.id,
                    first.short,
                    first.date,
                    first.author,
                    shortened(&first.subject)
                ),
            )
            .at(sources.key(&policy.source, if policy.version.is_some() { "version" } else { "approved" }))
            .hint("have the change approved, then raise `version` and set `approved` to the approval date"),
        );
    }
}

/// A commit subject cut to a readable length.
fn shortened(subject: &str) -> String {
    const MAX: usize = 72;
    match subject.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", subject[..end].trim_end()),
        None => subject.to_string(),
    }
}
