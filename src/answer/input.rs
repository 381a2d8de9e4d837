//! Reading a spreadsheet someone hands trustpress (a questionnaire, a CAIQ template, a sheet
//! to import): a regular file, of at most [`MAX_FILE_BYTES`], read whole only after both are
//! checked, so a device, a pipe or a huge file is refused before any memory is spent.

use std::path::Path;

/// More than this is not a spreadsheet a person fills in.
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// It cannot be opened or read at all.
    #[error("cannot read `{path}`: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("`{0}` is not a file")]
    NotAFile(String),
    #[error("`{path}` holds {bytes} bytes, more than a spreadsheet trustpress reads ({} MiB): refused", MAX_FILE_BYTES / 1024 / 1024)]
    TooLarge { path: String, bytes: u64 },
}

pub fn read_spreadsheet(path: &Path) -> Result<Vec<u8>, InputError> {
    let shown = path.display().to_string();
    let metadata =
        std::fs::metadata(path).map_err(|source| InputError::Read { path: shown.clone(), source })?;
    if !metadata.is_file() {
        return Err(InputError::NotAFile(shown));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(InputError::TooLarge { path: shown, bytes: metadata.len() });
    }
    // Read at most one byte past the cap: a file that grows after the check is refused too.
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    let file =
        std::fs::File::open(path).map_err(|source| InputError::Read { path: shown.clone(), source })?;
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_FILE_BYTES + 1), &mut bytes)
        .map_err(|source| InputError::Read { path: shown.clone(), source })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(InputError::TooLarge { path: shown, bytes: bytes.len() as u64 });
    }
    Ok(bytes)
}
