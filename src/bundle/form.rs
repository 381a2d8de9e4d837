//! The form of the zip `bundle` writes, which `verify` requires of every entry: an archive
//! whose bytes match its manifest but that holds anything `bundle` never writes (a symlink,
//! a folder entry, a name that leaves the folder it is extracted into, an encrypted entry,
//! bytes between entries, …) is refused, because the auditor's unzip acts on those and the
//! manifest says nothing about them.
//!
//! The central directory and the local headers are read here, byte by byte, rather than
//! through the zip crate's index, which keeps one entry per name, decodes a name that is not
//! UTF-8 as CP 437 and lets an Info-ZIP Unicode Path field replace a name: each would hide from
//! `verify` what another tool shows the auditor.
//!
//! What `bundle` writes (`archive.rs`, checked against this module by a test below): entries
//! back to back from byte 0, each a local header, deflated data and a data descriptor; every
//! entry a regular file with Unix permissions 0644; general-purpose flags 0x0008 (data
//! descriptor), with 0x0800 (UTF-8) for a non-ASCII name; no extra field but Zip64's on a
//! file of 4 GiB or more; no comments; each name once, and safe by `layout::path_problem`.

use std::collections::BTreeSet;
use std::io::{self, Read, Seek, SeekFrom};

use super::layout;
use super::verify::Problem;

const CENTRAL_SIGNATURE: [u8; 4] = *b"PK\x01\x02";
const LOCAL_SIGNATURE: [u8; 4] = *b"PK\x03\x04";
const CENTRAL_FIXED: usize = 46;
const LOCAL_FIXED: usize = 30;

const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_DATA_DESCRIPTOR: u16 = 0x0008;
const FLAG_STRONG_ENCRYPTION: u16 = 0x0040;
const FLAG_UTF8: u16 = 0x0800;

const DEFLATED: u16 = 8;
const AES: u16 = 99;
const UNIX: u16 = 3;
const FILE_TYPE: u32 = 0o170000;
const SYMLINK: u32 = 0o120000;
const DIRECTORY: u32 = 0o040000;
/// A regular file with mode 0644, in the high half of the external attributes.
const REGULAR_0644: u32 = (0o100000 | 0o644) << 16;
const ZIP64_FIELD: u16 = 0x0001;
/// Data descriptor: signature, CRC-32 and two sizes of 4 bytes, or of 8 with Zip64.
const DESCRIPTOR: u64 = 16;
const ZIP64_DESCRIPTOR: u64 = 24;

/// What the archive holds that `bundle` never writes.
#[derive(Debug, Default)]
pub struct Form {
    /// In archive order; an archive-level problem (bytes outside every entry) is named by
    /// the archive.
    pub problems: Vec<Problem>,
    /// The (UTF-8) names of entries with a problem here: not also reported as extra.
    pub refused: BTreeSet<String>,
}

/// One record of the central directory, with Zip64 values in place of their markers.
struct Central {
    name: Vec<u8>,
    made_by: u16,
    flags: u16,
    method: u16,
    compressed: u64,
    uncompressed: u64,
    internal: u16,
    external: u32,
    local: u64,
    extra: Vec<u8>,
    comment: bool,
}

struct Local {
    name: Vec<u8>,
    flags: u16,
    method: u16,
    extra: Vec<u8>,
}

/// Checks every entry of the archive in `reader`, whose central directory starts at
/// `directory_start`. `archive` names the archive in an archive-level problem. An error is an
/// unreadable central directory (the zip crate has read it already, so hardly ever).
pub fn check<R: Read + Seek>(reader: &mut R, directory_start: u64, archive: &str) -> io::Result<Form> {
    reader.seek(SeekFrom::Start(directory_start))?;
    let mut records = Vec::new();
    while let Some(record) = read_central(reader)? {
        records.push(record);
    }

    let mut form = Form::default();
    let mut names = BTreeSet::new();
    // Where the next entry must start: right after the previous one (unknown after an
    // unreadable local header).
    let mut next = Some(0u64);
    for record in &records {
        let mut reasons = central_reasons(record);
        if !names.insert(record.name.as_slice()) {
            reasons.push("a second entry with this name; bundle writes each name once".into());
        }
        match read_local(reader, record.local) {
            Ok(local) => {
                if let Some(expected) = next.filter(|&expected| expected != record.local) {
                    reasons.push(if expected == 0 {
                        format!(
                            "starts at byte {}, after bytes that belong to no entry; bundle writes the first entry at byte 0",
                            record.local
                        )
                    } else {
                        format!(
                            "starts at byte {}, not right after the previous entry (byte {expected}); bundle writes entries back to back",
                            record.local
                        )
                    });
                }
                reasons.extend(local_reasons(record, &local));
                next = entry_end(record, &local);
            }
            Err(error) => {
                reasons.push(format!("its local header cannot be read ({error})"));
                next = None;
            }
        }
        if reasons.is_empty() {
            continue;
        }
        let shown = match std::str::from_utf8(&record.name) {
            Ok(name) => {
                form.refused.insert(name.to_string());
                name.to_string()
            }
            Err(_) => record.name.escape_ascii().to_string(),
        };
        form.problems
            .extend(reasons.into_iter().map(|reason| Problem::Unexpected { path: shown.clone(), reason }));
    }
    if let Some(end) = next.filter(|&end| end != directory_start) {
        let reason = if end < directory_start {
            format!(
                "{} bytes between the last entry and the central directory; bundle writes none",
                directory_start - end
            )
        } else {
            "its last entry runs into the central directory; bundle writes entries back to back".to_string()
        };
        form.problems.push(Problem::Unexpected { path: archive.to_string(), reason });
    }
    Ok(form)
}

/// What in the central directory record differs from what `bundle` writes.
fn central_reasons(record: &Central) -> Vec<String> {
    let mut reasons = Vec::new();
    let name = std::str::from_utf8(&record.name).ok();
    let file_type = (record.made_by >> 8 == UNIX).then_some((record.external >> 16) & FILE_TYPE);
    if name.is_none() {
        reasons.push("a name that is not UTF-8; bundle writes UTF-8 names".to_string());
    }
    if record.name.ends_with(b"/") || file_type == Some(DIRECTORY) {
        reasons.push(if record.uncompressed > 0 {
            format!(
                "a folder entry holding {} bytes; bundle writes files only, no folder entries",
                record.uncompressed
            )
        } else {
            "a folder entry; bundle writes files only, no folder entries".to_string()
        });
    } else if file_type == Some(SYMLINK) {
        reasons.push("a symlink; bundle writes regular files only".to_string());
    } else if record.made_by >> 8 != UNIX || record.external != REGULAR_0644 || record.internal != 0 {
        reasons.push(format!(
            "attributes {:#010x} (internal {:#06x}, made on system {}); bundle writes a regular file's, mode 0644, made on Unix ({REGULAR_0644:#010x}, 0x0000, system {UNIX})",
            record.external,
            record.internal,
            record.made_by >> 8
        ));
    }
    if let Some(name) = name {
        // A folder entry's final `/` is reported above; the rest of its name is checked here.
        if let Some(problem) = layout::path_problem(name.strip_suffix('/').unwrap_or(name)) {
            reasons.push(format!("{problem}; bundle writes relative, `/`-separated names of plain segments"));
        }
        if !name.is_ascii() && record.flags & FLAG_UTF8 == 0 {
            reasons.push(
                "a non-ASCII name without the UTF-8 flag, which unzip reads as another (CP 437) name; bundle sets the flag"
                    .to_string(),
            );
        }
    }
    if record.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION) != 0 || record.method == AES {
        reasons.push(
            "encrypted with zip encryption; bundle never encrypts entries (age encrypts the whole archive)"
                .to_string(),
        );
    } else if record.flags & !FLAG_UTF8 != FLAG_DATA_DESCRIPTOR {
        reasons.push(format!(
            "general-purpose flags {:#06x}; bundle sets the data-descriptor flag (0x0008) and, for a non-ASCII name, the UTF-8 flag (0x0800)",
            record.flags
        ));
    }
    if record.method != DEFLATED && record.method != AES {
        reasons.push(format!(
            "compression method {} ({}); bundle deflates every entry (method {DEFLATED})",
            record.method,
            zip::CompressionMethod::name_from_u16(record.method)
        ));
    }
    if let Some(reason) = extra_reason(&record.extra, "") {
        reasons.push(reason);
    }
    if record.comment {
        reasons.push("an entry comment, which zip tools show; bundle writes none".to_string());
    }
    reasons
}

/// What in the local header differs from the central directory record, or from what
/// `bundle` writes (both headers say the same).
fn local_reasons(record: &Central, local: &Local) -> Vec<String> {
    let mut reasons = Vec::new();
    if local.name != record.name {
        reasons.push(format!(
            "its local header names it `{}`; bundle writes the same name in both headers",
            String::from_utf8_lossy(&local.name).escape_debug()
        ));
    }
    if local.flags != record.flags || local.method != record.method {
        reasons.push(format!(
            "its local header has flags {:#06x} and method {}, the central directory {:#06x} and {}; bundle writes the same in both",
            local.flags, local.method, record.flags, record.method
        ));
    }
    if let Some(reason) = extra_reason(&local.extra, " in its local header") {
        reasons.push(reason);
    }
    reasons
}

/// Where the entry ends: its data, then its data descriptor.
fn entry_end(record: &Central, local: &Local) -> Option<u64> {
    let descriptor = if record.flags & FLAG_DATA_DESCRIPTOR == 0 {
        0
    } else if fields(&local.extra).is_some_and(|fields| fields.iter().any(|(id, _)| *id == ZIP64_FIELD)) {
        ZIP64_DESCRIPTOR
    } else {
        DESCRIPTOR
    };
    record
        .local
        .checked_add((LOCAL_FIXED + local.name.len() + local.extra.len()) as u64)?
        .checked_add(record.compressed)?
        .checked_add(descriptor)
}

/// Why the extra fields `extra` are not what `bundle` writes (none but Zip64's), or `None`.
fn extra_reason(extra: &[u8], place: &str) -> Option<String> {
    let Some(fields) = fields(extra) else {
        return Some(format!("a malformed extra field{place}; bundle writes none but Zip64 sizes"));
    };
    let others: Vec<String> = fields
        .iter()
        .filter(|(id, _)| *id != ZIP64_FIELD)
        .map(|(id, _)| match extra_field_name(*id) {
            Some(name) => format!("{id:#06x} ({name})"),
            None => format!("{id:#06x}"),
        })
        .collect();
    (!others.is_empty())
        .then(|| format!("extra field {}{place}; bundle writes none but Zip64 sizes", others.join(", ")))
}

fn extra_field_name(id: u16) -> Option<&'static str> {
    Some(match id {
        0x000a => "NTFS times",
        0x5455 => "extended timestamp",
        0x6375 => "Info-ZIP Unicode comment",
        0x7075 => "Info-ZIP Unicode path: a second name",
        0x7875 => "Unix owner",
        0x9901 => "AES encryption",
        0xa220 => "alignment padding",
        _ => return None,
    })
}

/// The (id, data) of each extra field, or `None` when they do not parse.
fn fields(mut extra: &[u8]) -> Option<Vec<(u16, &[u8])>> {
    let mut fields = Vec::new();
    while !extra.is_empty() {
        let header = extra.get(..4)?;
        let id = u16::from_le_bytes([header[0], header[1]]);
        let size = usize::from(u16::from_le_bytes([header[2], header[3]]));
        let data = extra.get(4..4 + size)?;
        fields.push((id, data));
        extra = &extra[4 + size..];
    }
    Some(fields)
}

fn u16_at(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

fn read_bytes<R: Read>(reader: &mut R, length: u16) -> io::Result<Vec<u8>> {
    let mut bytes = vec![0; usize::from(length)];
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// The next central directory record, or `None` at the end of the directory (any other
/// signature).
fn read_central<R: Read>(reader: &mut R) -> io::Result<Option<Central>> {
    let mut fixed = [0u8; CENTRAL_FIXED];
    reader.read_exact(&mut fixed[..4])?;
    if fixed[..4] != CENTRAL_SIGNATURE {
        return Ok(None);
    }
    reader.read_exact(&mut fixed[4..])?;
    let name = read_bytes(reader, u16_at(&fixed, 28))?;
    let extra = read_bytes(reader, u16_at(&fixed, 30))?;
    let comment = read_bytes(reader, u16_at(&fixed, 32))?;
    let mut record = Central {
        name,
        made_by: u16_at(&fixed, 4),
        flags: u16_at(&fixed, 8),
        method: u16_at(&fixed, 10),
        compressed: u64::from(u32_at(&fixed, 20)),
        uncompressed: u64::from(u32_at(&fixed, 24)),
        internal: u16_at(&fixed, 36),
        external: u32_at(&fixed, 38),
        local: u64::from(u32_at(&fixed, 42)),
        extra,
        comment: !comment.is_empty(),
    };
    // Zip64: each value at its 32-bit maximum is in the Zip64 field, in this order.
    if let Some((_, mut data)) =
        fields(&record.extra).and_then(|fields| fields.into_iter().find(|(id, _)| *id == ZIP64_FIELD))
    {
        for value in [&mut record.uncompressed, &mut record.compressed, &mut record.local] {
            if *value == u64::from(u32::MAX) && data.len() >= 8 {
                *value = u64::from_le_bytes(data[..8].try_into().unwrap_or_default());
                data = &data[8..];
            }
        }
    }
    Ok(Some(record))
}

fn read_local<R: Read + Seek>(reader: &mut R, at: u64) -> io::Result<Local> {
    reader.seek(SeekFrom::Start(at))?;
    let mut fixed = [0u8; LOCAL_FIXED];
    reader.read_exact(&mut fixed)?;
    if fixed[..4] != LOCAL_SIGNATURE {
        return Err(io::Error::new(io::ErrorKind::InvalidData, format!("no local header at byte {at}")));
    }
    let name = read_bytes(reader, u16_at(&fixed, 26))?;
    let extra = read_bytes(reader, u16_at(&fixed, 28))?;
    Ok(Local { name, flags: u16_at(&fixed, 6), method: u16_at(&fixed, 8), extra })
}

#[cfg(test)]
mod tests {
    use std::fs::File;
    use std::io::BufReader;

    use super::*;
    use crate::bundle::archive::ArchiveWriter;
    use crate::bundle::Quiet;

    /// What `ArchiveWriter` writes has the form this module requires, a file of 4 GiB or more
    /// (Zip64 headers and data descriptor) included.
    #[test]
    fn what_bundle_writes_has_the_form() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zip");
        let time = zip::DateTime::from_date_and_time(2026, 11, 21, 10, 0, 0).unwrap();
        let mut writer = ArchiveWriter::new(File::create(&path).unwrap(), None, time).unwrap();
        writer.add_bytes("index.html", b"<p>hello</p>", &Quiet).unwrap();
        writer.add_bytes("evidence/A.5.15/empty.csv", b"", &Quiet).unwrap();
        writer.add_bytes("documents/r\u{e9}sum\u{e9} #2.pdf", b"%PDF", &Quiet).unwrap();
        // Declared as 5 GiB: written with Zip64 headers, as a file that large would be.
        writer.add_stream("evidence/big.bin", &mut &b"0123456789"[..], 5 << 30, &Quiet).unwrap();
        writer.add_bytes("manifest.json", b"{}", &Quiet).unwrap();
        drop(writer.finish().unwrap().file);

        let archive = zip::ZipArchive::new(BufReader::new(File::open(&path).unwrap())).unwrap();
        let start = archive.central_directory_start();
        let mut reader = archive.into_inner();
        let form = check(&mut reader, start, "a.zip").unwrap();
        assert_eq!(form.problems, vec![]);

        // The large file did get Zip64 headers (and a Zip64 data descriptor, which the
        // check above found in its place).
        reader.seek(SeekFrom::Start(start)).unwrap();
        let big = std::iter::from_fn(|| read_central(&mut reader).unwrap())
            .find(|record| record.name == b"evidence/big.bin")
            .unwrap();
        let local = read_local(&mut reader, big.local).unwrap();
        assert!(fields(&local.extra).unwrap().iter().any(|(id, _)| *id == ZIP64_FIELD));
    }

    #[test]
    fn extra_fields_parse_or_are_malformed() {
        assert_eq!(
            fields(&[1, 0, 2, 0, 7, 7, 0x55, 0x54, 0, 0]),
            Some(vec![(1, &[7u8, 7][..]), (0x5455, &[][..])])
        );
        assert_eq!(fields(&[1, 0, 3, 0, 7, 7]), None);
        assert_eq!(fields(&[1]), None);
        assert_eq!(extra_reason(&[1, 0, 0, 0], ""), None);
        assert_eq!(
            extra_reason(&[0x75, 0x70, 0, 0], " in its local header").as_deref(),
            Some("extra field 0x7075 (Info-ZIP Unicode path: a second name) in its local header; bundle writes none but Zip64 sizes")
        );
    }
}
