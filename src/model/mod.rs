//! The typed ISMS: every item kind of the content layout, each with where it came from.
//! Collections are `BTreeMap`s or sorted `Vec`s so that every walk over the model is in a
//! fixed order, whatever the order of the directory listing.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::audience::Audience;
use crate::catalog::Catalogs;
use crate::config::SiteConfig;
use crate::date::{Date, Timestamp};
use crate::diagnostic::Location;

pub mod audit;
pub mod management;
pub mod policy;
pub mod record;
pub mod review;
pub mod share;
pub mod soa;
pub mod update;

pub use audit::{Audit, Finding, FindingStatus, Severity};
pub use management::{Direction, Measurement, Objective, Scope};
pub use policy::{Policy, PolicyVersion};
pub use record::{MakeRecords, MapRecords, MarkdownRecord, RecordVisitor, Records};
pub use review::Review;
pub use share::{Share, SharedDocument, SharedFile, Standing};
pub use soa::{Applicability, ControlStatus, Soa, SoaEntry};
pub use update::Update;

/// Where an item was defined: its file (relative to the content folder) and line.
pub type Source = Location;

/// An id that names another item (a control, policy or evidence), with the place it was
/// written, so a dangling reference can be reported at its own line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Reference {
    pub id: String,
    pub line: u32,
    pub column: u32,
}

impl Reference {
    pub fn new(id: impl Into<String>) -> Reference {
        Reference { id: id.into(), line: 0, column: 0 }
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id)
    }
}

impl Serialize for Reference {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.id)
    }
}

impl<'de> Deserialize<'de> for Reference {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<String>::deserialize(deserializer)?;
        Ok(Reference {
            id: spanned.value,
            line: u32::try_from(spanned.referenced.line()).unwrap_or(0),
            column: u32::try_from(spanned.referenced.column()).unwrap_or(0),
        })
    }
}

/// A string field that YAML authors often write as a number (`version: 2.1`, `version: 7`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(transparent)]
pub struct Version(pub String);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Integer(i64),
            Float(f64),
        }
        Ok(Version(match Raw::deserialize(deserializer)? {
            Raw::Text(text) => text,
            Raw::Integer(number) => number.to_string(),
            Raw::Float(number) => number.to_string(),
        }))
    }
}

/// `review_every: 12 months`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewInterval {
    pub months: u32,
}

impl Serialize for ReviewInterval {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&format_args!("{} months", self.months))
    }
}

impl<'de> Deserialize<'de> for ReviewInterval {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_interval(&text).map_err(serde::de::Error::custom)
    }
}

fn parse_interval(text: &str) -> Result<ReviewInterval, String> {
    let expected = || format!("invalid interval `{text}`: expected `N months` or `N years`");
    let mut words = text.split_whitespace();
    let number: u32 = words.next().and_then(|n| n.parse().ok()).ok_or_else(expected)?;
    let unit = words.next().ok_or_else(expected)?;
    if words.next().is_some() || number == 0 {
        return Err(expected());
    }
    let months = match unit {
        "month" | "months" => number,
        "year" | "years" => number.checked_mul(12).ok_or_else(expected)?,
        _ => return Err(expected()),
    };
    // A review a century away is no review cycle (and dates stop at year 9999).
    if months > 1200 {
        return Err(format!("invalid interval `{text}`: expected at most 100 years"));
    }
    Ok(ReviewInterval { months })
}

/// Markdown text and the line of its first line in its file, so problems inside a body
/// (an unterminated `::: internal` block) are reported at their real line.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Markdown {
    pub text: String,
    #[serde(skip)]
    pub first_line: u32,
    /// What the text is made from, where that is known: a page's key holds this in place of
    /// the text (see [`Markdown::made_from`]).
    #[serde(skip)]
    made_from: Option<MadeFrom>,
}

/// What a body's text is made from: the whole text of its file (its BLAKE3 hash), cut for one
/// reader or not cut at all. Its length is kept too, so a text changed in place by anything
/// else (the fields are public) is no longer taken for what it was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct MadeFrom {
    file: [u8; 32],
    cut_for: Option<Audience>,
    len: usize,
}

/// Two bodies are equal by their text and first line, whatever is known of where they came from.
impl PartialEq for Markdown {
    fn eq(&self, other: &Markdown) -> bool {
        self.text == other.text && self.first_line == other.first_line
    }
}

impl Eq for Markdown {}

impl Markdown {
    pub fn new(text: impl Into<String>, first_line: u32) -> Markdown {
        Markdown { text: text.into(), first_line, made_from: None }
    }

    /// The body of a file whose whole text has the BLAKE3 hash `file`: everything in the file but
    /// its front matter, as it is.
    pub fn of_file(text: String, first_line: u32, file: [u8; 32]) -> Markdown {
        let len = text.len();
        Markdown { text, first_line, made_from: Some(MadeFrom { file, cut_for: None, len }) }
    }

    /// This text as `reader` may see it: its withheld audience blocks cut out (the one cut,
    /// `audience_blocks::cut`). A text without blocks is kept as it is, not copied. Whether
    /// it was cut (a text that may have blocks is).
    pub fn cut(&mut self, reader: Audience) -> bool {
        if !crate::audience_blocks::may_have_blocks(&self.text) {
            return false;
        }
        self.text = crate::audience_blocks::cut(&self.text, reader);
        // Known only when the text was its file's as it is: cut twice, it is hashed instead.
        self.made_from = match self.made_from {
            Some(made) if made.cut_for.is_none() => {
                Some(MadeFrom { cut_for: Some(reader), len: self.text.len(), ..made })
            }
            _ => None,
        };
        true
    }

    /// What the text is made from, as a key (the file's BLAKE3 hash, and the reader it was cut
    /// for), when that is known and the text is still as long as it was made: the text is
    /// then a function of the key alone, and a page's key may hold this in its place.
    pub fn made_from(&self) -> Option<([u8; 32], Option<Audience>)> {
        self.made_from.filter(|made| made.len == self.text.len()).map(|made| (made.file, made.cut_for))
    }
}

/// A link or image in a markdown body: where it points, its line (0-based, within the
/// body), and the lowest audience that sees that line (`::: internal` blocks raise it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BodyLink {
    pub destination: String,
    pub line: usize,
    pub audience: Audience,
}

impl BodyLink {
    pub fn find(text: &str) -> Vec<BodyLink> {
        let found = crate::markdown::link_destinations(text);
        if found.is_empty() {
            return Vec::new();
        }
        let audiences = crate::audience_blocks::line_audiences(text);
        found
            .into_iter()
            .map(|(destination, line)| BodyLink {
                destination,
                line,
                audience: audiences.get(line).copied().unwrap_or(Audience::Public),
            })
            .collect()
    }
}

impl<'de> Deserialize<'de> for Markdown {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<String>::deserialize(deserializer)?;
        Ok(Markdown::new(spanned.value, u32::try_from(spanned.referenced.line()).unwrap_or(0)))
    }
}

/// A field that must be present in the file but may be emptied later (by the cut): serde
/// makes an `Option` field with a `deserialize_with` required.
pub(crate) fn required<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

pub(crate) fn internal() -> Audience {
    Audience::Internal
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificationDocument {
    /// An id, so the document can be shared (`trustpress share --documents ID`) and named
    /// in the access ledger.
    #[serde(default)]
    pub id: Option<String>,
    pub title: String,
    pub file: String,
    #[serde(default = "internal")]
    pub audience: Audience,
    /// The id of an earlier document this one replaces (see `Document::replaces`).
    #[serde(default)]
    pub replaces: Option<String>,
    /// Resolved at load time: the file's path relative to the content folder.
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub line: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Certification {
    /// The file stem (`certifications/iso27001.yaml` is `iso27001`).
    #[serde(skip_deserializing)]
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub certificate_number: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub issued: Option<Date>,
    #[serde(default)]
    pub expires: Option<Date>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(default)]
    pub teaser: bool,
    /// Set by the audience cut: the reader sees only the title and summary (teaser).
    #[serde(skip_deserializing)]
    pub teaser_only: bool,
    #[serde(default)]
    pub documents: Vec<CertificationDocument>,
    /// Set by the audience cut when some of `documents` were withheld: the page says that
    /// further documents are available on request, without naming them.
    #[serde(skip_deserializing)]
    pub documents_on_request: bool,
    #[serde(skip)]
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub file: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(default)]
    pub teaser: bool,
    /// The ISO/IEC 27001 clauses (4 to 10) this satisfies: `clauses: [5.2]` (see `clauses`).
    #[serde(default)]
    pub clauses: Vec<Reference>,
    /// The id of an earlier document this one replaces (next year's report replacing this
    /// year's): whoever was sent the earlier one is told the newer is out.
    #[serde(default)]
    pub replaces: Option<String>,
    /// Set by the audience cut: the reader sees only the title and summary (teaser).
    #[serde(skip_deserializing)]
    pub teaser_only: bool,
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckResult {
    Pass,
    Warn,
    Fail,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlCheck {
    pub id: String,
    pub controls: Vec<Reference>,
    pub title: String,
    pub result: CheckResult,
    pub checked_at: Timestamp,
    #[serde(default)]
    pub source: Option<String>,
    #[serde(default)]
    pub details: Option<String>,
    /// Days after which this check's result counts as stale: a monthly scan sets 31.
    /// Without it, site.yaml's `checks.stale_after`, else 7.
    #[serde(default)]
    pub stale_after: Option<u32>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(skip)]
    pub origin: Source,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subprocessor {
    pub name: String,
    #[serde(default)]
    pub purpose: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub data: Vec<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub added: Option<Date>,
    #[serde(default)]
    pub removed: Option<Date>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(skip)]
    pub source: Source,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqAnswer {
    pub id: String,
    pub question: String,
    pub answer: Markdown,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub controls: Vec<Reference>,
    #[serde(default)]
    pub policies: Vec<Reference>,
    #[serde(default)]
    pub caiq: Vec<String>,
    /// Other ways customers ask the question, which the team approves: `trustpress answer`
    /// matches them as it matches `question`.
    #[serde(default)]
    pub also_asked_as: Vec<String>,
    /// The short answer a questionnaire's response column takes: yes, no or not applicable.
    #[serde(default)]
    pub response: Option<Response>,
    /// Who carries the control under CSA's shared security responsibility model (the CAIQ's
    /// "SSRM Control Ownership").
    #[serde(default)]
    pub ssrm: Option<Ssrm>,
    /// What the customer must do themselves (the CAIQ's "CSC Responsibilities"): plain text.
    #[serde(default)]
    pub csc_responsibilities: Option<String>,
    /// Who keeps the answer true.
    #[serde(default)]
    pub owner: Option<String>,
    /// When a person last confirmed the answer.
    #[serde(default)]
    pub reviewed: Option<Date>,
    /// Older than this many days since `reviewed`, the answer is stale (`answer-stale`).
    #[serde(default)]
    pub max_age_days: Option<u32>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(default)]
    pub teaser: bool,
    /// Set by the audience cut: the reader sees only the title and summary (teaser).
    #[serde(skip_deserializing)]
    pub teaser_only: bool,
    #[serde(skip)]
    pub source: Source,
}

impl FaqAnswer {
    /// Whether `reader`'s FAQ page shows this answer: whole, or as a teaser (its question,
    /// with the answer on request). Its anchor there is its id in lower case.
    pub fn shown_to(&self, reader: Audience) -> bool {
        self.audience.visible_to(reader) || self.teaser
    }
}

/// Who owns a control under CSA's shared security responsibility model (SSRM), as the CAIQ's
/// "SSRM Control Ownership" column takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Ssrm {
    /// The cloud service provider (the organisation answering).
    CspOwned,
    /// The cloud service customer.
    CscOwned,
    /// A third party the provider outsources to.
    ThirdPartyOutsourced,
    /// Shared by the provider and the customer.
    SharedCspCsc,
    /// Shared by the provider and a third party.
    SharedCspThirdParty,
}

impl Ssrm {
    /// The words of CSA's CAIQ v4 workbook for it.
    pub fn label(self) -> &'static str {
        match self {
            Ssrm::CspOwned => "CSP-owned",
            Ssrm::CscOwned => "CSC-owned",
            Ssrm::ThirdPartyOutsourced => "3rd-party outsourced",
            Ssrm::SharedCspCsc => "Shared CSP and CSC",
            Ssrm::SharedCspThirdParty => "Shared CSP and 3rd-party",
        }
    }
}

/// A questionnaire's short answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Response {
    Yes,
    No,
    /// Not applicable.
    Na,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub id: String,
    pub title: String,
    pub file: String,
    #[serde(default)]
    pub controls: Vec<Reference>,
    /// The ISO/IEC 27001 clauses (4 to 10) this satisfies: `clauses: [5.2]` (see `clauses`).
    #[serde(default)]
    pub clauses: Vec<Reference>,
    #[serde(default)]
    pub collected: Option<Date>,
    #[serde(default)]
    pub max_age_days: Option<u32>,
    #[serde(default = "Audience::auditor")]
    pub audience: Audience,
    #[serde(skip)]
    pub path: PathBuf,
    #[serde(skip)]
    pub source: Source,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Treatment {
    Mitigate,
    Accept,
    Transfer,
    Avoid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub likelihood: Score,
    pub impact: Score,
    #[serde(default)]
    pub treatment: Option<Treatment>,
    #[serde(default)]
    pub controls: Vec<Reference>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub review: Option<Date>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default = "internal")]
    pub audience: Audience,
    #[serde(skip)]
    pub source: Source,
}

/// A likelihood or impact score from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Score(pub u8);

impl<'de> Deserialize<'de> for Score {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = i64::deserialize(deserializer)?;
        match u8::try_from(value) {
            Ok(score @ 1..=5) => Ok(Score(score)),
            _ => Err(serde::de::Error::custom(format!(
                "invalid score {value}: expected a whole number from 1 to 5"
            ))),
        }
    }
}

/// The whole ISMS as loaded. After `audience::cut` it holds only what one audience may see.
#[derive(Debug, Clone)]
pub struct Isms {
    /// Who this model is for: `Auditor` as loaded, lower after `audience::cut`.
    pub audience: Audience,
    pub site: SiteConfig,
    pub catalogs: Catalogs,
    pub policies: BTreeMap<String, Policy>,
    pub soa: Soa,
    pub certifications: BTreeMap<String, Certification>,
    pub documents: BTreeMap<String, Document>,
    pub checks: BTreeMap<String, ControlCheck>,
    /// In file order: the register's own order is meaningful to its readers.
    pub subprocessors: Vec<Subprocessor>,
    pub faq: BTreeMap<String, FaqAnswer>,
    pub evidence: BTreeMap<String, Evidence>,
    pub risks: BTreeMap<String, Risk>,
    /// Updates, audits and management reviews: every markdown record kind but policies.
    pub records: Records,
    /// `scope.yaml`, when there is one.
    pub scope: Option<Scope>,
    pub objectives: BTreeMap<String, Objective>,
    /// The access ledger (`access/shares.yaml`), by share id; empty below `internal`.
    pub shares: BTreeMap<String, Share>,
}

impl Isms {
    /// Visits each markdown record kind: policies, then those in [`Records`].
    pub fn visit_records<'a>(&'a self, visitor: &mut impl RecordVisitor<'a>) {
        visitor.visit(&self.policies);
        self.records.visit(visitor);
    }

    /// Every content file the loader read items from (policies, FAQ and status files, the
    /// registers, indexes, `site.yaml`): content, never a file to copy into output as it is.
    /// A set that hashes: a large ISMS names thousands of files (and its evidence index once
    /// per item), and a tree of paths compares them component by component.
    pub fn source_files(&self) -> std::collections::HashSet<&std::path::Path> {
        use std::path::Path;
        let mut files: std::collections::HashSet<&Path> =
            [Path::new("site.yaml"), Path::new("soa.yaml"), Path::new("documents/documents.yaml")].into();
        struct Files<'a, 'b>(&'b mut std::collections::HashSet<&'a Path>);
        impl<'a> RecordVisitor<'a> for Files<'a, '_> {
            fn visit<K: MarkdownRecord>(&mut self, records: &'a BTreeMap<String, K>) {
                self.0.extend(records.values().map(|record| record.source().file.as_path()));
            }
        }
        self.visit_records(&mut Files(&mut files));
        files.extend(self.certifications.values().map(|i| i.source.file.as_path()));
        files.extend(self.checks.values().map(|i| i.origin.file.as_path()));
        files.extend(self.subprocessors.iter().map(|i| i.source.file.as_path()));
        files.extend(self.faq.values().map(|i| i.source.file.as_path()));
        files.extend(self.evidence.values().map(|i| i.source.file.as_path()));
        files.extend(self.risks.values().map(|i| i.source.file.as_path()));
        files.extend(self.scope.iter().map(|i| i.source.file.as_path()));
        files.extend(self.objectives.values().map(|i| i.source.file.as_path()));
        files.extend(self.objectives.values().flat_map(|i| &i.measurement_files).map(|s| s.file.as_path()));
        files.extend(self.shares.values().map(|i| i.source.file.as_path()));
        files.retain(|file| !file.as_os_str().is_empty());
        files
    }
}

impl Default for Isms {
    fn default() -> Self {
        Isms {
            audience: Audience::Auditor,
            site: SiteConfig::default(),
            catalogs: Catalogs::default(),
            policies: BTreeMap::new(),
            soa: Soa::default(),
            certifications: BTreeMap::new(),
            documents: BTreeMap::new(),
            checks: BTreeMap::new(),
            subprocessors: Vec::new(),
            faq: BTreeMap::new(),
            evidence: BTreeMap::new(),
            risks: BTreeMap::new(),
            records: Records::default(),
            scope: None,
            objectives: BTreeMap::new(),
            shares: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_interval_reads_months_and_years() {
        assert_eq!(parse_interval("12 months").unwrap().months, 12);
        assert_eq!(parse_interval("1 year").unwrap().months, 12);
        assert!(parse_interval("twelve months").is_err());
        assert!(parse_interval("0 months").is_err());
        assert!(parse_interval("12 weeks").is_err());
        for huge in ["2147483647 months", "20000 years", "4294967295 years"] {
            assert!(parse_interval(huge).is_err(), "{huge}");
        }
    }
}
