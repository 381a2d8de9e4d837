//! The internal Access page: the access ledger as the team asks about it. Who holds each
//! document (and whether what they hold is still current), and every share with its grant.
//! Built from the cut model, which holds no ledger below `internal`.

use serde::Serialize;

use super::ViewContext;
use crate::date::Date;
use crate::model::{Share, Standing};

/// One share, as a row.
#[derive(Debug, Clone, Serialize)]
pub struct ShareView {
    pub id: String,
    pub to: String,
    pub organization: Option<String>,
    pub date: Date,
    pub expires: Option<Date>,
    pub expired: bool,
    pub closed: Option<Date>,
    /// `age` (to the recipient's key) or `passphrase`.
    pub encryption: &'static str,
    /// The NDA's path in the content folder, and its file name.
    pub nda: Option<String>,
    pub nda_name: Option<String>,
    pub nda_changed: bool,
    pub documents: Vec<HeldView>,
}

/// A document a share sent, and how it stands now.
#[derive(Debug, Clone, Serialize)]
pub struct HeldView {
    pub id: String,
    pub title: String,
    pub standing: Standing,
}

/// One document, and everyone who was sent it.
#[derive(Debug, Clone, Serialize)]
pub struct HoldingView {
    pub id: String,
    pub title: String,
    pub holders: Vec<HolderView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HolderView {
    pub who: String,
    pub share: String,
    pub date: Date,
    pub expired: bool,
    pub closed: bool,
    pub standing: Standing,
}

/// Every share, newest first.
pub(super) fn shares(context: &ViewContext) -> Vec<ShareView> {
    let mut shares: Vec<ShareView> =
        context.isms.shares.values().map(|share| view(share, context.today)).collect();
    shares.sort_by(|a, b| (b.date, &b.id).cmp(&(a.date, &a.id)));
    shares
}

fn view(share: &Share, today: Date) -> ShareView {
    ShareView {
        id: share.id.clone(),
        to: share.to.clone(),
        organization: share.organization.clone(),
        date: share.date,
        expires: share.expires,
        expired: share.expired(today),
        closed: share.closed,
        encryption: if share.encrypted_to.is_some() { "age" } else { "passphrase" },
        nda: share.nda.as_ref().map(|nda| nda.path.display().to_string()),
        nda_name: share
            .nda
            .as_ref()
            .and_then(|nda| nda.path.file_name())
            .map(|name| name.to_string_lossy().into_owned()),
        nda_changed: share.nda_changed,
        documents: share
            .documents
            .iter()
            .zip(share.standing.iter().chain(std::iter::repeat(&Standing::Current)))
            .map(|(document, standing)| HeldView {
                id: document.id.clone(),
                title: document.title.clone().unwrap_or_else(|| document.id.clone()),
                standing: standing.clone(),
            })
            .collect(),
    }
}

/// Each document ever shared, by id, with its holders newest first: "who has our 2025
/// report?".
pub(super) fn holdings(shares: &[ShareView]) -> Vec<HoldingView> {
    let mut holdings: Vec<HoldingView> = Vec::new();
    for share in shares {
        for held in &share.documents {
            let holder = HolderView {
                who: share.organization.clone().unwrap_or_else(|| share.to.clone()),
                share: share.id.clone(),
                date: share.date,
                expired: share.expired,
                closed: share.closed.is_some(),
                standing: held.standing.clone(),
            };
            match holdings.iter_mut().find(|h| h.id == held.id) {
                Some(holding) => holding.holders.push(holder),
                None => holdings.push(HoldingView {
                    id: held.id.clone(),
                    title: held.title.clone(),
                    holders: vec![holder],
                }),
            }
        }
    }
    holdings.sort_by(|a, b| a.id.cmp(&b.id));
    holdings
}
