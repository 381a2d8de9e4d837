//! The access ledger (`access/shares.yaml`) checked against today: grants past their
//! expiry, recipients who hold a document that has since changed or been replaced (with the
//! command that sends them the current one), and NDAs changed since a share. How each
//! document stands is worked out once, by the loader (`load::access`).

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Isms, Standing};

use super::Sources;

pub(super) fn check(isms: &Isms, today: Date, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for share in isms.shares.values().filter(|share| share.closed.is_none()) {
        let who = share.organization.as_deref().unwrap_or_else(|| share.name());
        if share.expired(today) {
            let expires = share.expires.expect("an expired share has an expiry");
            diagnostics.push(
                Diagnostic::warning(
                    "share-expired",
                    format!("share {} to {who} expired on {expires} ({} days ago)", share.id, expires.days_until(today)),
                )
                .at(sources.key(&share.source, "expires"))
                .hint("ask the recipient to delete the package, then add `closed: YYYY-MM-DD` to the entry; if the grant was renewed, set a new `expires`"),
            );
            continue;
        }
        for (shared, standing) in share.documents.iter().zip(&share.standing) {
            let message = match standing {
                Standing::Current => continue,
                Standing::Changed => format!(
                    "{who} holds an earlier version of {} (share {} on {}): its file has changed since",
                    shared.id, share.id, share.date
                ),
                Standing::Replaced { by, title } => format!(
                    "{who} holds {} (share {} on {}); {by} ({title}) replaces it",
                    shared.id, share.id, share.date
                ),
                Standing::Removed => format!(
                    "{who} holds {} (share {} on {}), which no document has as its id any more",
                    shared.id, share.id, share.date
                ),
            };
            let resend = |id: &str| {
                format!(
                    "send the current one: {} (with --content if the content folder is not ./content); then add `closed: YYYY-MM-DD` to share {}",
                    share.command_for(&[id]),
                    share.id
                )
            };
            let hint = match standing {
                Standing::Changed => resend(&shared.id),
                Standing::Replaced { by, .. } => resend(by),
                _ => "if the document was renamed, share it again under its new id".to_string(),
            };
            diagnostics.push(
                Diagnostic::warning("share-outdated", message)
                    .at(sources.key(&share.source, "documents"))
                    .hint(hint),
            );
        }
        if share.nda_changed {
            let file = share.nda.as_ref().map_or("", |nda| nda.file.as_str());
            diagnostics.push(
                Diagnostic::warning(
                    "share-nda-changed",
                    format!("the NDA {file} has changed (or is gone) since share {} to {who} on {}", share.id, share.date),
                )
                .at(sources.key(&share.source, "nda"))
                .hint("the recipient agreed to the earlier text: have them agree to the current one, and share again"),
            );
        }
    }
}
