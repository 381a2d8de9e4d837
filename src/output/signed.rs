//! A signed site (`build --sign KEY`): every file the build writes is hashed on its way to
//! the output, and when the site is complete three files are added under
//! `.well-known/trustpress/`: `manifest.json` (every other published file with its SHA-256
//! and size, in path order), `manifest.json.sig` (an SSH signature of the manifest, namespace
//! `trustpress`) and `signing-key.pub` (the public key, for `verify --key-from` and for
//! anyone checking with `ssh-keygen -Y verify`). The signer is handed in as a trait object so
//! that this module knows nothing of keys.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use super::{OutputFile, Sink, WriteError};
use crate::audience::Audience;
use crate::site::routes;

/// What signs a site: the private key, kept by the caller.
pub trait Signer: Send + Sync {
    /// The armored SSH signature (`-----BEGIN SSH SIGNATURE-----`) of `message`.
    fn sign(&self, message: &[u8]) -> Result<String, String>;
    /// The public key as one OpenSSH line (`ssh-ed25519 AAAA… comment`).
    fn public_key(&self) -> String;
}

/// A sink that records every file's hash, in front of the sink that writes.
pub struct Signed<'a> {
    inner: &'a dyn Sink,
    audience: Audience,
    files: Mutex<BTreeMap<String, (String, u64)>>,
}

impl<'a> Signed<'a> {
    pub fn new(inner: &'a dyn Sink, audience: Audience) -> Signed<'a> {
        Signed { inner, audience, files: Mutex::new(BTreeMap::new()) }
    }

    /// Adds the manifest, its signature and the public key.
    pub fn finish(self, signer: &dyn Signer) -> Result<(), WriteError> {
        let files = self.files.into_inner().unwrap_or_else(PoisonError::into_inner);
        let manifest = manifest(&files, self.audience);
        let signature = signer.sign(manifest.as_bytes()).map_err(WriteError::Sign)?;
        self.inner.put(OutputFile::new(
            routes::SIGNING_KEY,
            format!("{}\n", signer.public_key()),
            Audience::Public,
        ))?;
        self.inner.put(OutputFile::new(routes::SITE_MANIFEST, manifest, self.audience))?;
        self.inner.put(OutputFile::new(routes::SITE_SIGNATURE, signature, self.audience))?;
        Ok(())
    }
}

impl Sink for Signed<'_> {
    fn put(&self, file: OutputFile) -> Result<(), WriteError> {
        let entry = (crate::hex::sha256(&file.bytes), file.bytes.len() as u64);
        let path = file.path.clone();
        self.inner.put(file)?;
        self.files.lock().unwrap_or_else(PoisonError::into_inner).insert(path, entry);
        Ok(())
    }

    fn expect_folders(&self, folders: Vec<String>) {
        self.inner.expect_folders(folders);
    }
}

/// The manifest's text: one JSON document, files in path order, one per line, so that a
/// diff of two manifests reads as a list of changed files.
fn manifest(files: &BTreeMap<String, (String, u64)>, audience: Audience) -> String {
    let mut text = format!(
        "{{\n  \"format\": \"trustpress-site-manifest/1\",\n  \"audience\": \"{audience}\",\n  \"files\": [\n"
    );
    let rows: Vec<String> = files
        .iter()
        .map(|(path, (sha256, size))| {
            format!(
                "    {{\"path\": {}, \"sha256\": \"{sha256}\", \"size\": {size}}}",
                serde_json::to_string(path).unwrap_or_default()
            )
        })
        .collect();
    text.push_str(&rows.join(",\n"));
    text.push_str("\n  ]\n}\n");
    text
}
