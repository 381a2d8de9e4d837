//! Writing the zip. Every entry gets the same timestamp (the build date), the same
//! permissions (0644, Unix) and deflate at the default level, in the order given, so the
//! same input gives the same bytes; `verify` refuses an entry of any other form (`form.rs`). File contents are read, hashed and compressed in one
//! pass through a fixed buffer; the archive's own bytes are hashed on their way to disk,
//! through age encryption when there are recipients.
//!
//! The zip is written as a stream (sizes in data descriptors after each entry) rather than
//! by seeking back: the same bytes whether or not they are then encrypted, and an
//! encrypted bundle never exists unencrypted on disk.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::rc::Rc;

use sha2::{Digest, Sha256};
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipWriter};

use super::manifest::FileEntry;
use super::Progress;

/// Read and write in chunks of this size: large enough for throughput, small enough that
/// memory does not grow with the evidence.
const CHUNK: usize = 256 * 1024;

/// Where the archive's bytes go: the output file, directly or through age.
enum Sink {
    Plain(BufWriter<File>),
    Encrypted(age::stream::StreamWriter<BufWriter<File>>),
}

/// The archive's byte sink, counting and hashing what it writes. Once the bundle is
/// abandoned (an error elsewhere), writes are dropped: the zip writer finalises itself on
/// drop, and that must neither fail noisily nor cost a disk write for a file about to be
/// deleted.
struct Output {
    sink: Sink,
    bytes: u64,
    hash: Sha256,
    abandoned: Rc<Cell<bool>>,
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.abandoned.get() {
            return Ok(buf.len());
        }
        let written = match &mut self.sink {
            Sink::Plain(file) => file.write(buf),
            Sink::Encrypted(age) => age.write(buf),
        };
        match written {
            Ok(count) => {
                self.hash.update(&buf[..count]);
                self.bytes += count as u64;
                Ok(count)
            }
            Err(error) => {
                self.abandoned.set(true);
                Err(error)
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.abandoned.get() {
            return Ok(());
        }
        match &mut self.sink {
            Sink::Plain(file) => file.flush(),
            Sink::Encrypted(age) => age.flush(),
        }
    }
}

/// Why copying a file into the archive failed: reading the source, or writing the archive.
#[derive(Debug)]
pub enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

/// The finished archive: its file (flushed, not yet synced), size and SHA-256.
pub struct Finished {
    pub file: File,
    pub bytes: u64,
    pub sha256: String,
}

pub struct ArchiveWriter {
    zip: ZipWriter<StreamWriter<Output>>,
    options: SimpleFileOptions,
    abandoned: Rc<Cell<bool>>,
    buffer: Vec<u8>,
}

impl ArchiveWriter {
    /// A new archive written to `file`, encrypted with `encryptor` when there is one.
    pub fn new(
        file: File,
        encryptor: Option<age::Encryptor>,
        time: zip::DateTime,
    ) -> io::Result<ArchiveWriter> {
        let file = BufWriter::with_capacity(CHUNK, file);
        let sink = match encryptor {
            Some(encryptor) => Sink::Encrypted(encryptor.wrap_output(file)?),
            None => Sink::Plain(file),
        };
        let abandoned = Rc::new(Cell::new(false));
        let output = Output { sink, bytes: 0, hash: Sha256::new(), abandoned: Rc::clone(&abandoned) };
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .last_modified_time(time)
            .unix_permissions(0o644)
            .system(zip::System::Unix);
        Ok(ArchiveWriter { zip: ZipWriter::new_stream(output), options, abandoned, buffer: vec![0; CHUNK] })
    }

    fn start(&mut self, path: &str, size: u64) -> io::Result<()> {
        // Zip64 headers only where a file needs them: decided by its size, so still
        // deterministic.
        let options = self.options.large_file(size >= zip::ZIP64_BYTES_THR);
        self.zip.start_file(path, options).map_err(io::Error::from)
    }

    /// Adds a file held in memory (a rendered page, `soa.csv`).
    pub fn add_bytes(&mut self, path: &str, bytes: &[u8], progress: &dyn Progress) -> io::Result<FileEntry> {
        self.start(path, bytes.len() as u64)?;
        self.zip.write_all(bytes)?;
        progress.advance(bytes.len() as u64);
        Ok(FileEntry { path: path.to_string(), size: bytes.len() as u64, sha256: crate::hex::sha256(bytes) })
    }

    /// Adds a file read from `reader` (`expected_size` bytes, as the file system says),
    /// hashing it as it is compressed. The size and hash recorded are those of the bytes
    /// actually read, which are the bytes in the archive.
    pub fn add_stream(
        &mut self,
        path: &str,
        reader: &mut dyn Read,
        expected_size: u64,
        progress: &dyn Progress,
    ) -> Result<FileEntry, CopyError> {
        self.start(path, expected_size).map_err(CopyError::Write)?;
        let mut hash = Sha256::new();
        let mut size = 0u64;
        loop {
            let count = match reader.read(&mut self.buffer) {
                Ok(0) => break,
                Ok(count) => count,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(CopyError::Read(error)),
            };
            let chunk = &self.buffer[..count];
            hash.update(chunk);
            self.zip.write_all(chunk).map_err(CopyError::Write)?;
            size += count as u64;
            progress.advance(count as u64);
        }
        Ok(FileEntry { path: path.to_string(), size, sha256: crate::hex::hex(&hash.finalize()) })
    }

    /// Writes the central directory and, when encrypting, age's last chunk.
    pub fn finish(self) -> io::Result<Finished> {
        let output = self.zip.finish().map_err(io::Error::from)?.into_inner();
        let file = match output.sink {
            Sink::Plain(file) => file,
            Sink::Encrypted(age) => age.finish()?,
        };
        let file = file.into_inner().map_err(|error| error.into_error())?;
        Ok(Finished { file, bytes: output.bytes, sha256: crate::hex::hex(&output.hash.finalize()) })
    }

    /// Drops the archive without writing anything more.
    pub fn abandon(self) {
        self.abandoned.set(true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bundle::Quiet;

    fn archive(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let time = zip::DateTime::from_date_and_time(2026, 11, 21, 10, 0, 0).unwrap();
        let mut writer = ArchiveWriter::new(File::create(&path).unwrap(), None, time).unwrap();
        for (name, bytes) in entries {
            writer.add_stream(name, &mut &bytes[..], bytes.len() as u64, &Quiet).unwrap();
        }
        let finished = writer.finish().unwrap();
        drop(finished.file);
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(finished.bytes, bytes.len() as u64);
        assert_eq!(finished.sha256, crate::hex::sha256(&bytes));
        bytes
    }

    #[test]
    fn same_entries_give_the_same_bytes_and_read_back() {
        let big: Vec<u8> = (0..CHUNK * 3 + 17).map(|i| (i % 251) as u8).collect();
        let entries: [(&str, &[u8]); 2] = [("a.txt", b"hello"), ("evidence/A.5.15/big.bin", &big)];
        let first = archive(&entries);
        assert_eq!(first, archive(&entries));

        let mut zip = zip::ZipArchive::new(io::Cursor::new(first)).unwrap();
        let mut file = zip.by_name("evidence/A.5.15/big.bin").unwrap();
        assert_eq!(file.last_modified().map(|t| (t.year(), t.hour())), Some((2026, 10)));
        assert_eq!(file.unix_mode().map(|mode| mode & 0o777), Some(0o644));
        let mut read = Vec::new();
        file.read_to_end(&mut read).unwrap();
        assert_eq!(read, big);
    }

    #[test]
    fn a_failing_reader_is_a_read_error() {
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("disk on fire"))
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let time = zip::DateTime::default();
        let mut writer =
            ArchiveWriter::new(File::create(dir.path().join("a.zip")).unwrap(), None, time).unwrap();
        assert!(matches!(writer.add_stream("x", &mut Broken, 1, &Quiet), Err(CopyError::Read(_))));
        writer.abandon();
    }
}
