//! What goes where in the archive: the rendered auditor site, the SoA exports, and the
//! files copied from the content folder (downloads, evidence filed by control, policy
//! sources), each under one path, sorted.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::build::RenderedSite;
use crate::diagnostic::{display_path, Diagnostic, Location};
use crate::render;
use crate::site::routes;

use super::manifest::{Counts, MANIFEST_PATH, SUMS_PATH};
use super::{management, oscal, soa};

/// Where an entry's bytes come from.
pub enum Source {
    /// Rendered in memory (pages are small).
    Memory(Vec<u8>),
    /// A content-relative file, streamed from disk when the entry is written.
    Content(PathBuf),
}

pub struct Entry {
    pub path: String,
    pub source: Source,
}

pub struct Layout {
    /// Sorted by path; `manifest.json` and `SHA256SUMS` are not among them (they come last).
    pub entries: Vec<Entry>,
    pub counts: Counts,
}

pub const SOA_CSV: &str = "soa.csv";
pub const SOA_JSON: &str = "soa.json";

/// Lays out the bundle of the rendered auditor site `site`.
/// `built` is the build's timestamp (RFC 3339), the OSCAL documents' `last-modified`.
pub fn layout(site: RenderedSite, built: &str) -> Result<Layout, Vec<Diagnostic>> {
    let RenderedSite { files, isms, .. } = site;
    let evidence_files = routes::evidence_files(&isms);
    let soa_rows = soa::rows(&isms, &evidence_files);

    let mut counts = Counts {
        controls: soa_rows.len(),
        applicable_controls: soa_rows.iter().filter(|row| row.applicable == Some(true)).count(),
        policies: isms.policies.len(),
        evidence_items: isms.evidence.len(),
        certifications: isms.certifications.len(),
        certification_documents: isms.certifications.values().map(|c| c.documents.len()).sum(),
        documents: isms.documents.len(),
        risks: isms.risks.len(),
        audits: isms.records.audits.len(),
        reviews: isms.records.reviews.len(),
        pages: files.iter().filter(|file| file.path.ends_with(".html")).count(),
        ..Counts::default()
    };

    let mut entries: Vec<Entry> =
        files.into_iter().map(|file| Entry { path: file.path, source: Source::Memory(file.bytes) }).collect();
    entries.push(Entry { path: SOA_CSV.to_string(), source: Source::Memory(soa::to_csv(&isms, &soa_rows)) });
    entries
        .push(Entry { path: SOA_JSON.to_string(), source: Source::Memory(soa::to_json(&isms, &soa_rows)) });
    for (path, bytes) in [
        (management::CLAUSES_CSV, management::clauses_csv(&isms)),
        (management::OBJECTIVES_CSV, management::objectives_csv(&isms)),
    ] {
        entries.push(Entry { path: path.to_string(), source: Source::Memory(bytes) });
    }
    entries.push(Entry {
        path: oscal::CATALOG.to_string(),
        source: Source::Memory(oscal::catalog_json(&isms, built)),
    });
    entries.push(Entry {
        path: oscal::PROFILE.to_string(),
        source: Source::Memory(oscal::profile_json(&isms, &soa_rows, built)),
    });
    entries.push(Entry {
        path: oscal::SSP.to_string(),
        source: Source::Memory(oscal::ssp_json(&isms, &soa_rows, &evidence_files, built)),
    });
    for download in render::downloads(&isms) {
        entries.push(Entry { path: download.path, source: Source::Content(download.source) });
    }
    for policy in isms.policies.values() {
        entries.push(Entry {
            path: routes::policy_source(&policy.id, &policy.source.file),
            source: Source::Content(policy.source.file.clone()),
        });
    }
    let mut evidence_paths: Vec<(String, PathBuf)> =
        evidence_files.into_iter().map(|filed| (filed.path, filed.source)).collect();
    // Two items naming the same file under one control share one copy.
    evidence_paths.dedup();
    counts.evidence_files = evidence_paths.len();
    for (path, source) in evidence_paths {
        entries.push(Entry { path, source: Source::Content(source) });
    }

    entries.sort_by(|a, b| a.path.cmp(&b.path));
    check_paths(&entries)?;
    counts.files = entries.len();
    Ok(Layout { entries, counts })
}

/// Every path must be one a zip tool extracts where it says, and appear once.
fn check_paths(entries: &[Entry]) -> Result<(), Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let mut seen: BTreeMap<&str, &Entry> = BTreeMap::new();
    // The same path on a file system that ignores case and Unicode normalization (macOS,
    // Windows): an auditor extracting there would get one file where the bundle has two.
    let mut folded: BTreeMap<String, &Entry> = BTreeMap::new();
    for entry in entries {
        let origin = match &entry.source {
            Source::Content(path) => Some(path.as_path()),
            Source::Memory(_) => None,
        };
        let at = |diagnostic: Diagnostic| match origin {
            Some(path) => diagnostic.at(Location::file(path)),
            None => diagnostic,
        };
        if !is_safe_path(&entry.path) {
            problems.push(at(Diagnostic::error(
                "bundle-path",
                format!("`{}` cannot be a path in the bundle", entry.path.escape_debug()),
            )
            .hint(
                "file names in the bundle may not hold control characters or backslashes; rename the file",
            )));
            continue;
        }
        if entry.path == MANIFEST_PATH || entry.path == SUMS_PATH {
            problems.push(at(Diagnostic::error(
                "bundle-path",
                format!("`{}` is reserved for the bundle's own index", entry.path),
            )));
            continue;
        }
        let describe = |entry: &Entry| match &entry.source {
            Source::Content(path) => format!("`{}`", display_path(path)),
            Source::Memory(_) => "a generated page".to_string(),
        };
        if let Some(first) =
            folded.insert(routes::folded_name(&entry.path), entry).filter(|first| first.path != entry.path)
        {
            problems.push(at(Diagnostic::error(
                "bundle-path",
                format!(
                    "`{}` and `{}` would be one file in the bundle on a file system that ignores case (macOS, Windows): {} and {}",
                    first.path,
                    entry.path,
                    describe(first),
                    describe(entry)
                ),
            )
            .hint("give one of the files a name that differs by more than the case of its letters")));
            continue;
        }
        if let Some(first) = seen.insert(&entry.path, entry) {
            problems.push(at(Diagnostic::error(
                "bundle-path",
                format!(
                    "two files would be `{}` in the bundle: {} and {}",
                    entry.path,
                    describe(first),
                    describe(entry)
                ),
            )
            .hint("give one of the files another name")));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

/// Relative, `/`-separated, every segment a plain name: what every unzip tool extracts
/// inside its target folder, and what `sha256sum -c` reads without escapes.
fn is_safe_path(path: &str) -> bool {
    path_problem(path).is_none()
}

/// Why `path` is not a safe path (see [`is_safe_path`]), or `None` when it is. `verify` refuses
/// an entry or a manifest line by the same rule: it accepts every name `bundle` writes and no
/// other.
pub(super) fn path_problem(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("an empty name")
    } else if path.starts_with('/') {
        Some("an absolute name")
    } else if path.contains('\\') {
        Some("a backslash in its name (a folder separator on Windows)")
    } else if path.chars().any(char::is_control) {
        Some("a control character in its name")
    } else if path.ends_with('/') {
        Some("a name ending in `/` (a folder)")
    } else {
        path.split('/').find_map(|segment| match segment {
            "" => Some("an empty segment (`//`) in its name"),
            "." => Some("a `.` segment in its name"),
            ".." => Some("a `..` segment in its name, which leaves the folder it is extracted into"),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_in_the_archive_and_be_unique() {
        for bad in ["../x", "/etc/x", "a\\b", "a/\nb", "", "a/", "a/./b"] {
            assert!(!is_safe_path(bad), "{bad:?}");
        }
        assert!(is_safe_path("evidence/A.5.15/Q3 review #2.csv"));

        let entry =
            |path: &str, source: &str| Entry { path: path.into(), source: Source::Content(source.into()) };
        let problems =
            check_paths(&[entry("documents/a.pdf", "documents/a.pdf"), entry("documents/a.pdf", "x/a.pdf")])
                .unwrap_err();
        assert!(problems[0].message.contains("`documents/a.pdf` and `x/a.pdf`"), "{}", problems[0].message);
        assert!(check_paths(&[entry("manifest.json", "evidence/manifest.json")]).is_err());
    }

    #[test]
    fn paths_that_differ_only_in_case_or_normalization_are_refused() {
        let entry =
            |path: &str, source: &str| Entry { path: path.into(), source: Source::Content(source.into()) };
        for (a, b) in [
            ("documents/Report.pdf", "documents/report.pdf"),
            ("Evidence/A.5.15/x.csv", "evidence/A.5.15/x.csv"),
            // é as one character and as e with a combining accent: one name on macOS.
            ("documents/caf\u{e9}.pdf", "documents/cafe\u{301}.pdf"),
            ("documents/STRASSE.pdf", "documents/strasse.pdf"),
        ] {
            let problems = check_paths(&[entry(a, "one"), entry(b, "two")]).unwrap_err();
            assert!(
                problems.len() == 1 && problems[0].message.contains("ignores case"),
                "{a} {b}: {problems:?}"
            );
        }
        assert!(check_paths(&[entry("documents/a.pdf", "one"), entry("documents/b.pdf", "two")]).is_ok());
    }
}
