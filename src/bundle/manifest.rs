//! `manifest.json` and `SHA256SUMS`: what a bundle holds, so that anyone can tell whether a
//! file changed after it was sent. Both are written last, as they list every other entry;
//! a signed bundle has `manifest.json.sig` between them, an SSH signature over the manifest's
//! bytes (`crate::sign`), which so covers every file the manifest lists, and `SHA256SUMS.sig`
//! after them, over `SHA256SUMS`, so that `ssh-keygen -Y verify` and `sha256sum -c` alone
//! check every file too.

use serde::{Deserialize, Serialize};

use super::provenance::BuildDateSource;

/// The `format` of every manifest this version writes. `verify` accepts manifests of the
/// same format; a later incompatible layout gets a new number.
pub const FORMAT: &str = "trustpress-bundle/1";
pub const MANIFEST_PATH: &str = "manifest.json";
pub const SUMS_PATH: &str = "SHA256SUMS";
/// The SSH signature over `manifest.json`'s bytes, in a signed bundle (`bundle --sign`).
pub const SIGNATURE_PATH: &str = "manifest.json.sig";
/// The SSH signature over `SHA256SUMS`'s bytes, the last entry of a signed bundle.
pub const SUMS_SIGNATURE_PATH: &str = "SHA256SUMS.sig";

/// One file of the archive: its path in the zip, its size before compression, and the
/// SHA-256 of its bytes (lowercase hex).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub format: &'static str,
    pub tool: Tool,
    pub organization: String,
    /// RFC 3339, UTC: the instant every entry's timestamp is set to.
    pub built_at: String,
    pub built_at_source: BuildDateSource,
    pub content: ContentState,
    pub soa: SoaInfo,
    pub counts: Counts,
    /// Every entry of the archive but `manifest.json`, `SHA256SUMS` and their signatures, in
    /// archive order.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Tool {
        Tool { name: "trustpress", version: env!("CARGO_PKG_VERSION") }
    }
}

/// The content folder's git state; `null` when it is not in a git repository.
#[derive(Debug, Clone, Serialize)]
pub struct ContentState {
    pub git_commit: Option<String>,
    pub git_dirty: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SoaInfo {
    pub version: Option<String>,
    pub approved_by: Option<String>,
    pub approved: Option<String>,
}

/// How many of each kind the bundle holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Controls of the enabled catalogs (rows of `soa.csv`).
    pub controls: usize,
    pub applicable_controls: usize,
    pub policies: usize,
    /// Items of `evidence/evidence.yaml`.
    pub evidence_items: usize,
    /// Files under `evidence/` (an item serving three controls is filed three times).
    pub evidence_files: usize,
    pub certifications: usize,
    pub certification_documents: usize,
    pub documents: usize,
    pub risks: usize,
    pub audits: usize,
    pub reviews: usize,
    /// HTML pages.
    pub pages: usize,
    /// Entries listed in `files`.
    pub files: usize,
}

/// The part of a manifest `verify` needs. Unknown fields are ignored, so a manifest with
/// more provenance than this version knows still verifies.
#[derive(Debug, Clone, Deserialize)]
pub struct ManifestFiles {
    pub format: String,
    #[serde(default)]
    pub built_at: Option<String>,
    #[serde(default)]
    pub content: Option<serde_json::Value>,
    pub files: Vec<FileEntry>,
}

/// `manifest.json`'s bytes: pretty JSON with a final newline.
pub fn to_json(manifest: &Manifest) -> Vec<u8> {
    let mut json = serde_json::to_vec_pretty(manifest).unwrap_or_default();
    json.push(b'\n');
    json
}

/// `SHA256SUMS` in the format `sha256sum -c` reads: `<hex>  <path>` per line.
/// Bundle paths never hold a newline or backslash (the bundle refuses such names), so no
/// line needs sha256sum's escaping.
pub fn sha256sums(entries: &[FileEntry]) -> Vec<u8> {
    let mut text = String::new();
    for entry in entries {
        text.push_str(&entry.sha256);
        text.push_str("  ");
        text.push_str(&entry.path);
        text.push('\n');
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_are_in_sha256sum_format() {
        let entries = vec![
            FileEntry { path: "index.html".into(), size: 3, sha256: "ab".repeat(32) },
            FileEntry { path: "evidence/A.5.15/a b.csv".into(), size: 0, sha256: "0f".repeat(32) },
        ];
        let sums = String::from_utf8(sha256sums(&entries)).unwrap();
        assert_eq!(
            sums,
            format!("{}  index.html\n{}  evidence/A.5.15/a b.csv\n", "ab".repeat(32), "0f".repeat(32))
        );
    }
}
