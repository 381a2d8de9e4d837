//! The question ids of each CAIQ v4 version, read from one data file (`caiq-v4.yaml`): ids
//! only, since CSA's question texts are licensed. A version's ids are listed per CCM control
//! as a count: `A&A: [2, 1]` means `A&A-01.1`, `A&A-01.2` and `A&A-02.1`.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

const DATA: &str = include_str!("caiq-v4.yaml");

/// A CAIQ version trustpress knows the ids of. Content that does not say is on 4.0.3, the
/// version CAIQ ids were written in before 4.1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, serde::Serialize)]
pub enum Version {
    #[default]
    #[serde(rename = "4.0.3")]
    V4_0_3,
    #[serde(rename = "4.1")]
    V4_1,
}

impl Version {
    pub const ALL: [Version; 2] = [Version::V4_0_3, Version::V4_1];

    pub fn name(self) -> &'static str {
        match self {
            Version::V4_0_3 => "4.0.3",
            Version::V4_1 => "4.1",
        }
    }

    /// `4.0.3`, `v4.0.3`, `4.1`, `4.1.0`, `v4.1`.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches(['v', 'V']);
        Version::ALL.into_iter().find(|v| text == v.name() || text.strip_suffix(".0") == Some(v.name()))
    }
}

/// `caiq_version: 4.1` (a YAML number) or `caiq_version: "4.0.3"`.
impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Version, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Version;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a CAIQ version: 4.0.3 or 4.1")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Version, E> {
                Version::parse(text)
                    .ok_or_else(|| E::custom(format!("unknown CAIQ version `{text}`: expected 4.0.3 or 4.1")))
            }
            fn visit_f64<E: serde::de::Error>(self, number: f64) -> Result<Version, E> {
                self.visit_str(&number.to_string())
            }
            fn visit_u64<E: serde::de::Error>(self, number: u64) -> Result<Version, E> {
                self.visit_str(&number.to_string())
            }
            fn visit_i64<E: serde::de::Error>(self, number: i64) -> Result<Version, E> {
                self.visit_str(&number.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    versions: BTreeMap<String, VersionData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionData {
    /// The CCM version its questions come from.
    ccm: String,
    /// The name of the questions' sheet in CSA's workbook.
    sheet: String,
    /// Each CCM domain's code, and the number of questions of each of its controls in order.
    questions: Vec<(String, Vec<u8>)>,
}

/// One version's question ids, in CCM order.
pub struct Questions {
    pub version: Version,
    /// The CCM version its questions come from (`4.0`, `4.1`).
    pub ccm: String,
    pub sheet: String,
    pub ids: Vec<String>,
    set: HashSet<String>,
}

impl Questions {
    pub fn contains(&self, id: &str) -> bool {
        self.set.contains(id)
    }
}

fn read(text: &str) -> Result<Vec<Questions>, String> {
    let data: Data = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let mut versions = Vec::new();
    for version in Version::ALL {
        let Some(found) = data.versions.get(version.name()) else {
            return Err(format!("version {version} is missing"));
        };
        let mut ids = Vec::new();
        for (domain, counts) in &found.questions {
            for (index, count) in counts.iter().enumerate() {
                if *count == 0 {
                    return Err(format!("{domain}-{:02} has no questions", index + 1));
                }
                ids.extend((1..=*count).map(|n| format!("{domain}-{:02}.{n}", index + 1)));
            }
        }
        let set: HashSet<String> = ids.iter().cloned().collect();
        if set.len() != ids.len() {
            return Err(format!("version {version} lists a domain twice"));
        }
        versions.push(Questions { version, ccm: found.ccm.clone(), sheet: found.sheet.clone(), ids, set });
    }
    Ok(versions)
}

/// Every version's ids, read once from the data file built into the binary.
pub fn all() -> &'static [Questions] {
    static QUESTIONS: OnceLock<Vec<Questions>> = OnceLock::new();
    QUESTIONS.get_or_init(|| read(DATA).expect("caiq-v4.yaml is checked by a unit test"))
}

pub fn questions(version: Version) -> &'static Questions {
    &all()[Version::ALL.iter().position(|v| *v == version).unwrap_or(0)]
}

/// An id as CAIQ workbooks write it: `a&a-01.1 ` → `A&A-01.1`; white space and invisible
/// format characters (zero-width space, soft hyphen, byte order mark) dropped, full-width
/// forms (`Ａ＆Ａ`) read as ASCII. Ids are compared after this. The questionnaire page's
/// `caiqId` (engine.js) is the same function.
pub fn normalise(id: &str) -> String {
    id.chars()
        .filter(|c| {
            !c.is_whitespace() && !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        })
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .to_uppercase()
}

/// Whether `id` has the shape of a CAIQ v4 question id: a domain code of three letters (or
/// `A&A`), a two-digit control number and a question number (`IAM-14.1`).
pub fn is_question_id(id: &str) -> bool {
    let Some((control, question)) = id.rsplit_once('.') else { return false };
    let Some((domain, number)) = control.split_once('-') else { return false };
    let code = domain.len() == 3 && domain.chars().all(|c| c.is_ascii_uppercase() || c == '&');
    code && number.len() == 2
        && number.chars().all(|c| c.is_ascii_digit())
        && !question.is_empty()
        && question.len() <= 2
        && question.chars().all(|c| c.is_ascii_digit())
}

/// The versions that have `id` (normalised).
pub fn versions_of(id: &str) -> Vec<Version> {
    all().iter().filter(|q| q.contains(id)).map(|q| q.version).collect()
}

/// The CAIQ version a list of question ids (a sheet's reference column) is in: `content`
/// when every known id is one of its questions, else the one version that has them all.
/// `None` when no id is a known CAIQ question, or they are of no one version.
pub fn version_of<'a>(ids: impl Iterator<Item = &'a str>, content: Version) -> Option<Version> {
    let known: Vec<String> =
        ids.map(normalise).filter(|id| is_question_id(id) && !versions_of(id).is_empty()).collect();
    if known.is_empty() {
        return None;
    }
    let holds_all = |version: Version| known.iter().all(|id| questions(version).contains(id));
    if holds_all(content) {
        return Some(content);
    }
    Version::ALL.into_iter().find(|v| holds_all(*v))
}

/// What a questionnaire engine needs to tell a CAIQ of the other version from one of the
/// content's: the question ids only the content's version has, and those only the other
/// has. Published in `faq/answers.json` for the questionnaire page, whose engine applies
/// the same rule ([`VersionTell::is_other`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct VersionTell {
    pub version: String,
    pub other: String,
    pub only_this: Vec<String>,
    pub only_other: Vec<String>,
}

impl VersionTell {
    pub fn of(content: Version) -> VersionTell {
        let other = Version::ALL.into_iter().find(|v| *v != content).unwrap_or(content);
        let (this, that) = (questions(content), questions(other));
        VersionTell {
            version: content.name().to_string(),
            other: other.name().to_string(),
            only_this: this.ids.iter().filter(|id| !that.contains(id)).cloned().collect(),
            only_other: that.ids.iter().filter(|id| !this.contains(id)).cloned().collect(),
        }
    }

    /// Whether `ids` (a sheet's reference column) are the other version's: one of them is
    /// only the other's, and none only the content's. The same answer as
    /// `version_of(ids, content) != Some(content)` when it finds a version.
    pub fn is_other<'a>(&self, ids: impl Iterator<Item = &'a str>) -> bool {
        let mut other = false;
        for id in ids.map(normalise) {
            if self.only_this.contains(&id) {
                return false;
            }
            other |= self.only_other.contains(&id);
        }
        other
    }
}

/// The known id closest to a misspelt one, from any version.
pub fn closest(id: &str) -> Option<&'static str> {
    crate::diagnostic::suggest::closest(id, all().iter().flat_map(|q| q.ids.iter().map(String::as_str)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_file_reads_and_every_id_has_the_shape_of_one() {
        let versions = read(DATA).unwrap();
        for questions in &versions {
            assert!(questions.ids.len() > 200, "{}", questions.version);
            for id in &questions.ids {
                assert!(is_question_id(id), "{id}");
            }
        }
    }

    /// The totals CSA publishes for each version.
    #[test]
    fn each_version_has_csas_numbers_of_questions_and_controls() {
        for (version, questions, controls) in [(Version::V4_0_3, 261, 197), (Version::V4_1, 283, 207)] {
            let found = super::questions(version);
            assert_eq!(found.ids.len(), questions, "{version}");
            let mut control_ids: Vec<&str> =
                found.ids.iter().map(|id| id.rsplit_once('.').unwrap().0).collect();
            control_ids.dedup();
            assert_eq!(control_ids.len(), controls, "{version}");
        }
        assert!(
            versions_of("IVS-01.1") == vec![Version::V4_0_3]
                && versions_of("I&S-01.1") == vec![Version::V4_1]
        );
        assert_eq!(versions_of("A&A-01.1"), Version::ALL.to_vec());
    }

    /// The two readings of "a CAIQ of the other version" agree: the one the export uses
    /// (`version_of`) and the one both questionnaire engines use (`VersionTell::is_other`),
    /// on random lists of ids drawn from both versions, unknown ones and odd spellings.
    #[test]
    fn both_readings_of_the_other_version_agree() {
        let pool: Vec<String> = all()
            .iter()
            .flat_map(|q| q.ids.iter().cloned())
            .chain(["XYZ-01.1", "i&s-01.1", " IVS - 01.1", "", "Section"].map(String::from))
            .collect();
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = |below: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % below as u64) as usize
        };
        for content in Version::ALL {
            let tell = VersionTell::of(content);
            let (mut others, mut same) = (0, 0);
            for _ in 0..4000 {
                let ids: Vec<&str> = (0..1 + next(6)).map(|_| pool[next(pool.len())].as_str()).collect();
                let found = version_of(ids.iter().copied(), content);
                let other = tell.is_other(ids.iter().copied());
                assert_eq!(other, found.is_some_and(|v| v != content), "{ids:?}");
                if other {
                    others += 1;
                } else {
                    same += 1;
                }
            }
            assert!(others > 100 && same > 100, "both outcomes occur: {others} {same}");
        }
    }

    #[test]
    fn ids_are_normalised_and_versions_parsed() {
        assert_eq!(normalise(" a&a-01.1 "), "A&A-01.1");
        assert_eq!(normalise("Ａ＆Ａ-０１.１"), "A&A-01.1");
        assert_eq!(normalise("IAM-14.1\u{200b}"), "IAM-14.1");
        assert_eq!(normalise("ｉａｍ-08.1\u{feff}"), "IAM-08.1");
        assert!(is_question_id("IAM-14.1") && is_question_id("A&A-01.12"));
        assert!(!is_question_id("IAM-14") && !is_question_id("IAM-1.1") && !is_question_id("IA-14.1"));
        assert_eq!(Version::parse("v4.0.3"), Some(Version::V4_0_3));
        assert_eq!(Version::parse("4.1.0"), Some(Version::V4_1));
        assert_eq!(Version::parse("4.2"), None);
    }
}
