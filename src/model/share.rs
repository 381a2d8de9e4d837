//! The access ledger (`access/shares.yaml`): one entry per package `trustpress share` made,
//! written by that command and committed by the team, so git history is the audit trail of
//! who was sent which gated document. The ledger is staff bookkeeping: the audience cut
//! removes every entry below `internal`, whatever the entry says.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::diagnostic::Location;

/// The ledger file, relative to the content folder.
pub const LEDGER: &str = "access/shares.yaml";

/// One share: what was sent to whom, when, under which NDA.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    pub id: String,
    /// The recipient as given to `--to`: `Name <email>`.
    pub to: String,
    #[serde(default)]
    pub organization: Option<String>,
    pub date: Date,
    #[serde(default)]
    pub expires: Option<Date>,
    /// The day the team closed the grant (the recipient confirmed they deleted the package,
    /// or the relationship ended): a closed share is history, and `check` says nothing of it.
    #[serde(default)]
    pub closed: Option<Date>,
    /// The age public key the package was encrypted to (absent: to a passphrase).
    #[serde(default)]
    pub encrypted_to: Option<String>,
    /// The NDA the share was made under, as it was then.
    #[serde(default)]
    pub nda: Option<SharedFile>,
    /// The content's git commit the documents were taken from.
    #[serde(default)]
    pub commit: Option<String>,
    pub documents: Vec<SharedDocument>,
    /// How each document stands now (set by the loader from the current files).
    #[serde(skip_deserializing)]
    pub standing: Vec<Standing>,
    /// The NDA file has changed since (set by the loader).
    #[serde(skip_deserializing)]
    pub nda_changed: bool,
    #[serde(skip)]
    pub source: Location,
}

/// A document as it was shared: its id, title and the SHA-256 of its file before stamping.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedDocument {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    pub sha256: String,
}

/// A file named by the ledger, with its SHA-256 then.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedFile {
    /// Its path, relative to the content folder.
    pub file: String,
    pub sha256: String,
    #[serde(skip)]
    pub path: PathBuf,
}

/// How a shared document stands against the content today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Standing {
    /// The file is the one that was sent.
    Current,
    /// The file has changed since it was sent.
    Changed,
    /// Another document names it in `replaces`: the recipient holds the older one.
    Replaced { by: String, title: String },
    /// No document has this id any more.
    Removed,
}

impl Share {
    /// The `trustpress share` command that sends `documents` to the same recipient, the
    /// same way (key or passphrase) and under the same NDA.
    pub fn command_for(&self, documents: &[&str]) -> String {
        let mut command = format!("trustpress share --to {}", shell_quote(&self.to));
        match &self.encrypted_to {
            Some(key) => command.push_str(&format!(" --recipient {}", shell_quote(key))),
            None => command.push_str(" --passphrase"),
        }
        if let Some(organization) = &self.organization {
            command.push_str(&format!(" --organization {}", shell_quote(organization)));
        }
        command.push_str(" --documents");
        for id in documents {
            command.push(' ');
            command.push_str(&shell_quote(id));
        }
        if let Some(nda) = &self.nda {
            command.push_str(&format!(" --nda {}", shell_quote(&nda.path.display().to_string())));
        }
        if let Some(expires) = self.expires {
            command.push_str(&format!(" --expires {expires}"));
        }
        command
    }

    /// The recipient's name: `--to` without the address.
    pub fn name(&self) -> &str {
        self.to.split_once('<').map_or(self.to.as_str(), |(name, _)| name).trim()
    }

    /// Whether the grant has expired by `today`.
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|expires| expires < today)
    }
}

/// `text` quoted for a POSIX shell when it holds anything but safe characters.
pub fn shell_quote(text: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./@:+=,".contains(c);
    if !text.is_empty() && text.chars().all(safe) {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}
