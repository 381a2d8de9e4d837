//! The Statement of Applicability (`soa.yaml`): for each control of the enabled catalogs,
//! whether it applies, why, its implementation status, owner, policies and evidence.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::date::Date;
use crate::model::{Reference, Source, Version};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ControlStatus {
    Implemented,
    Partial,
    Planned,
    NotImplemented,
}

impl ControlStatus {
    pub const ALL: [ControlStatus; 4] = [
        ControlStatus::Implemented,
        ControlStatus::Partial,
        ControlStatus::Planned,
        ControlStatus::NotImplemented,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Implemented => "implemented",
            ControlStatus::Partial => "partial",
            ControlStatus::Planned => "planned",
            ControlStatus::NotImplemented => "not-implemented",
        }
    }
}

/// Whether a control applies: `true`, `false`, or `undecided` — an explicit "not decided
/// yet" (as `trustpress init` writes), which `check` reports as a warning, unlike a missing
/// `applicable`, which is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applicability {
    Applicable,
    Excluded,
    Undecided,
}

impl Applicability {
    /// `Some(true)` / `Some(false)` once decided.
    pub fn decided(self) -> Option<bool> {
        match self {
            Applicability::Applicable => Some(true),
            Applicability::Excluded => Some(false),
            Applicability::Undecided => None,
        }
    }
}

impl Serialize for Applicability {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.decided() {
            Some(value) => serializer.serialize_bool(value),
            None => serializer.serialize_str("undecided"),
        }
    }
}

impl<'de> Deserialize<'de> for Applicability {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Applicability;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("true, false or undecided")
            }
            fn visit_bool<E: serde::de::Error>(self, value: bool) -> Result<Applicability, E> {
                Ok(if value { Applicability::Applicable } else { Applicability::Excluded })
            }
            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Applicability, E> {
                match value {
                    "undecided" => Ok(Applicability::Undecided),
                    "true" | "yes" => Ok(Applicability::Applicable),
                    "false" | "no" => Ok(Applicability::Excluded),
                    other => Err(E::custom(format!(
                        "invalid applicability `{other}`: expected true, false or undecided"
                    ))),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// One control's line in the Statement of Applicability. The fields after `status` are
/// withheld from the public site.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoaEntry {
    #[serde(default)]
    pub applicable: Option<Applicability>,
    #[serde(default)]
    pub status: Option<ControlStatus>,
    #[serde(default)]
    pub justification: Option<String>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub policies: Vec<Reference>,
    #[serde(default)]
    pub evidence: Vec<Reference>,
    #[serde(skip)]
    pub source: Source,
}

impl SoaEntry {
    /// The implementation status, which only an applicable control has.
    pub fn applicable_status(&self) -> Option<ControlStatus> {
        self.status.filter(|_| self.applicable.and_then(Applicability::decided) == Some(true))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Soa {
    #[serde(default)]
    pub version: Option<Version>,
    #[serde(default)]
    pub approved_by: Option<String>,
    #[serde(default)]
    pub approved: Option<Date>,
    #[serde(default)]
    pub controls: BTreeMap<String, SoaEntry>,
    #[serde(skip)]
    pub source: Source,
}
