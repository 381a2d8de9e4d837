//! `trustpress verify`: re-hashes every entry of a bundle against its manifest and names
//! each file that changed, is missing or is extra, and each entry that is not as `bundle`
//! writes it (see `form.rs`): the auditor trusts what verify says ok to. Reads a plain zip,
//! or an age-encrypted one with an identity, decrypting as it reads (nothing decrypted is
//! written to disk).
//!
//! A signed bundle's signatures (`manifest.json.sig` over the manifest, `SHA256SUMS.sig` over
//! `SHA256SUMS`) are checked before any hash: with the organisation's public key (`--key`), a
//! missing or failing signature stops verify at once, as a manifest that key did not sign
//! says nothing about the files; without a key, each signature is checked against the key it
//! names (which shows the files unchanged since they were signed, not by whom), both must
//! name the same key, and that key's fingerprint is reported.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zip::ZipArchive;

use super::form::{self, Form};
use super::layout;
use super::manifest::{
    self, FileEntry, ManifestFiles, MANIFEST_PATH, SIGNATURE_PATH, SUMS_PATH, SUMS_SIGNATURE_PATH,
};
use super::Progress;
use crate::sign::{SignError, VerifyingKey};

/// A manifest larger than this is refused rather than read into memory.
const MAX_MANIFEST_BYTES: u64 = 256 * 1024 * 1024;
/// A signature is a few hundred bytes; a larger `manifest.json.sig` is not read whole.
/// (`SHA256SUMS` is read with the manifest's limit.)
const MAX_SIGNATURE_BYTES: u64 = 64 * 1024;

pub struct VerifyOptions {
    pub file: PathBuf,
    /// An age identity file (`AGE-SECRET-KEY-1…` lines), for encrypted bundles.
    pub identity: Option<PathBuf>,
    /// The organisation's public key (`--key`): the manifest must be signed with it.
    pub key: Option<VerifyingKey>,
}

/// One way the archive differs from its manifest, or from what `bundle` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// In the manifest and the archive, with other bytes (or unreadable).
    Changed { path: String, reason: String },
    /// In the manifest, not in the archive.
    Missing { path: String },
    /// In the archive, not in the manifest.
    Extra { path: String },
    /// Something `bundle` never writes (a symlink, a folder entry, an unsafe name, a zip
    /// comment, a name listed twice, …), whether or not the bytes match: the auditor's unzip
    /// acts on it. `path` is the entry, the manifest line or, for the archive as a whole, the
    /// archive; `reason` says what it is and what `bundle` writes instead.
    Unexpected { path: String, reason: String },
}

impl Problem {
    pub fn path(&self) -> &str {
        match self {
            Problem::Changed { path, .. }
            | Problem::Missing { path }
            | Problem::Extra { path }
            | Problem::Unexpected { path, .. } => path,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = shown(self.path());
        match self {
            Problem::Changed { reason, .. } => write!(f, "changed: {path} ({reason})"),
            Problem::Missing { .. } => write!(f, "missing: {path}"),
            Problem::Extra { .. } => write!(f, "extra:   {path}"),
            Problem::Unexpected { reason, .. } => write!(f, "unexpected: {path} ({reason})"),
        }
    }
}

/// `path` with its control characters escaped: a name in a hostile archive must not move the
/// cursor or recolour the terminal that shows it.
fn shown(path: &str) -> Cow<'_, str> {
    if path.chars().any(char::is_control) {
        Cow::Owned(
            path.chars()
                .map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() })
                .collect(),
        )
    } else {
        Cow::Borrowed(path)
    }
}

#[derive(Debug, Clone)]
pub struct VerifyReport {
    /// Entries of the manifest that were checked.
    pub checked: usize,
    pub problems: Vec<Problem>,
    /// SHA-256 of `manifest.json`: compare it with the one the sender reported.
    pub manifest_sha256: String,
    pub built_at: Option<String>,
    pub git_commit: Option<String>,
    pub encrypted: bool,
    pub signature: Signature,
}

/// What `verify` found of the bundle's signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// Neither `manifest.json.sig` nor `SHA256SUMS.sig`: the bundle is not signed (and no key
    /// was given).
    Unsigned,
    /// Signed, and both signatures match their files for the one key they name
    /// (`fingerprint`); no key was given to say whose key that must be.
    Unchecked { fingerprint: String },
    /// Both signatures made with the key given (`fingerprint`).
    Verified { fingerprint: String },
    /// No key was given, and a signature is missing, does not verify even against the key it
    /// names, or the two name different keys (each reported as a problem).
    Invalid,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("cannot read `{path}`: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("`{path}` is not a bundle: {reason}")]
    NotABundle { path: PathBuf, reason: String },
    #[error("`{0}` is encrypted with age: pass the identity that opens it with --identity KEYFILE")]
    IdentityRequired(PathBuf),
    #[error("cannot use the identity file `{path}`: {reason}")]
    Identity { path: PathBuf, reason: String },
    #[error("cannot decrypt `{path}`: no identity in `{identity}` is one of its recipients")]
    NotARecipient { path: PathBuf, identity: PathBuf },
    #[error("cannot decrypt `{path}`: {reason}")]
    Decrypt { path: PathBuf, reason: String },
    #[error("`{path}` has no valid manifest.json: {reason}")]
    Manifest { path: PathBuf, reason: String },
    #[error(
        "`{path}` is not signed (it has no {missing}), and --key asks for a signature with {fingerprint}"
    )]
    Unsigned { path: PathBuf, missing: &'static str, fingerprint: String },
    #[error("`{path}` does not verify with the key given: {file}: {reason}")]
    Signature { path: PathBuf, file: &'static str, reason: SignError },
}

impl VerifyError {
    /// Errors in how verify was called (rather than in the bundle): exit code 2.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            VerifyError::IdentityRequired(_)
                | VerifyError::Identity { .. }
                | VerifyError::NotARecipient { .. }
        )
    }
}

enum Kind {
    Zip,
    Age,
}

/// Verifies the bundle `options.file`.
pub fn verify(options: &VerifyOptions, progress: &dyn Progress) -> Result<VerifyReport, VerifyError> {
    let path = &options.file;
    let key = options.key.as_ref();
    let open_error = |source: io::Error| VerifyError::Open { path: path.clone(), source };
    let mut file = File::open(path).map_err(open_error)?;
    let kind = sniff(&mut file, path)?;
    match kind {
        Kind::Zip => {
            let (archive, form) = open_zip(BufReader::new(file), path)?;
            verify_archive(archive, form, path, false, key, progress)
        }
        Kind::Age => {
            let identity_file =
                options.identity.as_ref().ok_or_else(|| VerifyError::IdentityRequired(path.clone()))?;
            let identities = read_identities(identity_file)?;
            let decryptor = age::Decryptor::new_buffered(BufReader::new(file))
                .map_err(|error| VerifyError::Decrypt { path: path.clone(), reason: error.to_string() })?;
            let identities = identities.iter().map(|i| i.as_ref() as &dyn age::Identity);
            let reader = decryptor.decrypt(identities).map_err(|error| match error {
                age::DecryptError::NoMatchingKeys => {
                    VerifyError::NotARecipient { path: path.clone(), identity: identity_file.clone() }
                }
                other => VerifyError::Decrypt { path: path.clone(), reason: other.to_string() },
            })?;
            let (archive, form) = open_zip(reader, path)?;
            verify_archive(archive, form, path, true, key, progress)
        }
    }
}

/// Tells a zip from an age file by their first bytes.
fn sniff(file: &mut File, path: &Path) -> Result<Kind, VerifyError> {
    let mut head = [0u8; 34];
    let mut length = 0;
    while length < head.len() {
        match file.read(&mut head[length..]) {
            Ok(0) => break,
            Ok(count) => length += count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => return Err(VerifyError::Open { path: path.to_path_buf(), source }),
        }
    }
    file.rewind().map_err(|source| VerifyError::Open { path: path.to_path_buf(), source })?;
    let head = &head[..length];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Ok(Kind::Zip)
    } else if head.starts_with(b"age-encryption.org/") {
        Ok(Kind::Age)
    } else if head.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----") {
        Err(VerifyError::NotABundle {
            path: path.to_path_buf(),
            reason:
                "it is an ASCII-armored age file; decrypt it with `age -d` first, or pass the binary file"
                    .into(),
        })
    } else {
        Err(VerifyError::NotABundle {
            path: path.to_path_buf(),
            reason: "it is neither a zip nor an age file".into(),
        })
    }
}

/// Opens the zip, and checks that every entry has the form `bundle` writes.
fn open_zip<R: Read + Seek>(reader: R, path: &Path) -> Result<(ZipArchive<R>, Form), VerifyError> {
    let not_a_bundle = |reason: String| VerifyError::NotABundle {
        path: path.to_path_buf(),
        reason: format!("not a readable zip ({reason})"),
    };
    let archive = ZipArchive::new(reader).map_err(|error| not_a_bundle(error.to_string()))?;
    let comment = !archive.comment().is_empty();
    let directory_start = archive.central_directory_start();
    let mut reader = archive.into_inner();
    let shown = path.display().to_string();
    let mut form =
        form::check(&mut reader, directory_start, &shown).map_err(|error| not_a_bundle(error.to_string()))?;
    if comment {
        form.problems.insert(
            0,
            Problem::Unexpected {
                path: shown,
                reason: "a zip comment, which unzip prints to whoever opens the archive; bundle writes none"
                    .into(),
            },
        );
    }
    let archive = ZipArchive::new(reader).map_err(|error| not_a_bundle(error.to_string()))?;
    Ok((archive, form))
}

fn read_identities(path: &Path) -> Result<Vec<Box<dyn age::Identity + Send + Sync>>, VerifyError> {
    let identity_error = |reason: String| VerifyError::Identity { path: path.to_path_buf(), reason };
    let file = age::IdentityFile::from_file(path.to_string_lossy().into_owned())
        .map_err(|error| identity_error(error.to_string()))?;
    let identities = file.into_identities().map_err(|error| identity_error(error.to_string()))?;
    if identities.is_empty() {
        return Err(identity_error("it holds no AGE-SECRET-KEY-1… line".into()));
    }
    Ok(identities)
}

fn verify_archive<R: Read + Seek>(
    mut archive: ZipArchive<R>,
    form: Form,
    path: &Path,
    encrypted: bool,
    key: Option<&VerifyingKey>,
    progress: &dyn Progress,
) -> Result<VerifyReport, VerifyError> {
    let manifest_error = |reason: String| VerifyError::Manifest { path: path.to_path_buf(), reason };
    let Form { mut problems, refused } = form;

    let manifest_bytes = {
        let entry = archive
            .by_name(MANIFEST_PATH)
            .map_err(|_| manifest_error("the archive has no manifest.json".into()))?;
        let mut bytes = Vec::new();
        entry
            .take(MAX_MANIFEST_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|error| manifest_error(format!("cannot be read: {error}")))?;
        bytes
    };
    let manifest_sha256 = crate::hex::sha256(&manifest_bytes);

    // The signatures first: with a key, nothing else is worth reading if the manifest is not
    // that key's.
    let signature_bytes = read_entry(&mut archive, SIGNATURE_PATH, MAX_SIGNATURE_BYTES);
    let sums_signature_bytes = read_entry(&mut archive, SUMS_SIGNATURE_PATH, MAX_SIGNATURE_BYTES);
    let signature = if signature_bytes.is_none() && sums_signature_bytes.is_none() && key.is_none() {
        Signature::Unsigned
    } else {
        let sums_bytes = read_entry(&mut archive, SUMS_PATH, MAX_MANIFEST_BYTES).unwrap_or_default();
        let signed = [
            Signed { name: SIGNATURE_PATH, signature: signature_bytes.as_deref(), message: &manifest_bytes },
            Signed {
                name: SUMS_SIGNATURE_PATH,
                signature: sums_signature_bytes.as_deref(),
                message: &sums_bytes,
            },
        ];
        match key {
            Some(key) => check_signatures_with(key, &signed, path)?,
            None => check_signatures(&signed, &mut problems),
        }
    };

    let manifest: ManifestFiles =
        serde_json::from_slice(&manifest_bytes).map_err(|error| manifest_error(error.to_string()))?;
    if manifest.format != manifest::FORMAT {
        return Err(manifest_error(format!(
            "its format is `{}`; this trustpress reads `{}`",
            manifest.format,
            manifest::FORMAT
        )));
    }

    // Name → index, by the names' bytes: a name that is not UTF-8 (refused by the form
    // check) is not decoded as CP 437 into one the manifest might list.
    let mut in_archive: BTreeMap<String, usize> = BTreeMap::new();
    for index in 0..archive.len() {
        let Ok(entry) = archive.by_index_data(index) else { continue };
        if let Ok(name) = std::str::from_utf8(entry.name_raw()) {
            in_archive.insert(name.to_string(), index);
        }
    }

    progress.start(manifest.files.iter().map(|f| f.size).sum());
    let mut listed = BTreeSet::new();
    for expected in &manifest.files {
        if let Some(reason) = listing_problem(&expected.path, &mut listed) {
            problems.push(Problem::Unexpected { path: expected.path.clone(), reason });
            continue;
        }
        let Some(&index) = in_archive.get(&expected.path) else {
            problems.push(Problem::Missing { path: expected.path.clone() });
            continue;
        };
        if let Some(problem) = check_entry(&mut archive, index, expected, progress) {
            problems.push(problem);
        }
    }
    progress.finish();

    let mut summed = manifest.files.clone();
    summed.push(FileEntry {
        path: MANIFEST_PATH.into(),
        size: manifest_bytes.len() as u64,
        sha256: manifest_sha256.clone(),
    });
    if let Some(bytes) = &signature_bytes {
        summed.push(FileEntry {
            path: SIGNATURE_PATH.into(),
            size: bytes.len() as u64,
            sha256: crate::hex::sha256(bytes),
        });
    }
    match in_archive.get(SUMS_PATH) {
        None => problems.push(Problem::Missing { path: SUMS_PATH.into() }),
        Some(&index) => {
            let expected = manifest::sha256sums(&summed);
            let expected = FileEntry {
                path: SUMS_PATH.into(),
                size: expected.len() as u64,
                sha256: crate::hex::sha256(&expected),
            };
            if let Some(Problem::Changed { path, .. }) =
                check_entry(&mut archive, index, &expected, &super::Quiet)
            {
                problems.push(Problem::Changed { path, reason: "does not match manifest.json".into() });
            }
        }
    }

    for name in in_archive.keys() {
        if !listed.contains(name.as_str())
            && name != MANIFEST_PATH
            && name != SUMS_PATH
            && name != SIGNATURE_PATH
            && name != SUMS_SIGNATURE_PATH
            && !refused.contains(name)
        {
            problems.push(Problem::Extra { path: name.clone() });
        }
    }

    let git_commit = manifest
        .content
        .as_ref()
        .and_then(|content| content.get("git_commit"))
        .and_then(|commit| commit.as_str())
        .map(str::to_string);
    Ok(VerifyReport {
        checked: manifest.files.len(),
        problems,
        manifest_sha256,
        built_at: manifest.built_at,
        git_commit,
        encrypted,
        signature,
    })
}

/// The bytes of the entry `name`, when the archive has it: at most `limit` and one more, so
/// that a larger one fails its check rather than filling memory; an unreadable one is empty,
/// and fails its check too.
fn read_entry<R: Read + Seek>(archive: &mut ZipArchive<R>, name: &str, limit: u64) -> Option<Vec<u8>> {
    let entry = archive.by_name(name).ok()?;
    let mut bytes = Vec::new();
    if entry.take(limit + 1).read_to_end(&mut bytes).is_err() {
        bytes.clear();
    }
    Some(bytes)
}

/// A signature entry of the archive and what it signs.
struct Signed<'a> {
    name: &'static str,
    /// Its bytes, when the archive has it.
    signature: Option<&'a [u8]>,
    /// The bytes it signs.
    message: &'a [u8],
}

/// Each signature checked with `key`: one missing or failing is an error.
fn check_signatures_with(
    key: &VerifyingKey,
    signed: &[Signed],
    path: &Path,
) -> Result<Signature, VerifyError> {
    for &Signed { name, signature, message } in signed {
        let Some(signature) = signature else {
            return Err(VerifyError::Unsigned {
                path: path.to_path_buf(),
                missing: name,
                fingerprint: key.fingerprint(),
            });
        };
        signature_text(signature)
            .and_then(|text| key.verify(message, text))
            .map_err(|reason| VerifyError::Signature { path: path.to_path_buf(), file: name, reason })?;
    }
    Ok(Signature::Verified { fingerprint: key.fingerprint() })
}

/// Each signature checked with the key it names, without a key to hold it to: a missing one,
/// one that fails, or two naming different keys are problems.
fn check_signatures(signed: &[Signed], problems: &mut Vec<Problem>) -> Signature {
    let mut signers: Vec<(&str, String)> = Vec::new();
    let before = problems.len();
    for &Signed { name, signature, message } in signed {
        let Some(signature) = signature else {
            problems.push(Problem::Missing { path: name.into() });
            continue;
        };
        match signature_text(signature).and_then(|text| crate::sign::signed_by(message, text)) {
            Ok(signer) => signers.push((name, signer.fingerprint())),
            Err(error) => problems.push(Problem::Changed { path: name.into(), reason: error.to_string() }),
        }
    }
    if let [(first, first_key), (second, second_key)] = signers.as_slice() {
        if first_key != second_key {
            problems.push(Problem::Changed {
                path: (*second).into(),
                reason: format!(
                    "made with key {second_key}, and {first} with {first_key}; bundle signs both with one key"
                ),
            });
        }
    }
    match signers.first() {
        Some((_, fingerprint)) if problems.len() == before => {
            Signature::Unchecked { fingerprint: fingerprint.clone() }
        }
        _ => Signature::Invalid,
    }
}

fn signature_text(bytes: &[u8]) -> Result<&str, SignError> {
    std::str::from_utf8(bytes).map_err(|_| SignError::NotASignature { reason: "it is not text".into() })
}

/// Why the manifest cannot list `path` (after the paths in `listed`), or `None`, adding it to
/// `listed`.
fn listing_problem<'a>(path: &'a str, listed: &mut BTreeSet<&'a str>) -> Option<String> {
    if let Some(problem) = layout::path_problem(path) {
        Some(format!(
            "listed in manifest.json with {problem}; bundle lists relative, `/`-separated names of plain segments"
        ))
    } else if [MANIFEST_PATH, SUMS_PATH, SIGNATURE_PATH, SUMS_SIGNATURE_PATH].contains(&path) {
        Some("listed in manifest.json, which lists neither itself, SHA256SUMS nor their signatures".into())
    } else if !listed.insert(path) {
        Some("listed twice in manifest.json; bundle lists each file once".into())
    } else {
        None
    }
}

/// Re-hashes entry `index` and compares it with `expected`.
fn check_entry<R: Read + Seek>(
    archive: &mut ZipArchive<R>,
    index: usize,
    expected: &FileEntry,
    progress: &dyn Progress,
) -> Option<Problem> {
    let changed = |reason: String| Some(Problem::Changed { path: expected.path.clone(), reason });
    let mut entry = match archive.by_index(index) {
        Ok(entry) => entry,
        Err(error) => return changed(format!("cannot be read: {error}")),
    };
    let mut hash = Sha256::new();
    let mut size = 0u64;
    let mut buffer = vec![0u8; 256 * 1024];
    loop {
        match entry.read(&mut buffer) {
            Ok(0) => break,
            Ok(count) => {
                hash.update(&buffer[..count]);
                size += count as u64;
                progress.advance(count as u64);
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return changed(format!("cannot be read: {error}")),
        }
    }
    let sha256 = crate::hex::hex(&hash.finalize());
    if size != expected.size {
        changed(format!("{size} bytes, the manifest says {}", expected.size))
    } else if sha256 != expected.sha256 {
        changed("SHA-256 differs from the manifest".into())
    } else {
        None
    }
}
