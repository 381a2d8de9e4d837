//! Writing the filled workbook: the sheets written are rewritten by the cell editor, every
//! other part of the package is copied as it was.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};

use super::areas::{covered_areas, covered_by};
use super::rewrite::rewrite_sheet;
use super::{SkippedBySheet, Workbook, XlsxError};

impl Workbook {
    /// The workbook with `writes` (by sheet name: cell → text) made, and per sheet the cells
    /// left alone: inside a merged area (only its top-left cell holds a value) or an array
    /// formula's area, or holding a formula. Every other part of the file is copied as it was, byte for byte.
    pub fn fill(
        &self,
        writes: &BTreeMap<String, BTreeMap<(usize, usize), String>>,
    ) -> Result<(Vec<u8>, SkippedBySheet), XlsxError> {
        let mut parts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut skipped_by_sheet = BTreeMap::new();
        for (sheet, writes) in writes {
            let path = self.sheet_path(sheet)?.to_string();
            let original = self.part(&path)?;
            let covered = covered_areas(&original);
            let mut skipped = Vec::new();
            let mut writes = writes.clone();
            writes.retain(|&(row, column), _| match covered_by(&covered, row, column) {
                Some(why) => {
                    skipped.push((row, column, why));
                    false
                }
                None => true,
            });
            let (sheet_xml, formulas) = rewrite_sheet(&original, &writes)?;
            for (row, column) in formulas {
                skipped.push((row, column, "holds a formula"));
            }
            skipped.sort_unstable();
            parts.insert(path, sheet_xml);
            skipped_by_sheet.insert(sheet.clone(), skipped);
        }
        let mut archive =
            zip::ZipArchive::new(Cursor::new(&self.bytes)).map_err(|e| XlsxError::Broken(e.to_string()))?;
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for index in 0..archive.len() {
            let name = archive
                .by_index_raw(index)
                .map_err(|e| XlsxError::Broken(e.to_string()))?
                .name()
                .map_err(|e| XlsxError::Broken(e.to_string()))?
                .to_string();
            if let Some(sheet_xml) = parts.get(&name) {
                let entry = archive.by_index_raw(index).map_err(|e| XlsxError::Broken(e.to_string()))?;
                let mut options =
                    zip::write::SimpleFileOptions::default().compression_method(entry.compression());
                if let Some(time) = entry.last_modified() {
                    options = options.last_modified_time(time);
                }
                drop(entry);
                out.start_file(name, options).map_err(|e| XlsxError::Broken(e.to_string()))?;
                out.write_all(sheet_xml).map_err(|e| XlsxError::Broken(e.to_string()))?;
            } else {
                let entry = archive.by_index_raw(index).map_err(|e| XlsxError::Broken(e.to_string()))?;
                out.raw_copy_file(entry).map_err(|e| XlsxError::Broken(e.to_string()))?;
            }
        }
        out.set_raw_comment(archive.comment().into()).map_err(|e| XlsxError::Broken(e.to_string()))?;
        let bytes = out.finish().map_err(|e| XlsxError::Broken(e.to_string()))?.into_inner();
        Ok((bytes, skipped_by_sheet))
    }
}
