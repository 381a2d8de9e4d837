//! The pages of each output folder as the last rebuild in place left them: for each page,
//! the key of everything it was rendered from, whether it shows code, and the file's
//! metadata once written. The next rebuild into the same folder keeps a page whose key and
//! file are unchanged instead of rendering it again (see `crate::output::kept`).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::folder::{cache_folder, create_private_folder, private_folder, read_trusted};
use super::{binary_identity, FileKey, FORMAT};
use crate::output::kept::{KeptPage, PageRecord};

/// The record of output folder `out` (canonical), as this binary left it. An empty record on
/// any doubt: the folder or file is not private, another binary or folder wrote it, or a
/// line does not read.
pub fn page_record(out: &Path) -> PageRecord {
    read(out).unwrap_or_default()
}

fn read(out: &Path) -> Option<PageRecord> {
    let folder = cache_folder()?;
    let me = private_folder(&folder).ok()??;
    let text = read_trusted(&record_path(&folder, out), me)?;
    let mut lines = text.lines();
    if lines.next()? != header(out)? {
        return None;
    }
    let mut record = PageRecord::default();
    for line in lines {
        let mut fields = line.split('\t');
        let (Some(path), Some(key), Some(has_code), Some(file), None) =
            (fields.next(), fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return None;
        };
        let key = crate::output::kept::parse_key(key)?;
        let has_code = match has_code {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        record.insert(path.to_string(), KeptPage { key, has_code, file: FileKey::parse(file)? });
    }
    Some(record)
}

/// Keeps `record` for the next rebuild into `out` (canonical). Failing to write it changes
/// nothing but the next rebuild's time.
pub fn remember_pages(out: &Path, record: &PageRecord) {
    use std::io::Write;
    let Some(folder) = cache_folder() else { return };
    if private_folder(&folder).is_err() || create_private_folder(&folder).is_err() {
        return;
    }
    let Some(header) = header(out) else { return };
    let mut text = header;
    text.push('\n');
    let mut paths: Vec<&String> = record.keys().collect();
    paths.sort_unstable();
    for path in paths {
        // A path that would break the line format is not kept: that page is rendered again.
        if path.contains(['\t', '\n', '\r']) {
            continue;
        }
        let page = &record[path];
        let key = crate::output::kept::key_hex(&page.key);
        text.push_str(&format!("{path}\t{key}\t{}\t{}\n", u8::from(page.has_code), page.file.field()));
    }
    let Ok(mut file) = tempfile::NamedTempFile::new_in(&folder) else { return };
    if file.write_all(text.as_bytes()).is_ok() {
        let _ = file.persist(record_path(&folder, out));
    }
}

fn record_path(folder: &Path, out: &Path) -> PathBuf {
    let name: String = Sha256::digest(out.as_os_str().as_encoded_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    folder.join(format!("pages-{name}.tsv"))
}

/// (format, binary, output folder): a record is this binary's, for this folder.
fn header(out: &Path) -> Option<String> {
    serde_json::to_string(&(FORMAT, binary_identity()?, out.to_str()?)).ok()
}
