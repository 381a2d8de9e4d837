//! The adversary's harness, shared by the hostile-content tests (`tests/e2e/adversary.rs`)
//! and the differential fuzzer (`fuzz/fuzz_targets/audience.rs`): write content on top of
//! the minimal fixture, build the public and the internal site in memory, and check that
//! each build either refuses the content or holds no byte of what it may not see.
//!
//! Markers: text holding [`INTERNAL`] may reach the internal site only, text holding
//! [`AUDITOR`] neither site. They are lower-case letters, so escaping, slugs and upper-
//! casing cannot hide them from the search (which ignores case).

#![allow(dead_code)]

use std::path::Path;

use trustpress::build::{render_site, BuildError, SiteOptions};
use trustpress::render::RenderTarget;
use trustpress::{Audience, Date};

pub const INTERNAL: &str = "zqxinternalmark";
pub const AUDITOR: &str = "zqxauditormark";

/// What one build made of the content.
#[derive(Debug)]
pub enum Outcome {
    /// The build refused the content: the diagnostics' codes.
    Refused(Vec<String>),
    /// The files it would write: path and bytes (archives opened).
    Built(Vec<(String, Vec<u8>)>),
}

/// Copies the minimal fixture into `dir`, then writes `files` (content-relative path, bytes).
pub fn write_content(dir: &Path, files: &[(&str, &[u8])]) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    copy(&fixture, dir);
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Builds `content` for `audience` in memory.
pub fn build(content: &Path, audience: Audience) -> Outcome {
    let options = SiteOptions {
        content: content.to_path_buf(),
        audience,
        base_url: None,
        today: Date::parse("2026-11-21").unwrap(),
        explicit_index: false,
        target: RenderTarget::Site,
    };
    match render_site(&options) {
        Ok(site) => Outcome::Built(site.files.into_iter().flat_map(|f| opened(f.path, f.bytes)).collect()),
        Err(BuildError::Content(diagnostics)) => {
            Outcome::Refused(diagnostics.iter().map(|d| d.code.to_string()).collect())
        }
        Err(other) => Outcome::Refused(vec![format!("other: {other}")]),
    }
}

/// A file, and for a zip (XLSX) its entries, each searched whole.
fn opened(path: String, bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") {
        if let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
            for index in 0..archive.len() {
                if let Ok(mut entry) = archive.by_index(index) {
                    let mut inner = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut entry, &mut inner);
                    let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
                    files.push((format!("{path}!{name}"), inner));
                }
            }
        }
    }
    files.push((path, bytes));
    files
}

/// The first place a marker `audience` may not see is in `outcome`: `file: marker`.
pub fn leak(outcome: &Outcome, audience: Audience) -> Option<String> {
    let Outcome::Built(files) = outcome else { return None };
    let markers: &[&str] = match audience {
        Audience::Public => &[INTERNAL, AUDITOR],
        Audience::Internal => &[AUDITOR],
        Audience::Auditor => &[],
    };
    for (path, bytes) in files {
        let lower_path = path.to_lowercase();
        let lower = String::from_utf8_lossy(bytes).to_lowercase();
        for marker in markers {
            if lower_path.contains(marker) || lower.contains(marker) {
                return Some(format!("{path}: {marker}"));
            }
        }
    }
    None
}

/// Builds `files` over the minimal fixture for both audiences; `Err` names the first leak.
pub fn probe(files: &[(&str, &[u8])]) -> Result<[Outcome; 2], String> {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    write_content(&content, files);
    let public = build(&content, Audience::Public);
    if let Some(leak) = leak(&public, Audience::Public) {
        return Err(format!("public build shows {leak}"));
    }
    let internal = build(&content, Audience::Internal);
    if let Some(leak) = leak(&internal, Audience::Internal) {
        return Err(format!("internal build shows {leak}"));
    }
    Ok([public, internal])
}
