//! Where every page and file of a site lives. Site paths have no leading slash; folder
//! pages end with `/` and are written as `…/index.html`. The auditor bundle adds its
//! evidence files (filed by control) and each policy's markdown source.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::markdown::slug;
use crate::model::Isms;

pub const OVERVIEW: &str = "";
pub const POLICIES: &str = "policies/";
pub const SOA: &str = "soa/";
pub const CERTIFICATIONS: &str = "certifications/";
pub const DOCUMENTS: &str = "documents/";
pub const SUBPROCESSORS: &str = "subprocessors/";
pub const FAQ: &str = "faq/";
pub const UPDATES: &str = "updates/";
pub const UPDATES_FEED: &str = "updates/feed.xml";
pub const RISKS: &str = "risks/";
pub const ACCESS: &str = "access/";
/// A signed site's public key, manifest and signature (`build --sign`).
pub const SIGNING_KEY: &str = ".well-known/trustpress/signing-key.pub";
pub const SITE_MANIFEST: &str = ".well-known/trustpress/manifest.json";
pub const SITE_SIGNATURE: &str = ".well-known/trustpress/manifest.json.sig";
pub const AUDITS: &str = "audits/";
pub const REVIEWS: &str = "reviews/";
pub const SCOPE: &str = "scope/";
pub const NOT_FOUND: &str = "404.html";
pub const SITEMAP: &str = "sitemap.xml";
pub const ROBOTS: &str = "robots.txt";
pub const TRUST_JSON: &str = "trust.json";
pub const SECURITY_TXT: &str = ".well-known/security.txt";
/// Security headers for hosts that read the file (Netlify, Cloudflare Pages).
pub const HEADERS: &str = "_headers";
pub const STYLESHEET: &str = "assets/style.css";
pub const SYNTAX_STYLESHEET: &str = "assets/syntax.css";
/// The auditor bundle's evidence index; evidence files are filed below it by control.
pub const EVIDENCE: &str = "evidence/";
/// The bundle folder for evidence that names no control (and no SoA entry names).
pub const UNMAPPED_EVIDENCE_FOLDER: &str = "unmapped";

pub fn policy(id: &str) -> String {
    format!("{POLICIES}{}/", slug(id))
}

/// The policies list holds at most this many policies per page, as Hugo and Zola paginate:
/// at 10,000 policies one list would be megabytes a phone downloads whole.
pub const POLICIES_PER_PAGE: usize = 100;

/// Page `number` (from 1) of the policies list: `policies/` for the first, then
/// `policies/page/2/`, `policies/page/3/`…, stable while the order of the policies is.
pub fn policies_page(number: usize) -> String {
    listing_page(POLICIES, number)
}

/// Page `number` of the list at `first`: the list's own path for the first, then
/// `page/2/`, `page/3/`… under it.
fn listing_page(first: &str, number: usize) -> String {
    if number <= 1 {
        first.to_string()
    } else {
        format!("{first}page/{number}/")
    }
}

/// A policy's "what changed" page, one section per version after the first:
/// `policies/pol-ac/changes/`.
pub fn policy_changes(id: &str) -> String {
    format!("{}changes/", policy(id))
}

/// One version's section of its policy's "what changed" page `page` (from
/// [`policy_changes`]): `policies/pol-ac/changes/#version-1-2`.
pub fn change_section(page: &str, version_slug: &str) -> String {
    format!("{page}#{}", change_anchor(version_slug))
}

/// The anchor of a version's section on its policy's "what changed" page: `version-1-2`.
pub fn change_anchor(version_slug: &str) -> String {
    format!("version-{version_slug}")
}

pub fn control(id: &str) -> String {
    format!("{SOA}{}/", slug(id))
}

pub const FRAMEWORKS: &str = "frameworks/";
pub const SEARCH: &str = "search/";
/// The questionnaire search's index files (`render::search_index`).
pub const SEARCH_INDEX: &str = "search/index/";

/// The questionnaire search shows this many results per page without JavaScript, and its
/// script fetches the page that holds a result.
pub const SEARCH_PER_PAGE: usize = 100;

/// Page `number` (from 1) of the questionnaire search: `search/`, then `search/page/2/`…
pub fn search_page(number: usize) -> String {
    listing_page(SEARCH, number)
}
pub const HEALTH: &str = "health/";
pub const SUBPROCESSORS_FEED: &str = "subprocessors/feed.xml";
pub const ANSWERS_CSV: &str = "faq/answers.csv";
pub const ANSWERS_XLSX: &str = "faq/answers.xlsx";
/// The answer library as the questionnaire page matches against it (`answer::library`), and
/// the matching rules both it and `trustpress answer` read.
pub const ANSWER_LIBRARY: &str = "faq/answers.json";
pub const ANSWER_RULES: &str = "faq/answer-rules.json";

/// A certification's badge, at a stable address other sites can embed.
pub fn badge(certification_id: &str) -> String {
    format!("badges/{}.svg", slug(certification_id))
}

pub fn framework(catalog_id: &str) -> String {
    format!("{FRAMEWORKS}{}/", slug(catalog_id))
}

/// A criterion of a mapped framework: an anchor on the framework's page.
pub fn framework_item(catalog_id: &str, id: &str) -> String {
    format!("{}#{}", framework(catalog_id), slug(id))
}

pub fn update(id: &str) -> String {
    format!("{UPDATES}{}/", slug(id))
}

pub fn audit(id: &str) -> String {
    format!("{AUDITS}{}/", slug(id))
}

pub fn review(id: &str) -> String {
    format!("{REVIEWS}{}/", slug(id))
}

pub fn document_file(file_name: &str) -> String {
    format!("{DOCUMENTS}{file_name}")
}

/// The last part of a content path, as the name of its copy in the output.
pub fn file_name(path: &Path) -> String {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("file").to_string()
}

pub fn certification_file(certification_id: &str, file_name: &str) -> String {
    format!("{CERTIFICATIONS}{}/{file_name}", slug(certification_id))
}

/// A policy's markdown source in the auditor bundle, beside its page:
/// `policies/pol-ac/access-control.md`.
pub fn policy_source(policy_id: &str, source_file: &Path) -> String {
    format!("{}{}", policy(policy_id), file_name(source_file))
}

/// One evidence file as filed in the auditor bundle. A file that serves several controls is
/// filed under each of them (a copy, not a link: zip links do not survive every unzip tool,
/// and an auditor working through one control's folder should find everything there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledEvidence {
    /// The control it is filed under; `None` for evidence that names no control.
    pub control: Option<String>,
    pub evidence_id: String,
    /// Where it is in the bundle: `evidence/A.5.15/access-review-2026-q3.csv`.
    pub path: String,
    /// Where it is in the content folder (content-relative).
    pub source: PathBuf,
}

/// Where every evidence file of `isms` goes in the auditor bundle, sorted by bundle path.
///
/// An item is filed under each control it names and each control whose SoA entry lists it:
/// `evidence/<control id>/<file name>`. Two different files with the same name under one
/// control are both prefixed with their evidence id (`EV-003-export.csv`), so no name
/// depends on which was listed first. Evidence that names no control goes to
/// `evidence/unmapped/`.
/// A file name or path as a file system that ignores case and Unicode normalization (macOS,
/// Windows) compares it: two names with the same fold are one file there.
pub fn folded_name(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    name.nfd().collect::<String>().to_lowercase().nfd().collect()
}

pub fn evidence_files(isms: &Isms) -> Vec<FiledEvidence> {
    let mut controls_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (id, evidence) in &isms.evidence {
        let controls = controls_of.entry(id.as_str()).or_default();
        controls.extend(evidence.controls.iter().map(|c| c.id.as_str()));
    }
    for (control, entry) in &isms.soa.controls {
        for reference in &entry.evidence {
            if let Some(controls) = controls_of.get_mut(reference.id.as_str()) {
                controls.insert(control.as_str());
            }
        }
    }

    struct Placement<'a> {
        control: Option<&'a str>,
        evidence_id: &'a str,
        source: &'a Path,
    }
    let mut folders: BTreeMap<String, Vec<Placement>> = BTreeMap::new();
    for (evidence_id, controls) in &controls_of {
        let source = isms.evidence[*evidence_id].path.as_path();
        if controls.is_empty() {
            let placement = Placement { control: None, evidence_id, source };
            folders.entry(UNMAPPED_EVIDENCE_FOLDER.to_string()).or_default().push(placement);
        }
        for control in controls {
            let placement = Placement { control: Some(control), evidence_id, source };
            folders.entry(bundle_folder_name(control)).or_default().push(placement);
        }
    }

    let mut filed = Vec::new();
    for (folder, placements) in folders {
        // Names that one file system would take for one (case, Unicode normalization) count
        // as the same name.
        let mut sources_by_name: BTreeMap<String, BTreeSet<&Path>> = BTreeMap::new();
        for placement in &placements {
            let name = folded_name(&file_name(placement.source));
            sources_by_name.entry(name).or_default().insert(placement.source);
        }
        for placement in placements {
            let name = file_name(placement.source);
            let unique = sources_by_name.get(&folded_name(&name)).is_none_or(|sources| sources.len() == 1);
            let file =
                if unique { name } else { format!("{}-{name}", bundle_folder_name(placement.evidence_id)) };
            filed.push(FiledEvidence {
                control: placement.control.map(str::to_string),
                evidence_id: placement.evidence_id.to_string(),
                path: format!("{EVIDENCE}{folder}/{file}"),
                source: placement.source.to_path_buf(),
            });
        }
    }
    filed.sort_by(|a, b| (&a.path, &a.evidence_id).cmp(&(&b.path, &b.evidence_id)));
    filed
}

/// An id as a folder or file-name part: kept as written (`A.5.15`) when it is made of
/// letters, digits, `.`, `-` and `_` and does not start with a dot; otherwise its slug.
fn bundle_folder_name(id: &str) -> String {
    let plain = !id.is_empty()
        && !id.starts_with('.')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if plain {
        return id.to_string();
    }
    let slug = slug(id);
    if slug.is_empty() {
        "control".to_string()
    } else {
        slug
    }
}

/// The file a site path is written to: folders get `index.html`.
pub fn output_file(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, SoaEntry};

    fn evidence(id: &str, file: &str, controls: &[&str]) -> Evidence {
        let yaml = format!("id: {id}\ntitle: {id}\nfile: {file}\ncontrols: [{}]\n", controls.join(", "));
        let mut item: Evidence = serde_saphyr::from_str(&yaml).unwrap();
        item.path = Path::new("evidence").join(file);
        item
    }

    #[test]
    fn evidence_is_filed_under_each_control_without_name_clashes() {
        let mut isms = Isms::default();
        for item in [
            evidence("EV-1", "review.csv", &["A.5.15", "A.8.2"]),
            evidence("EV-2", "2025/review.csv", &["A.5.15"]),
            evidence("EV-3", "minutes.pdf", &[]),
            evidence("EV-4", "lone.txt", &[]),
            evidence("EV-5", "review.csv", &["A.8.2"]),
        ] {
            isms.evidence.insert(item.id.clone(), item);
        }
        let entry: SoaEntry = serde_saphyr::from_str("applicable: true\nevidence: [EV-3]\n").unwrap();
        isms.soa.controls.insert("A.5.1".into(), entry);

        let files = evidence_files(&isms);
        let filed: Vec<(Option<&str>, &str, &str)> =
            files.iter().map(|f| (f.control.as_deref(), f.evidence_id.as_str(), f.path.as_str())).collect();
        assert_eq!(
            filed,
            [
                (Some("A.5.1"), "EV-3", "evidence/A.5.1/minutes.pdf"),
                (Some("A.5.15"), "EV-1", "evidence/A.5.15/EV-1-review.csv"),
                (Some("A.5.15"), "EV-2", "evidence/A.5.15/EV-2-review.csv"),
                // The same file named by two items is filed once, and both link to it.
                (Some("A.8.2"), "EV-1", "evidence/A.8.2/review.csv"),
                (Some("A.8.2"), "EV-5", "evidence/A.8.2/review.csv"),
                (None, "EV-4", "evidence/unmapped/lone.txt"),
            ]
        );
        assert_eq!(files[2].source, Path::new("evidence/2025/review.csv"));
    }

    #[test]
    fn names_one_file_system_takes_for_one_are_prefixed_too() {
        let mut isms = Isms::default();
        for item in [
            evidence("EV-1", "Export.csv", &["A.5.15"]),
            evidence("EV-2", "2025/export.csv", &["A.5.15"]),
            evidence("EV-3", "caf\u{e9}.txt", &["A.8.2"]),
            evidence("EV-4", "2025/cafe\u{301}.txt", &["A.8.2"]),
        ] {
            isms.evidence.insert(item.id.clone(), item);
        }
        let paths: Vec<String> = evidence_files(&isms).into_iter().map(|f| f.path).collect();
        assert_eq!(
            paths,
            [
                "evidence/A.5.15/EV-1-Export.csv",
                "evidence/A.5.15/EV-2-export.csv",
                "evidence/A.8.2/EV-3-caf\u{e9}.txt",
                "evidence/A.8.2/EV-4-cafe\u{301}.txt",
            ]
        );
    }

    #[test]
    fn odd_ids_become_safe_folder_names() {
        assert_eq!(bundle_folder_name("A.5.15"), "A.5.15");
        assert_eq!(bundle_folder_name("CC6.1"), "CC6.1");
        assert_eq!(bundle_folder_name("Art 21/2(a)"), "art-21-2-a");
        assert_eq!(bundle_folder_name(".."), "control");
    }
}
