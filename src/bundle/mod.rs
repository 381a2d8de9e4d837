//! The auditor bundle: the whole ISMS at auditor level in one reproducible zip that an
//! auditor can browse offline and verify (`trustpress bundle`, `trustpress verify`).
//!
//! The pipeline renders the auditor site in memory (pages are small); every file from the
//! content folder (evidence, documents, policy sources) is streamed from disk, read,
//! hashed and compressed in one pass. `manifest.json` and `SHA256SUMS` come last, as they
//! list every other entry; with a signing key, `manifest.json.sig` (an SSH signature over
//! the manifest's bytes) comes between them, `SHA256SUMS` lists it too, and
//! `SHA256SUMS.sig` (over `SHA256SUMS`) is the last entry. The archive is written to a
//! temporary file beside the output and renamed over it only when complete.

pub(crate) mod archive;
mod form;
mod layout;
mod management;
pub mod manifest;
pub mod oscal;
pub mod provenance;
mod soa;
pub mod verify;

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use crate::audience::Audience;
use crate::build::{self, BuildError, SiteOptions};
use crate::diagnostic::{display_path, Diagnostic, Location};
use crate::load::ContentRoot;
use crate::render::RenderTarget;
use archive::{ArchiveWriter, CopyError};
use layout::Source;
use manifest::{
    ContentState, Counts, FileEntry, Manifest, SoaInfo, Tool, MANIFEST_PATH, SIGNATURE_PATH, SUMS_PATH,
    SUMS_SIGNATURE_PATH,
};
use provenance::{BuildDate, GitState};

pub use age::x25519::Recipient;

/// The output when `--out` is not given; with recipients, `audit-bundle.zip.age`.
pub const DEFAULT_OUT: &str = "audit-bundle.zip";

pub struct BundleOptions {
    pub content: PathBuf,
    pub out: PathBuf,
    /// Encrypt the archive with age to these recipients; none means a plain zip.
    pub recipients: Vec<Recipient>,
    /// `SOURCE_DATE_EPOCH`, when set: the build date. Without it the content's git commit
    /// date is used, and without that the clock.
    pub source_date_epoch: Option<i64>,
    /// Replace a file at `out` that is not a bundle (`--force`); see [`check_out`].
    pub force: bool,
    /// Bundle the content as a past commit holds it (`--at`), not the work tree.
    pub at: Option<std::sync::Arc<crate::history::AtCommit>>,
    /// Sign `manifest.json` and `SHA256SUMS` with this key (`--sign`): `manifest.json.sig`
    /// and `SHA256SUMS.sig` in the archive.
    pub signing_key: Option<crate::sign::SigningKey>,
}

/// How far the bundle has got, for a progress bar. The library never prints; the binary
/// decides whether and how to show this.
pub trait Progress {
    /// Writing starts; `total_bytes` is the size of every entry before compression.
    fn start(&self, total_bytes: u64);
    fn advance(&self, bytes: u64);
    fn finish(&self);
}

/// No progress reporting.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: u64) {}
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

/// What a finished bundle holds, for the report to the user.
#[derive(Debug, Clone)]
pub struct BundleReport {
    pub out: PathBuf,
    pub counts: Counts,
    /// Bytes of every entry before compression.
    pub content_bytes: u64,
    /// Size and SHA-256 of the written file (the age file when encrypted).
    pub archive_bytes: u64,
    pub archive_sha256: String,
    pub manifest_sha256: String,
    pub built: BuildDate,
    pub git: GitState,
    pub recipients: usize,
    /// The fingerprint (`SHA256:…`) of the key that signed the manifest and `SHA256SUMS`,
    /// when signed.
    pub signed_by: Option<String>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("the content has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    #[error("`{0}` is a folder; --out names the bundle file to write")]
    OutIsFolder(PathBuf),
    #[error(
        "refusing to replace `{0}`: it is a symbolic link; give the file it points to as --out, or remove the link"
    )]
    OutIsSymlink(PathBuf),
    #[error("refusing to replace `{0}`: it is not a regular file")]
    OutIsNotAFile(PathBuf),
    #[error(
        "refusing to replace `{0}`: it is not a bundle (neither a zip holding manifest.json nor an age-encrypted file); pick another --out, remove the file, or pass --force to replace it"
    )]
    OutIsNotABundle(PathBuf),
    #[error("cannot write `{path}`: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot encrypt the bundle: {0}")]
    Encrypt(String),
}

impl BundleError {
    /// A refused `--out`: a problem of the arguments, not of the content (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            BundleError::OutIsFolder(_)
                | BundleError::OutIsSymlink(_)
                | BundleError::OutIsNotAFile(_)
                | BundleError::OutIsNotABundle(_)
        )
    }
}

/// Whether the bundle may be written to `out`: nothing is there, or a bundle (a zip holding
/// `manifest.json`, or an age-encrypted file, whose inside cannot be seen without the key),
/// or with `force` any regular file. A folder, a symbolic link or a device never.
pub fn check_out(out: &Path, force: bool) -> Result<(), BundleError> {
    let metadata = match fs::symlink_metadata(out) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(source) => return Err(BundleError::Write { path: out.to_path_buf(), source }),
    };
    let refused = if metadata.is_dir() {
        BundleError::OutIsFolder
    } else if metadata.file_type().is_symlink() {
        BundleError::OutIsSymlink
    } else if !metadata.is_file() {
        BundleError::OutIsNotAFile
    } else if force || is_bundle(out) {
        return Ok(());
    } else {
        BundleError::OutIsNotABundle
    };
    Err(refused(out.to_path_buf()))
}

/// A zip holding `manifest.json`, or an age file (as `bundle --encrypt-to` writes them).
fn is_bundle(path: &Path) -> bool {
    use std::io::Read;
    let Ok(mut file) = File::open(path) else { return false };
    let mut head = [0u8; 22];
    if file.read_exact(&mut head).is_err() {
        return false;
    }
    if head.starts_with(b"age-encryption.org/v1\n") {
        return true;
    }
    zip::ZipArchive::new(file).is_ok_and(|archive| archive.index_for_name(MANIFEST_PATH).is_some())
}

impl From<BuildError> for BundleError {
    fn from(error: BuildError) -> BundleError {
        match error {
            BuildError::Content(diagnostics) => BundleError::Content(diagnostics),
            BuildError::Write(error) => {
                BundleError::Content(vec![Diagnostic::error("bundle-path", error.to_string())])
            }
        }
    }
}

/// Parses an age recipient (`age1…`, an X25519 public key).
pub fn parse_recipient(text: &str) -> Result<Recipient, String> {
    text.trim().parse::<Recipient>().map_err(|_| {
        format!("`{text}` is not an age recipient: expected an X25519 public key (`age1…`, as `age-keygen` prints it)")
    })
}

/// Builds the auditor bundle into `options.out`. On any error nothing is left behind and a
/// previous file at `out` is untouched.
pub fn write_bundle(options: &BundleOptions, progress: &dyn Progress) -> Result<BundleReport, BundleError> {
    check_out(&options.out, options.force)?;
    let git = match &options.at {
        // A past commit is clean by definition.
        Some(at) => GitState { commit: Some(at.id.clone()), dirty: Some(false), commit_time: Some(at.time) },
        None => GitState::of(&options.content),
    };
    let built = BuildDate::resolve(options.source_date_epoch, &git);
    let site = build::render_site(&SiteOptions {
        content: options.content.clone(),
        audience: Audience::Auditor,
        base_url: None,
        // As of the day asked for (`--at YYYY-MM-DD`), else the build date.
        today: options.at.as_ref().map_or(built.day(), |at| at.day),
        target: RenderTarget::AuditorBundle,
        at: options.at.clone(),
        signer: None,
    })?;
    // The in-memory sink has already passed every file through the auditor audience's gate.
    let warnings = site.warnings.clone();
    let root = site.root.clone();
    let manifest_base = Manifest {
        format: manifest::FORMAT,
        tool: Tool::this(),
        organization: site.isms.site.organization.name.clone(),
        built_at: built.rfc3339(),
        built_at_source: built.source,
        content: ContentState { git_commit: git.commit.clone(), git_dirty: git.dirty },
        soa: SoaInfo {
            version: site.isms.soa.version.as_ref().map(|v| v.0.clone()),
            approved_by: site.isms.soa.approved_by.clone(),
            approved: site.isms.soa.approved.map(|d| d.to_string()),
        },
        counts: Counts::default(),
        files: Vec::new(),
    };
    let layout = layout::layout(site, &built.rfc3339()).map_err(BundleError::Content)?;
    // The layout keeps the index's own names free; the signatures' names, too.
    if let Some(entry) =
        layout.entries.iter().find(|entry| entry.path == SIGNATURE_PATH || entry.path == SUMS_SIGNATURE_PATH)
    {
        return Err(BundleError::Content(vec![Diagnostic::error(
            "bundle-path",
            format!("`{}` is reserved for the bundle's signatures", entry.path),
        )]));
    }

    let out = &options.out;
    let folder = match out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source: io::Error| BundleError::Write { path, source }
    };
    fs::create_dir_all(&folder).map_err(write_error(&folder))?;
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("bundle");
    // Created with mode 0600 (owner only): a bundle is private, and keeps that mode. Its
    // name is noted before the file exists, so a stop at any moment removes it.
    let mut pending = None;
    let temporary = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .make_in(&folder, |path| {
            use std::os::unix::fs::OpenOptionsExt;
            let noted = crate::interrupt::Pending::note(path);
            let file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
            pending = Some(noted);
            Ok(file)
        })
        .map_err(write_error(&folder))?;
    let (file, temporary_path) = temporary.into_parts();

    let encryptor = if options.recipients.is_empty() {
        None
    } else {
        let recipients = options.recipients.iter().map(|r| r as &dyn age::Recipient);
        Some(age::Encryptor::with_recipients(recipients).map_err(|e| BundleError::Encrypt(e.to_string()))?)
    };
    let mut writer = ArchiveWriter::new(file, encryptor, built.zip_time()).map_err(write_error(out))?;

    let total: u64 = layout
        .entries
        .iter()
        .map(|entry| match &entry.source {
            Source::Memory(bytes) => bytes.len() as u64,
            Source::Content(path) => fs::metadata(root.join(path)).map(|m| m.len()).unwrap_or(0),
        })
        .sum();
    progress.start(total);
    let written = write_entries(&mut writer, &layout.entries, &root, out, progress);
    let files = match written {
        Ok(files) => files,
        Err(error) => {
            writer.abandon();
            progress.finish();
            return Err(error);
        }
    };

    let content_bytes = files.iter().map(|f| f.size).sum();
    let manifest = Manifest { counts: layout.counts.clone(), files, ..manifest_base };
    let manifest_json = manifest::to_json(&manifest);
    // Ed25519 is deterministic: the same manifest and key give the same signature, so a
    // signed bundle is as reproducible as an unsigned one.
    let key = options.signing_key.as_ref();
    let signature = key.map(|key| crate::sign::sign(key, &manifest_json));
    let finished = (|| {
        let manifest_entry = writer.add_bytes(MANIFEST_PATH, &manifest_json, progress)?;
        let mut summed = manifest.files.clone();
        summed.push(manifest_entry.clone());
        if let Some(signature) = &signature {
            summed.push(writer.add_bytes(SIGNATURE_PATH, signature.as_bytes(), progress)?);
        }
        let sums = manifest::sha256sums(&summed);
        writer.add_bytes(SUMS_PATH, &sums, progress)?;
        // SHA256SUMS is signed too: the auditor who checks with `sha256sum -c` alone must
        // know the list is the signer's, not only the manifest it lists.
        if let Some(key) = key {
            writer.add_bytes(SUMS_SIGNATURE_PATH, crate::sign::sign(key, &sums).as_bytes(), progress)?;
        }
        let finished = writer.finish()?;
        finished.file.sync_all()?;
        Ok((manifest_entry, finished))
    })();
    progress.finish();
    let (manifest_entry, finished) = finished.map_err(write_error(out))?;
    drop(finished.file);
    // Whatever came to be at `out` while the bundle was written passes the same test.
    check_out(out, options.force)?;
    temporary_path
        .persist(out)
        .map_err(|error| BundleError::Write { path: out.clone(), source: error.error })?;

    Ok(BundleReport {
        out: out.clone(),
        counts: layout.counts,
        content_bytes,
        archive_bytes: finished.bytes,
        archive_sha256: finished.sha256,
        manifest_sha256: manifest_entry.sha256,
        built,
        git,
        recipients: options.recipients.len(),
        signed_by: options.signing_key.as_ref().map(|key| key.public_key().fingerprint()),
        warnings,
    })
}

/// Writes every entry in order; files from the content folder are checked to be inside it
/// (again: a file may have become a symlink since loading) and streamed.
fn write_entries(
    writer: &mut ArchiveWriter,
    entries: &[layout::Entry],
    root: &ContentRoot,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Vec<FileEntry>, BundleError> {
    let mut files = Vec::with_capacity(entries.len());
    for entry in entries {
        let write_error = |error: io::Error| BundleError::Write {
            path: out.to_path_buf(),
            source: io::Error::new(error.kind(), format!("{error} (while adding `{}`)", entry.path)),
        };
        let file_entry = match &entry.source {
            Source::Memory(bytes) => writer.add_bytes(&entry.path, bytes, progress).map_err(write_error)?,
            Source::Content(relative) => {
                let (mut file, size) =
                    open_content_file(root, relative).map_err(|d| BundleError::Content(vec![d]))?;
                writer.add_stream(&entry.path, &mut file, size, progress).map_err(|error| match error {
                    CopyError::Read(error) => BundleError::Content(vec![read_error(relative, &error)]),
                    CopyError::Write(error) => write_error(error),
                })?
            }
        };
        files.push(file_entry);
    }
    Ok(files)
}

/// Opens a content file for streaming, refusing anything that is not a regular file inside
/// the content folder.
fn open_content_file(root: &ContentRoot, relative: &Path) -> Result<(File, u64), Diagnostic> {
    let absolute = root.ensure_inside(relative)?;
    match crate::load::open_regular(&absolute, false) {
        Ok((file, metadata)) => Ok((file, metadata.len())),
        Err(error) if error.kind() == io::ErrorKind::InvalidInput => {
            Err(Diagnostic::error("missing-file", format!("`{}` is not a file", display_path(relative)))
                .at(Location::file(relative)))
        }
        Err(error) => Err(read_error(relative, &error)),
    }
}

fn read_error(relative: &Path, error: &io::Error) -> Diagnostic {
    Diagnostic::error("io-error", format!("cannot read `{}`: {error}", display_path(relative)))
        .at(Location::file(relative))
}
