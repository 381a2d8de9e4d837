//! The management system around the controls (ISO/IEC 27001 clauses 4 to 10): the ISMS scope
//! and context (`scope.yaml`), and the security objectives with their measurements
//! (`objectives.yaml`, and `measurements/<ID>.yaml` written by automation).

use serde::{Deserialize, Serialize};

use crate::audience::Audience;
use crate::date::Date;
use crate::model::{internal, Reference, ReviewInterval, Source, Version};

fn public() -> Audience {
    Audience::Public
}

/// `scope.yaml`: what the ISMS covers (clause 4.3), and its context (4.1, 4.2). The scope
/// statement is public unless `statement_audience` says otherwise (certificates quote it);
/// everything else is for `audience`, internal unless it says otherwise.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// Emptied by the cut for a reader below `statement_audience`.
    #[serde(default)]
    pub statement: String,
    #[serde(default = "public")]
    pub statement_audience: Audience,
    #[serde(default)]
    pub version: Option<Version>,
    #[serde(default)]
    pub approved: Option<Date>,
    #[serde(default)]
    pub approved_by: Option<String>,
    #[serde(default)]
    pub boundaries: Vec<String>,
    #[serde(default)]
    pub locations: Vec<String>,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
    #[serde(default)]
    pub interfaces: Vec<String>,
    #[serde(default)]
    pub issues: Issues,
    #[serde(default)]
    pub climate_change: Option<ClimateChange>,
    #[serde(default)]
    pub interested_parties: Vec<InterestedParty>,
    #[serde(default = "internal")]
    pub audience: Audience,
    /// Set by the cut: the reader sees the statement only.
    #[serde(skip_deserializing)]
    pub statement_only: bool,
    /// Set by the cut: the statement is above the reader (it is then empty).
    #[serde(skip_deserializing)]
    pub statement_withheld: bool,
    #[serde(skip)]
    pub source: Source,
}

impl Scope {
    /// Everything but the statement and its audience withheld: what a reader below
    /// `audience` gets.
    pub fn statement_only(&self) -> Scope {
        Scope {
            statement: self.statement.clone(),
            statement_audience: self.statement_audience,
            audience: self.audience,
            statement_only: true,
            source: self.source.clone(),
            ..Scope::default()
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    pub what: String,
    pub reason: String,
}

/// Clause 4.1: the issues, outside and inside the organisation, that bear on the ISMS.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issues {
    #[serde(default)]
    pub external: Vec<String>,
    #[serde(default)]
    pub internal: Vec<String>,
}

/// Clause 4.1 as amended in 2024: whether climate change is a relevant issue, and why.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClimateChange {
    pub relevant: bool,
    pub reason: String,
}

/// Clause 4.2: a party with an interest in the ISMS, and what it requires.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InterestedParty {
    pub party: String,
    #[serde(default)]
    pub requirements: Vec<String>,
}

/// Whether a measurement meets its target by reaching it or by staying under it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    #[default]
    AtLeast,
    AtMost,
}

/// A security objective (clause 6.2) and its measurements (9.1), from `objectives.yaml`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Objective {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub owner: Option<String>,
    /// How it is measured.
    #[serde(default)]
    pub measure: Option<String>,
    pub target: f64,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub unit: Option<String>,
    /// How often it is measured: `1 month`, `3 months`, `1 year`.
    pub frequency: ReviewInterval,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(default)]
    pub controls: Vec<Reference>,
    /// In date order once loaded, with those of `measurements/<ID>.yaml`.
    #[serde(default)]
    pub measurements: Vec<Measurement>,
    #[serde(default)]
    pub corrective_actions: Vec<CorrectiveAction>,
    #[serde(skip)]
    pub source: Source,
    /// The files of `measurements/` that held some of its measurements.
    #[serde(skip)]
    pub measurement_files: Vec<Source>,
}

impl Objective {
    /// Whether `value` meets the target.
    pub fn met_by(&self, value: f64) -> bool {
        match self.direction {
            Direction::AtLeast => value >= self.target,
            Direction::AtMost => value <= self.target,
        }
    }

    /// The latest measurement.
    pub fn latest(&self) -> Option<&Measurement> {
        self.measurements.last()
    }

    /// The target as people write it: `≥ 95%`, `≤ 7 days`.
    pub fn target_text(&self) -> String {
        let sign = match self.direction {
            Direction::AtLeast => "≥",
            Direction::AtMost => "≤",
        };
        format!("{sign} {}", self.value_text(self.target))
    }

    /// A value with the objective's unit: `98%`, `4 days`, `99.9991%`: the number as written
    /// (the shortest form that reads back as the same value), never rounded, so that a value
    /// just under its target never reads as on it.
    pub fn value_text(&self, value: f64) -> String {
        let number = number_text(value);
        let number = number.as_str();
        match self.unit.as_deref() {
            None | Some("") => number.to_string(),
            Some("%") => format!("{number}%"),
            Some(unit) => format!("{number} {unit}"),
        }
    }
}

/// A number as written: `95`, `99.9991`, `-2` (never `-0`).
pub fn number_text(value: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    format!("{value}")
}

/// The largest value a target or measurement may have: beyond it a chart cannot place it and
/// no one measures that.
pub const LARGEST_VALUE: f64 = 1e12;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurement {
    pub date: Date,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CorrectiveAction {
    pub date: Date,
    pub action: String,
}
