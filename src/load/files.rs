//! Reading content files safely: size limits, UTF-8 with line and column of the first bad
//! byte, byte-order marks and CRLF line endings, sorted listings, and paths that must stay
//! inside the content folder (no `..`, no absolute paths, no symlinks pointing out).

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Diagnostic, Location};

/// Text content files (YAML, markdown) larger than this are refused: a policy is never
/// 16 MiB, and reading one that size into memory is how a bad commit takes CI down.
pub const MAX_TEXT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Opens a file of the content folder for reading and returns it with its metadata when it
/// is a regular file; anything else is an error (`InvalidInput`: "not a regular file"). It
/// is opened without waiting on a FIFO and without taking a terminal, and it is the open
/// file whose type is checked: a FIFO, a device or a folder put in a file's place is refused,
/// never read from or waited on. Containment is the caller's: `absolute` has passed
/// [`ContentRoot::ensure_inside`], or `no_follow` keeps its last component from being a link.
pub fn open_regular(absolute: &Path, no_follow: bool) -> std::io::Result<(fs::File, fs::Metadata)> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let follow = if no_follow { libc::O_NOFOLLOW } else { 0 };
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY | follow);
    }
    #[cfg(not(unix))]
    if no_follow && fs::symlink_metadata(absolute)?.file_type().is_symlink() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "a symbolic link"));
    }
    let file = options.open(absolute)?;
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok((file, metadata))
}

/// The bytes of a regular file (see [`open_regular`]); `absolute` has passed the caller's
/// containment check.
pub fn read_regular(absolute: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let (mut file, metadata) = open_regular(absolute, false)?;
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// The content folder: its path as given and as resolved, for containment checks.
#[derive(Debug)]
pub struct ContentRoot {
    pub path: PathBuf,
    canonical: PathBuf,
    /// Folders (content-relative) already resolved through any symlinks: whether each is
    /// inside the content folder. Resolving a path costs a system call per component, so
    /// each folder is resolved once and each file is then checked with a single `lstat`.
    folders: std::sync::Mutex<std::collections::HashMap<PathBuf, bool>>,
    /// The size in bytes of each file [`ContentRoot::read_text`] read, as it read it: the
    /// output gate sizes the content's source files from here (`crate::withheld`) instead
    /// of a `stat` of each again.
    sizes_read: std::sync::Mutex<std::collections::HashMap<PathBuf, u64>>,
}

impl Clone for ContentRoot {
    fn clone(&self) -> Self {
        ContentRoot {
            path: self.path.clone(),
            canonical: self.canonical.clone(),
            folders: Default::default(),
            sizes_read: Default::default(),
        }
    }
}

impl ContentRoot {
    pub fn open(path: &Path) -> Result<ContentRoot, Diagnostic> {
        let canonical = fs::canonicalize(path).map_err(|error| {
            Diagnostic::error(
                "content-missing",
                format!("cannot open content folder `{}`: {error}", path.display()),
            )
            .hint("pass the folder holding site.yaml with --content DIR")
        })?;
        if !canonical.is_dir() {
            return Err(Diagnostic::error(
                "content-missing",
                format!("content folder `{}` is not a folder", path.display()),
            ));
        }
        Ok(ContentRoot {
            path: path.to_path_buf(),
            canonical,
            folders: Default::default(),
            sizes_read: Default::default(),
        })
    }

    pub fn canonical(&self) -> &Path {
        &self.canonical
    }

    /// The absolute path of a content-relative path.
    pub fn join(&self, relative: &Path) -> PathBuf {
        self.canonical.join(relative)
    }

    /// Files directly inside `folder` (content-relative) whose extension is one of `extensions`,
    /// sorted by name. Hidden files and editor backups are skipped. A missing folder is empty.
    pub fn list(&self, folder: &str, extensions: &[&str]) -> Result<Vec<PathBuf>, Diagnostic> {
        Ok(self.list_entries(folder, extensions)?.into_iter().map(|(file, _)| file).collect())
    }

    /// `list`, with each file's metadata key for `check`'s cache: `None` for anything but a
    /// plain file in a folder inside the content folder. The keys come from the listing's
    /// own folder, without resolving each path again, and in parallel.
    pub fn list_keyed(
        &self,
        folder: &str,
        extensions: &[&str],
    ) -> Result<Vec<(PathBuf, Option<super::cache::FileKey>)>, Diagnostic> {
        use rayon::prelude::*;
        let entries = self.list_entries(folder, extensions)?;
        let inside = self.folder_inside(Path::new(folder));
        Ok(entries
            .into_par_iter()
            .map(|(file, entry)| {
                let metadata = entry.metadata().ok().filter(|m| inside && m.file_type().is_file());
                (file, metadata.and_then(|m| super::cache::FileKey::of(&m)))
            })
            .collect())
    }

    fn list_entries(
        &self,
        folder: &str,
        extensions: &[&str],
    ) -> Result<Vec<(PathBuf, fs::DirEntry)>, Diagnostic> {
        let absolute = self.canonical.join(folder);
        let entries = match fs::read_dir(&absolute) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(error) => {
                return Err(Diagnostic::error("io-error", format!("cannot list `{folder}`: {error}"))
                    .at(Location::file(folder)))
            }
        };
        let mut files = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.starts_with('.') || name.starts_with('#') || name.ends_with('~') {
                continue;
            }
            let extension = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or("");
            if !extensions.contains(&extension) {
                continue;
            }
            files.push((name.to_string(), entry));
        }
        // By name: within one folder that is the paths' order, and comparing two names is
        // one byte comparison where comparing two paths walks their components.
        files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(files.into_iter().map(|(name, entry)| (Path::new(folder).join(name), entry)).collect())
    }

    /// Reads a content-relative text file: refuses files that leave the content folder
    /// through a symlink, are too large or are not UTF-8; drops a BOM; turns CRLF into LF.
    pub fn read_text(&self, relative: &Path) -> Result<String, Diagnostic> {
        use std::io::Read;
        let location = Location::file(relative);
        let io_error = |error: std::io::Error| {
            Diagnostic::error("io-error", format!("cannot read file: {error}")).at(location.clone())
        };
        // The usual case, a plain file in a plain folder, is opened without following a
        // link and checked on the open file (no path looked up twice); anything else is
        // resolved and checked in full.
        let (mut file, length) = match self.open_plain(relative) {
            Some(plain) => plain,
            None => {
                let absolute = self.ensure_inside(relative)?;
                let (file, metadata) = open_regular(&absolute, false).map_err(io_error)?;
                (file, metadata.len())
            }
        };
        let too_large = |length: u64| {
            Diagnostic::error(
                "file-too-large",
                format!(
                    "file is {length} bytes; content text files may be at most {} MiB",
                    MAX_TEXT_FILE_BYTES / 1024 / 1024
                ),
            )
            .at(location.clone())
            .hint("split the file, or keep large material in documents/ or evidence/")
        };
        if length > MAX_TEXT_FILE_BYTES {
            return Err(too_large(length));
        }
        // Read the length the file had when it was checked, in one `read` as a rule (no
        // second call to find the end): a file that grows meanwhile is read as it was, so the
        // limit holds, and one that shrinks ends early.
        if length == 0 {
            // Some file systems report no size for files that have content: read to the end,
            // at most one byte past the limit.
            let mut bytes = Vec::new();
            file.take(MAX_TEXT_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_error)?;
            if bytes.len() as u64 > MAX_TEXT_FILE_BYTES {
                return Err(too_large(bytes.len() as u64));
            }
            self.note_size(relative, bytes.len());
            return decode(relative, bytes);
        }
        let mut bytes = vec![0; length as usize];
        let mut filled = 0;
        while filled < bytes.len() {
            match file.read(&mut bytes[filled..]) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(io_error(error)),
            }
        }
        bytes.truncate(filled);
        self.note_size(relative, bytes.len());
        decode(relative, bytes)
    }

    fn note_size(&self, relative: &Path, size: usize) {
        if let Ok(mut sizes) = self.sizes_read.lock() {
            sizes.insert(relative.to_path_buf(), size as u64);
        }
    }

    /// The size of each content-relative file of `paths` as [`ContentRoot::read_text`] read
    /// it, when it did; looked up under one lock.
    pub fn sizes_read(&self, paths: &[PathBuf]) -> Vec<Option<u64>> {
        match self.sizes_read.lock() {
            Ok(sizes) => paths.iter().map(|path| sizes.get(path.as_path()).copied()).collect(),
            Err(_) => vec![None; paths.len()],
        }
    }

    /// The absolute path of an existing content-relative path, after making sure that it,
    /// resolved through any symlinks, is inside the content folder.
    pub fn ensure_inside(&self, relative: &Path) -> Result<PathBuf, Diagnostic> {
        let absolute = self.canonical.join(relative);
        if self.plainly_inside(relative, &absolute) {
            return Ok(absolute);
        }
        let resolved = fs::canonicalize(&absolute).map_err(|error| {
            Diagnostic::error(
                "io-error",
                format!("cannot read `{}`: {error}", crate::diagnostic::display_path(relative)),
            )
            .at(Location::file(relative))
        })?;
        if !resolved.starts_with(&self.canonical) {
            return Err(Diagnostic::error(
                "path-escapes-content",
                format!(
                    "`{}` is a symlink to a place outside the content folder",
                    crate::diagnostic::display_path(relative)
                ),
            )
            .at(Location::file(relative))
            .hint("copy the file into the content folder instead of linking to it"));
        }
        Ok(resolved)
    }

    /// True when `relative` is a regular file (not a symlink) in a folder that resolves to a
    /// place inside the content folder: then the path needs no resolving of its own.
    fn plainly_inside(&self, relative: &Path, absolute: &Path) -> bool {
        self.plain_file(relative, absolute).is_some()
    }

    /// The metadata key of a plain file (as `plainly_inside` means it), for `check`'s cache.
    pub fn file_key(&self, relative: &Path) -> Option<super::cache::FileKey> {
        let absolute = self.canonical.join(relative);
        super::cache::FileKey::of(&self.plain_metadata(relative, &absolute)?)
    }

    /// `plainly_inside`, with the file's length when it is.
    fn plain_file(&self, relative: &Path, absolute: &Path) -> Option<u64> {
        self.plain_metadata(relative, absolute).map(|metadata| metadata.len())
    }

    /// A plain file (as `plainly_inside` means it) opened for reading, with its length;
    /// `None` for anything else. Opened without following a link in its last component, and
    /// checked on the open file ([`open_regular`]): one path lookup, and the length and the
    /// bytes read are of the same file.
    fn open_plain(&self, relative: &Path) -> Option<(fs::File, u64)> {
        if !self.folder_inside(relative.parent().unwrap_or(Path::new(""))) {
            return None;
        }
        let (file, metadata) = open_regular(&self.canonical.join(relative), true).ok()?;
        Some((file, metadata.len()))
    }

    /// `plainly_inside`, with the file's metadata when it is.
    fn plain_metadata(&self, relative: &Path, absolute: &Path) -> Option<fs::Metadata> {
        let metadata = fs::symlink_metadata(absolute).ok().filter(|m| m.file_type().is_file())?;
        let inside = self.folder_inside(relative.parent().unwrap_or(Path::new("")));
        inside.then_some(metadata)
    }

    /// Whether a content-relative folder, resolved through any symlinks, is inside the
    /// content folder; resolved once per folder.
    fn folder_inside(&self, folder: &Path) -> bool {
        let cached = self.folders.lock().ok().and_then(|cache| cache.get(folder).copied());
        if let Some(inside) = cached {
            return inside;
        }
        let inside =
            fs::canonicalize(self.canonical.join(folder)).is_ok_and(|f| f.starts_with(&self.canonical));
        if let Ok(mut cache) = self.folders.lock() {
            cache.insert(folder.to_path_buf(), inside);
        }
        inside
    }

    /// The size of each of `paths` (content-relative), looked up in parallel; a file that
    /// cannot be read is left out.
    pub fn sizes(&self, paths: Vec<&Path>) -> std::collections::BTreeMap<PathBuf, u64> {
        use rayon::prelude::*;
        paths
            .into_par_iter()
            .filter_map(|path| Some((path.to_path_buf(), fs::metadata(self.join(path)).ok()?.len())))
            .collect::<Vec<_>>()
            .into_iter()
            .collect()
    }

    /// Resolves `file`, written in `naming_file` (content-relative), to a content-relative
    /// path of an existing regular file inside the content folder.
    pub fn resolve_reference(&self, naming_file: &Path, file: &str) -> Result<PathBuf, ReferenceError> {
        self.resolve_normal(normal_reference(naming_file, file)?, file)
    }

    /// [`ContentRoot::resolve_reference`] of each of `files`, all named in `naming_file`,
    /// in parallel. A folder inside the content that [`LIST_FOLDER_FROM`] or more of them
    /// name, and that this process may search, is listed once; a name its listing gives as a
    /// regular file (not a link), whose path is short enough to look up, is one that `lstat`
    /// would find one, and needs no system call of its own. Every other name is resolved as
    /// `resolve_reference` resolves it. The two differ only where a file's type differs
    /// between its folder's entry and the file itself, which takes a mount over the file (a
    /// FIFO mounted there is then refused when the bundle opens it, never waited on).
    pub fn resolve_references(
        &self,
        naming_file: &Path,
        files: &[&str],
    ) -> Vec<Result<PathBuf, ReferenceError>> {
        use rayon::prelude::*;
        use std::collections::{HashMap, HashSet};
        let normals: Vec<_> = files.iter().map(|file| normal_reference(naming_file, file)).collect();
        let mut named: HashMap<&Path, usize> = HashMap::new();
        for folder in normals.iter().flatten().filter_map(|normal| normal.parent()) {
            *named.entry(folder).or_default() += 1;
        }
        let listed: HashMap<PathBuf, HashSet<std::ffi::OsString>> = named
            .into_iter()
            .filter(|(folder, count)| *count >= LIST_FOLDER_FROM && self.folder_inside(folder))
            .filter_map(|(folder, _)| Some((folder.to_path_buf(), self.regular_files_in(folder)?)))
            .collect();
        normals
            .into_par_iter()
            .zip(files.par_iter())
            .map(|(normal, file)| {
                let normal = normal?;
                let regular = normal
                    .parent()
                    .and_then(|folder| listed.get(folder))
                    .zip(normal.file_name())
                    .is_some_and(|(names, name)| names.contains(name))
                    && self.canonical.as_os_str().len() + 1 + normal.as_os_str().len() < PATH_MAX;
                if regular {
                    Ok(normal)
                } else {
                    self.resolve_normal(normal, file)
                }
            })
            .collect()
    }

    /// The names of the regular files (not links, not folders) directly in `folder`
    /// (content-relative), from one listing; `None` when it cannot be listed, or when this
    /// process may not search it (its entries can be listed, but an `lstat` of each fails).
    fn regular_files_in(&self, folder: &Path) -> Option<std::collections::HashSet<std::ffi::OsString>> {
        let absolute = self.canonical.join(folder);
        if !searchable(&absolute) {
            return None;
        }
        let mut names = std::collections::HashSet::new();
        for entry in fs::read_dir(&absolute).ok()? {
            let entry = entry.ok()?;
            if entry.file_type().ok()?.is_file() {
                names.insert(entry.file_name());
            }
        }
        Some(names)
    }

    /// `resolve_reference` of a path already made content-relative (`normal_reference`).
    fn resolve_normal(&self, normal: PathBuf, file: &str) -> Result<PathBuf, ReferenceError> {
        use ReferenceError::*;
        let named = || file.to_string();
        let absolute = self.canonical.join(&normal);
        if self.plainly_inside(&normal, &absolute) {
            return Ok(normal);
        }
        let resolved = match fs::canonicalize(&absolute) {
            Ok(resolved) => resolved,
            Err(_) => return Err(Missing(named())),
        };
        if !resolved.starts_with(&self.canonical) {
            return Err(LinkOutside(named()));
        }
        if !resolved.is_file() {
            return Err(NotAFile(named()));
        }
        Ok(normal)
    }
}

/// The longest path the system looks up, its closing NUL included (Linux's `PATH_MAX`).
const PATH_MAX: usize = 4096;

/// Whether this process may search `folder` (look up a name in it), by its effective ids.
#[cfg(unix)]
fn searchable(folder: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(folder.as_os_str().as_bytes()) else { return false };
    // SAFETY: `path` is a NUL-terminated string that outlives the call.
    unsafe { libc::faccessat(libc::AT_FDCWD, path.as_ptr(), libc::X_OK, libc::AT_EACCESS) == 0 }
}

#[cfg(not(unix))]
fn searchable(_folder: &Path) -> bool {
    false
}

/// How many of the files named at once must be in one folder before
/// [`ContentRoot::resolve_references`] lists it instead of looking each file up: a listing
/// costs about a tenth of an `lstat` per name it holds.
const LIST_FOLDER_FROM: usize = 64;

/// `file`, written in `naming_file` (content-relative), as a content-relative path with no
/// `.` or `..` left; refused when it is empty, absolute, or leaves the content folder.
fn normal_reference(naming_file: &Path, file: &str) -> Result<PathBuf, ReferenceError> {
    use ReferenceError::*;
    let named = || file.to_string();
    if file.trim().is_empty() {
        return Err(Empty);
    }
    let written = Path::new(file);
    if written.is_absolute() || file.starts_with('/') || file.starts_with('\\') {
        return Err(Absolute(named()));
    }
    let base = naming_file.parent().unwrap_or(Path::new(""));
    let mut normal = PathBuf::new();
    for component in base.join(written).components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return Err(LeavesContent(named()));
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(Absolute(named())),
        }
    }
    Ok(normal)
}

/// Why a file named in content cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("empty file path")]
    Empty,
    #[error("`{0}` is an absolute path; paths are relative to the file that names them and must stay inside the content folder")]
    Absolute(String),
    #[error("`{0}` leaves the content folder")]
    LeavesContent(String),
    #[error("`{0}` is a symlink to a place outside the content folder")]
    LinkOutside(String),
    #[error("file `{0}` does not exist")]
    Missing(String),
    #[error("`{0}` is not a file")]
    NotAFile(String),
}

impl ReferenceError {
    /// The diagnostic code: the file is not there (`missing-file`), or is named in a way
    /// that would reach outside the content folder (`path-escapes-content`).
    pub fn code(&self) -> &'static str {
        match self {
            ReferenceError::Missing(_) | ReferenceError::NotAFile(_) => "missing-file",
            _ => "path-escapes-content",
        }
    }
}

/// `decode_text` of a content file, its problem placed in the file. Bytes that need no change
/// (valid UTF-8, no BOM, no CR: most files) become the text in the buffer they were read
/// into, without a second copy.
fn decode(relative: &Path, bytes: Vec<u8>) -> Result<String, Diagnostic> {
    let bytes = if bytes.starts_with(b"\xEF\xBB\xBF") || bytes.contains(&b'\r') {
        bytes
    } else {
        match String::from_utf8(bytes) {
            Ok(text) => return Ok(text),
            Err(error) => error.into_bytes(),
        }
    };
    decode_text(&bytes).map_err(|(line, column)| {
        Diagnostic::error("not-utf8", "file is not valid UTF-8")
            .at(Location::at(relative, line, column))
            .hint("save the file as UTF-8")
    })
}

/// UTF-8 text with any BOM removed and CRLF turned into LF; on bad bytes, the 1-based line
/// and column of the first one.
pub fn decode_text(bytes: &[u8]) -> Result<String, (u32, u32)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(if text.contains('\r') { text.replace("\r\n", "\n") } else { text.to_string() }),
        Err(error) => {
            let valid = &bytes[..error.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() + 1;
            let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
            Err((u32::try_from(line).unwrap_or(u32::MAX), u32::try_from(column).unwrap_or(u32::MAX)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_bom_and_crlf() {
        assert_eq!(decode_text(b"\xEF\xBB\xBFa: 1\r\nb: 2\r\n").unwrap(), "a: 1\nb: 2\n");
    }

    #[test]
    fn reports_first_bad_byte() {
        assert_eq!(decode_text(b"ok\nab\xFFcd").unwrap_err(), (2, 3));
    }

    #[test]
    fn references_must_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content/documents")).unwrap();
        std::fs::write(dir.path().join("content/documents/a.pdf"), b"%PDF").unwrap();
        std::fs::write(dir.path().join("secret.txt"), b"secret").unwrap();
        let root = ContentRoot::open(&dir.path().join("content")).unwrap();
        let naming = Path::new("certifications/iso.yaml");
        assert_eq!(
            root.resolve_reference(naming, "../documents/a.pdf").unwrap(),
            Path::new("documents/a.pdf")
        );
        assert!(root
            .resolve_reference(naming, "../../secret.txt")
            .unwrap_err()
            .to_string()
            .contains("leaves"));
        assert!(root.resolve_reference(naming, "/etc/passwd").unwrap_err().to_string().contains("absolute"));
        assert!(root
            .resolve_reference(naming, "../documents/none.pdf")
            .unwrap_err()
            .to_string()
            .contains("does not exist"));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(
                dir.path().join("secret.txt"),
                dir.path().join("content/documents/link.pdf"),
            )
            .unwrap();
            assert!(root
                .resolve_reference(naming, "../documents/link.pdf")
                .unwrap_err()
                .to_string()
                .contains("symlink"));
        }
    }

    /// `names`, written in the evidence index of `content`, resolved together and one by one:
    /// the two must give the same answers, which are returned.
    fn resolved_both_ways(content: &Path, names: &[String]) -> Vec<Result<PathBuf, ReferenceError>> {
        let root = ContentRoot::open(content).unwrap();
        let naming = Path::new("evidence/evidence.yaml");
        let written: Vec<&str> = names.iter().map(String::as_str).collect();
        let together = root.resolve_references(naming, &written);
        let alone: Vec<_> = written.iter().map(|file| root.resolve_reference(naming, file)).collect();
        assert_eq!(together, alone);
        together
    }

    /// The batch resolution lists a folder named often and must answer exactly as resolving
    /// each name alone does, for every kind of entry a folder can hold.
    #[cfg(unix)]
    #[test]
    fn references_resolved_together_are_resolved_as_one_by_one() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let files = content.join("evidence/files");
        fs::create_dir_all(&files).unwrap();
        fs::create_dir_all(content.join("documents")).unwrap();
        fs::write(dir.path().join("outside.txt"), b"secret").unwrap();
        fs::write(content.join("documents/inside.pdf"), b"%PDF").unwrap();
        let mut names = Vec::new();
        for i in 0..100 {
            fs::write(files.join(format!("plain-{i}.txt")), b"x").unwrap();
            names.push(format!("files/plain-{i}.txt"));
        }
        symlink(dir.path().join("outside.txt"), files.join("link-out.txt")).unwrap();
        symlink(content.join("documents/inside.pdf"), files.join("link-in.pdf")).unwrap();
        symlink(files.join("nowhere"), files.join("dangling.txt")).unwrap();
        symlink(content.join("documents"), files.join("folder-link")).unwrap();
        fs::create_dir(files.join("a-folder")).unwrap();
        let fifo =
            std::ffi::CString::new(files.join("fifo.txt").into_os_string().into_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        for name in [
            "files/link-out.txt",
            "files/link-in.pdf",
            "files/dangling.txt",
            "files/folder-link/inside.pdf",
            "files/a-folder",
            "files/fifo.txt",
            "files/missing.txt",
            "files/./plain-1.txt",
            "files/a-folder/../plain-2.txt",
            "../documents/inside.pdf",
            "../../../outside.txt",
            "/etc/passwd",
            "",
            "files/plain-3.txt/",
        ] {
            names.push(name.to_string());
        }
        let together = resolved_both_ways(&content, &names);
        assert!(together[..100].iter().all(Result::is_ok), "the plain files resolve");
        assert!(together[100..].iter().filter(|r| r.is_ok()).count() >= 3, "some of the others do too");
    }

    /// A content file is read only when it is a regular file inside the content folder: a
    /// link out is refused, a link inside is read, and a FIFO is refused, never waited on.
    #[cfg(unix)]
    #[test]
    fn read_text_reads_regular_files_only() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        fs::create_dir_all(content.join("policies")).unwrap();
        fs::write(dir.path().join("outside.md"), "secret").unwrap();
        fs::write(content.join("policies/a.md"), "plain").unwrap();
        symlink(content.join("policies/a.md"), content.join("policies/in.md")).unwrap();
        symlink(dir.path().join("outside.md"), content.join("policies/out.md")).unwrap();
        let fifo =
            std::ffi::CString::new(content.join("policies/fifo.md").into_os_string().into_encoded_bytes())
                .unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        let root = ContentRoot::open(&content).unwrap();
        assert_eq!(root.read_text(Path::new("policies/a.md")).unwrap(), "plain");
        assert_eq!(root.read_text(Path::new("policies/in.md")).unwrap(), "plain");
        assert_eq!(root.read_text(Path::new("policies/out.md")).unwrap_err().code, "path-escapes-content");
        let fifo = root.read_text(Path::new("policies/fifo.md")).unwrap_err();
        assert!(fifo.message.contains("not a regular file"), "{}", fifo.message);
        assert_eq!(root.read_text(Path::new("policies/none.md")).unwrap_err().code, "io-error");
    }

    /// A regular file opens; a FIFO, a folder and (not following) a link are refused at
    /// once, never waited on.
    #[cfg(unix)]
    #[test]
    fn open_regular_opens_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        fs::write(&file, "text").unwrap();
        std::os::unix::fs::symlink(&file, dir.path().join("link.txt")).unwrap();
        let fifo = dir.path().join("fifo");
        let name = std::ffi::CString::new(fifo.clone().into_os_string().into_encoded_bytes()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        assert_eq!(open_regular(&file, true).unwrap().1.len(), 4);
        assert_eq!(read_regular(&file).unwrap(), b"text");
        assert_eq!(open_regular(&fifo, false).unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(open_regular(dir.path(), false).unwrap_err().kind(), std::io::ErrorKind::InvalidInput);
        assert!(open_regular(&dir.path().join("link.txt"), true).is_err(), "a link, not followed");
        assert_eq!(read_regular(&dir.path().join("link.txt")).unwrap(), b"text", "followed");
    }

    /// Files whose paths are too long to look up, in a folder whose own path is not: the
    /// folder lists them, but resolving them one by one finds none, and neither does the
    /// batch.
    #[cfg(unix)]
    #[test]
    fn references_too_long_to_look_up_are_missing_together_too() {
        let dir = tempfile::tempdir().unwrap();
        let content = dir.path().join("content");
        let mut folder = content.join("evidence");
        let mut relative = PathBuf::from("evidence");
        let segment = "d".repeat(200);
        while folder.as_os_str().len() + 201 < 3990 {
            folder.push(&segment);
            relative.push(&segment);
        }
        fs::create_dir_all(&folder).unwrap();
        let name_length = 4100 - folder.as_os_str().len();
        let parent = std::ffi::CString::new(folder.clone().into_os_string().into_encoded_bytes()).unwrap();
        let fd = unsafe { libc::open(parent.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY) };
        assert!(fd >= 0);
        let mut names = Vec::new();
        for i in 0..70 {
            let name = format!("{i:03}{}", "f".repeat(name_length.min(250) - 3));
            let c_name = std::ffi::CString::new(name.clone()).unwrap();
            let made = unsafe { libc::openat(fd, c_name.as_ptr(), libc::O_CREAT | libc::O_WRONLY, 0o600) };
            assert!(made >= 0, "made {name}");
            unsafe { libc::close(made) };
            names.push(relative.strip_prefix("evidence").unwrap().join(name).to_str().unwrap().to_string());
        }
        unsafe { libc::close(fd) };
        let together = resolved_both_ways(&content, &names);
        assert!(together.iter().all(Result::is_err), "no such path can be looked up");
    }
}
