//! Checking a signed site folder (`verify SITE --key PUBKEY`): the signature over
//! `.well-known/trustpress/manifest.json` first, then every file the manifest lists against
//! its SHA-256 and size, and every file in the folder that it does not list. The manifest is
//! written by `output::signed` at build time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{SignError, VerifyingKey};
use crate::site::routes;

/// What a site check found.
#[derive(Debug, Default)]
pub struct SiteReport {
    /// How many listed files were checked.
    pub checked: usize,
    /// One line each: `changed: PATH`, `missing: PATH`, `extra: PATH`.
    pub problems: Vec<String>,
    /// The key the signature was checked with (its fingerprint); `None` when no key was given
    /// and the signature was only checked against the key the site publishes.
    pub key: Option<String>,
}

impl SiteReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Files of the folder that are not the site's: the signing files and the output marker.
const OWN: [&str; 4] =
    [routes::SITE_MANIFEST, routes::SITE_SIGNATURE, routes::SIGNING_KEY, ".trustpress-output"];

/// Checks the site in `folder`. With `key`, the signature must be by that key; without, by the
/// key the site itself publishes, which proves only that the files match what that key signed.
pub fn verify_site(folder: &Path, key: Option<&VerifyingKey>) -> Result<SiteReport, SignError> {
    let read = |route: &str| {
        std::fs::read(folder.join(route)).map_err(|error| {
            SignError::Site(format!(
                "{}: cannot read {route}: {error} (is this a site built with --sign?)",
                folder.display()
            ))
        })
    };
    let manifest = read(routes::SITE_MANIFEST)?;
    let signature = String::from_utf8(read(routes::SITE_SIGNATURE)?).map_err(|_| {
        SignError::Site(format!("{}: {} is not text", folder.display(), routes::SITE_SIGNATURE))
    })?;
    let checked_with = match key {
        Some(key) => key.clone(),
        None => {
            let published = String::from_utf8_lossy(&read(routes::SIGNING_KEY)?).to_string();
            VerifyingKey::parse(&published)?
        }
    };
    checked_with.verify(&manifest, &signature)?;

    let listed = parse_manifest(&manifest).ok_or_else(|| {
        SignError::Site(format!("{}: {} is not a site manifest", folder.display(), routes::SITE_MANIFEST))
    })?;
    let mut report = SiteReport { key: key.map(|k| k.fingerprint()), ..SiteReport::default() };
    for (path, (sha256, size)) in &listed {
        let safe = Path::new(path).components().all(|c| matches!(c, std::path::Component::Normal(_)));
        // A built site holds regular files only: a symbolic link (to a file anywhere) or a
        // device is not the file that was signed, whatever it reads as today.
        let kind = if safe {
            std::fs::symlink_metadata(folder.join(path)).ok().map(|m| m.file_type())
        } else {
            None
        };
        if kind.is_some_and(|kind| !kind.is_file()) {
            report
                .problems
                .push(format!("not a regular file: {path} (a built site holds regular files only)"));
            report.checked += 1;
            continue;
        }
        let bytes = if safe { std::fs::read(folder.join(path)).ok() } else { None };
        match bytes {
            None => report.problems.push(format!("missing: {path}")),
            Some(bytes) => {
                let actual = crate::hex::sha256(&bytes);
                if actual != *sha256 || bytes.len() as u64 != *size {
                    report.problems.push(format!("changed: {path}"));
                }
            }
        }
        report.checked += 1;
    }
    // The files that are not in the manifest are still the site's: the key customers are told
    // to fetch must be the key given, and the output marker is the text a build writes.
    if let Some(key) = key {
        let published = std::fs::read(folder.join(routes::SIGNING_KEY)).ok();
        let same = published
            .and_then(|bytes| VerifyingKey::parse(&String::from_utf8_lossy(&bytes)).ok())
            .is_some_and(|published| published.fingerprint() == key.fingerprint());
        if !same {
            report.problems.push(format!("changed: {} (not the key given)", routes::SIGNING_KEY));
        }
    }
    let marker = folder.join(crate::output::MARKER);
    if let Ok(metadata) = std::fs::symlink_metadata(&marker) {
        let written = metadata.is_file()
            && std::fs::read(&marker).ok().as_deref() == Some(crate::output::MARKER_TEXT.as_bytes());
        if !written {
            report
                .problems
                .push(format!("changed: {} (not the marker a build writes)", crate::output::MARKER));
        }
    }
    let mut present = BTreeSet::new();
    collect(folder, "", &mut present);
    for path in present {
        if !listed.contains_key(&path) && !OWN.contains(&path.as_str()) {
            report.problems.push(format!("extra: {path}"));
        }
    }
    Ok(report)
}

/// `path → (sha256, size)` from the manifest's JSON.
fn parse_manifest(bytes: &[u8]) -> Option<BTreeMap<String, (String, u64)>> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if value.get("format")?.as_str()? != "trustpress-site-manifest/1" {
        return None;
    }
    value
        .get("files")?
        .as_array()?
        .iter()
        .map(|file| {
            Some((
                file.get("path")?.as_str()?.to_string(),
                (file.get("sha256")?.as_str()?.to_string(), file.get("size")?.as_u64()?),
            ))
        })
        .collect()
}

/// Every file under `folder` (symbolic links included, as names), as `/`-separated paths.
fn collect(folder: &Path, prefix: &str, into: &mut BTreeSet<String>) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => collect(&entry.path(), &path, into),
            _ => {
                into.insert(path);
            }
        }
    }
}
