//! A past version's text, read and cut only when a page shows it.
//!
//! Most builds show no past text at all: a rebuild in place keeps every "what changed" page
//! whose two versions it has rendered before, by what their texts are made from (their
//! [`text_key`](super::text_key)s and the reader), without their texts. So a version holds
//! its text where it is: in memory when the history was just read from git, or in the
//! history's cache file (`load::cache::history`), read from there only when a page needs
//! it. Either way the text is handed out only cut, to the reader its version was cut for
//! (`PolicyVersion::cut`), by the one cut (`audience_blocks::cut`), and checked by the
//! tripwire's rule (no audience fence may be left) on the way out: the model holds no past
//! text of any audience, and the page that shows one gets only what its reader may read.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::audience::Audience;

/// Where a past version's text is.
#[derive(Debug, Clone, Default)]
pub enum Held {
    /// No text: the version's audience blocks did not parse, or it keeps none.
    #[default]
    None,
    /// In memory.
    Here(Arc<str>),
    /// Text `index` of a history cache file, whose text key (`super::text_key`) is `key`.
    Kept { texts: Arc<KeptTexts>, index: usize, key: String },
}

impl Held {
    pub fn here(text: String) -> Held {
        Held::Here(Arc::from(text))
    }

    /// Whether there is a text.
    pub fn is_some(&self) -> bool {
        !matches!(self, Held::None)
    }

    /// The text as written (not cut). A text read from a cache file must still have the key
    /// it was stored with: a file changed since gives an error, never another text.
    pub fn read(&self) -> Result<std::borrow::Cow<'_, str>, String> {
        match self {
            Held::None => Ok("".into()),
            Held::Here(text) => Ok(text.as_ref().into()),
            Held::Kept { texts, index, key } => {
                let text = texts.read(*index).filter(|text| super::text_key(text) == *key);
                text.map(Into::into).ok_or_else(|| texts.damaged())
            }
        }
    }
}

/// Two held texts are equal by their text (read where it is kept); no text is no text.
impl PartialEq for Held {
    fn eq(&self, other: &Held) -> bool {
        match (self, other) {
            (Held::None, Held::None) => true,
            (Held::None, _) | (_, Held::None) => false,
            _ => matches!((self.read(), other.read()), (Ok(one), Ok(two)) if one == two),
        }
    }
}

/// The texts of a history cache file, each read when asked for: the open file (so a file
/// written over it since, by another build, is not read instead) and where each text lies.
#[derive(Debug)]
pub struct KeptTexts {
    path: PathBuf,
    file: File,
    /// Each text's offset in the file and its length in bytes.
    spans: Vec<(u64, usize)>,
}

impl KeptTexts {
    pub fn new(path: PathBuf, file: File, spans: Vec<(u64, usize)>) -> KeptTexts {
        KeptTexts { path, file, spans }
    }

    /// Text `index`, as the file holds it; `None` when it cannot be read or is not UTF-8.
    fn read(&self, index: usize) -> Option<String> {
        let &(offset, len) = self.spans.get(index)?;
        let mut bytes = vec![0; len];
        read_exact_at(&self.file, &mut bytes, offset).ok()?;
        String::from_utf8(bytes).ok()
    }

    /// What to say of a text that is not what the file recorded under its key: the file
    /// was changed after it was written. It is removed (when it is still the file this was
    /// read from), so that the next build reads the history from git again.
    fn damaged(&self) -> String {
        let removed = same_file(&self.file, &self.path) && std::fs::remove_file(&self.path).is_ok();
        format!(
            "the history's cache file `{}` does not hold the past texts it recorded (it was changed after it was written); {}",
            self.path.display(),
            if removed { "it has been removed: build again" } else { "remove it and build again" }
        )
    }
}

/// Whether `path` is still the file `file` was opened from.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::symlink_metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    false
}

#[cfg(unix)]
fn read_exact_at(file: &File, bytes: &mut [u8], offset: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, bytes, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut bytes: &mut [u8], mut offset: u64) -> std::io::Result<()> {
    use std::os::windows::fs::FileExt;
    while !bytes.is_empty() {
        match file.seek_read(bytes, offset)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            read => {
                bytes = &mut bytes[read..];
                offset += read as u64;
            }
        }
    }
    Ok(())
}

/// A past version's text, with the reader it was cut for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VersionText {
    held: Held,
    cut_for: Option<Audience>,
}

impl VersionText {
    pub fn new(held: Held) -> VersionText {
        VersionText { held, cut_for: None }
    }

    /// Marks the text as cut for `reader`: what [`VersionText::cut`] gives from now on.
    pub fn cut_for(&mut self, reader: Audience) {
        self.cut_for = Some(match self.cut_for {
            // Cut twice, for the lower of the two readers.
            Some(before) => before.min(reader),
            None => reader,
        });
    }

    /// The text as the reader it was cut for may read it. An error when it was never cut
    /// (nothing uncut leaves here), when it cannot be read, or when an audience fence is
    /// left in it after the cut (the tripwire's rule).
    pub fn cut(&self) -> Result<String, String> {
        let Some(reader) = self.cut_for else {
            return Err("a past version's text was asked for before the audience cut".to_string());
        };
        let text = crate::audience_blocks::cut(&self.held.read()?, reader);
        match crate::audience_blocks::leftover(&text) {
            None => Ok(text),
            Some(found) => Err(format!(
                "a past version's text still holds an audience fence after the cut (line {}, column {}: {}): the build stops rather than publish it",
                found.line, found.column, found.message
            )),
        }
    }
}
