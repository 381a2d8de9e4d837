//! The workbook's parts as the package holds them: a part read whole, and the sheets
//! workbook.xml lists with the parts its relationships point them to.

use std::collections::BTreeMap;
use std::io::Read;

use quick_xml::events::Event;

use super::xml::attribute;
use super::XlsxError;

pub(super) fn read_part<R: Read + std::io::Seek>(
    archive: &mut zip::ZipArchive<R>,
    path: &str,
) -> Result<Vec<u8>, XlsxError> {
    let mut entry =
        archive.by_name(path).map_err(|_| XlsxError::NotAWorkbook(format!("it has no `{path}`")))?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).map_err(|e| XlsxError::Broken(format!("`{path}`: {e}")))?;
    Ok(bytes)
}

/// The name (or `?`) of the first `<sheet>` in workbook.xml with more than one attribute whose
/// local name is `id` (`r:id` and `id`): calamine reads the last, `sheet_ids` the first.
pub(super) fn sheet_with_several_ids(workbook: &[u8]) -> Option<String> {
    let mut reader = quick_xml::Reader::from_reader(workbook);
    let mut buffer = Vec::new();
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                let ids = e
                    .attributes()
                    .with_checks(false)
                    .flatten()
                    .filter(|a| a.key.local_name().as_ref() == "id")
                    .count();
                if ids > 1 {
                    return Some(attribute(&e, b"name").unwrap_or_else(|| "?".to_string()));
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
        buffer.clear();
    }
}

/// (sheet name, relationship id) of each `<sheet>` in workbook.xml.
pub(super) fn sheet_ids(workbook: &[u8]) -> Vec<(String, String)> {
    let mut reader = quick_xml::Reader::from_reader(workbook);
    let (mut sheets, mut buffer) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "sheet" => {
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref().ends_with(":id"))
                    .and_then(|a| quick_xml::escape::unescape(&a.value).ok().map(|v| v.into_owned()));
                if let (Some(name), Some(id)) = (attribute(&e, b"name"), id) {
                    sheets.push((name, id));
                }
            }
            Ok(Event::Eof) | Err(_) => return sheets,
            _ => {}
        }
        buffer.clear();
    }
}

/// Relationship id → target, from a `.rels` part.
pub(super) fn relationship_targets(relations: &[u8]) -> BTreeMap<String, String> {
    let mut reader = quick_xml::Reader::from_reader(relations);
    let (mut targets, mut buffer) = (BTreeMap::new(), Vec::new());
    loop {
        match reader.read_event_into(&mut buffer) {
            Ok(Event::Start(e) | Event::Empty(e)) if e.local_name().as_ref() == "Relationship" => {
                if let (Some(id), Some(target)) = (attribute(&e, b"Id"), attribute(&e, b"Target")) {
                    targets.insert(id, target);
                }
            }
            Ok(Event::Eof) | Err(_) => return targets,
            _ => {}
        }
        buffer.clear();
    }
}
