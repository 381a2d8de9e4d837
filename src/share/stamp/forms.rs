//! The pages' original content made into forms: decoded, scanned and joined first, then each
//! piece made a form once per page box and resources.

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Object, ObjectId, Stream};

use super::footer::rectangle_object;
use super::nesting::{nesting, Nesting};
use super::stamper::Stamper;
use super::{StampError, CONTENT_LIMIT};

/// A form made of a piece of original content, for a page with this MediaBox and resources.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct MadeForm {
    bbox: [f64; 4],
    resources: Option<ObjectId>,
    struct_parents: Option<i64>,
    id: ObjectId,
}

/// The pages' original content on its way into forms. A piece is one content stream, or the
/// streams of a page with several, joined; pages with the same piece, box and resources share
/// one form.
#[derive(Default)]
pub(super) struct Forms {
    /// The streams of pages with several, decoded, joined and compressed, until a form is made.
    pub(super) joined: HashMap<Vec<ObjectId>, Stream>,
    /// Lists of streams that could not be joined (one could not be decoded): one form each.
    unjoinable: HashSet<Vec<ObjectId>>,
    /// How each piece nests marked content.
    pub(super) nestings: HashMap<Vec<ObjectId>, Nesting>,
    /// The forms made of each piece.
    pub(super) made: HashMap<Vec<ObjectId>, Vec<MadeForm>>,
    /// How many bytes of content were decoded so far.
    decoded: usize,
    /// The form of each page whose original content became one form, for the structure tree.
    pub(super) of_page: HashMap<ObjectId, ObjectId>,
}

/// Decoding stops after this many bytes in all (hostile files could make every page decode the
/// same huge stream): after that, streams are not scanned and a page's streams not joined.
const DECODE_BUDGET: usize = 1 << 30;

impl Stamper<'_> {
    /// The content stream `id` decoded; `None` when it cannot be (or would decode to more than
    /// [`CONTENT_LIMIT`] bytes, or the [`DECODE_BUDGET`] is spent).
    fn decoded(&mut self, id: ObjectId) -> Option<Vec<u8>> {
        if self.forms.decoded >= DECODE_BUDGET {
            return None;
        }
        let Some((_, Object::Stream(stream))) = self.resolve_id(id) else { return None };
        let content = stream.decompressed_content_with_limit(CONTENT_LIMIT).ok()?;
        self.forms.decoded = self.forms.decoded.saturating_add(content.len());
        Some(content)
    }

    /// Scans the page's content for marked content and, when it has several streams, joins them.
    pub(super) fn prepare_content(&mut self, page_id: ObjectId) {
        let Some(page) = self.page(page_id) else { return };
        let streams = self.content_streams(page);
        if streams.len() > 1
            && !self.forms.nestings.contains_key(&streams)
            && !self.forms.unjoinable.contains(&streams)
        {
            let mut joined = Vec::new();
            let mut complete = true;
            for (index, &id) in streams.iter().enumerate() {
                let Some(content) = self.decoded(id) else {
                    complete = false;
                    break;
                };
                if index > 0 {
                    joined.push(b'\n');
                }
                joined.extend_from_slice(&content);
            }
            if complete {
                self.forms.nestings.insert(streams.clone(), nesting(&joined));
                let mut stream = Stream::new(Dictionary::new(), joined);
                // Left uncompressed when compressing fails.
                let _ = stream.compress();
                self.forms.joined.insert(streams, stream);
                return;
            }
            self.forms.unjoinable.insert(streams.clone());
        }
        if streams.len() == 1 || self.forms.unjoinable.contains(&streams) {
            for id in streams {
                if !self.forms.nestings.contains_key(&[id][..]) {
                    let nesting = self.decoded(id).map_or_else(Nesting::default, |content| nesting(&content));
                    self.forms.nestings.insert(vec![id], nesting);
                }
            }
        }
    }

    /// The form that draws `piece` of original content with the page's MediaBox `bbox` and its
    /// `resources`. A page's only content stream becomes the form where it is, unless something
    /// else refers to it; otherwise its encoded data is copied.
    pub(super) fn form(
        &mut self,
        piece: &[ObjectId],
        bbox: [f64; 4],
        resources: Option<ObjectId>,
        struct_parents: Option<i64>,
    ) -> Result<ObjectId, StampError> {
        let made = self.forms.made.get(piece);
        let alike = |form: &&MadeForm| {
            form.bbox == bbox && form.resources == resources && form.struct_parents == struct_parents
        };
        if let Some(form) = made.and_then(|made| made.iter().find(alike)) {
            return Ok(form.id);
        }
        let earlier = made.and_then(|made| made.first()).map(|form| form.id);
        let mut dictionary = Dictionary::from_iter([
            ("Type", Object::from("XObject")),
            ("Subtype", Object::from("Form")),
            ("BBox", rectangle_object(bbox)),
            ("Resources", resources.map_or_else(|| Dictionary::new().into(), Object::Reference)),
        ]);
        if let Some(struct_parents) = struct_parents {
            dictionary.set("StructParents", struct_parents);
        }
        let joined = if earlier.is_none() { self.forms.joined.remove(piece) } else { None };
        let id = if let Some(joined) = joined {
            copy_encoding(&joined.dict, &mut dictionary);
            self.add(Stream::new(dictionary, joined.content))?
        } else {
            let source = earlier.unwrap_or(piece[0]);
            let in_place = earlier.is_none()
                && self.references.get(&source).copied().unwrap_or(0) <= 1
                && matches!(self.document.objects.get(&source), Some(Object::Stream(_)));
            if in_place {
                if let Some(Object::Stream(stream)) = self.document.objects.get_mut(&source) {
                    let content = std::mem::take(&mut stream.content);
                    copy_encoding(&stream.dict, &mut dictionary);
                    *stream = Stream::new(dictionary, content);
                }
                source
            } else {
                let content = match self.resolve_id(source) {
                    Some((_, Object::Stream(stream))) => {
                        copy_encoding(&stream.dict, &mut dictionary);
                        stream.content.clone()
                    }
                    _ => Vec::new(),
                };
                self.add(Stream::new(dictionary, content))?
            }
        };
        self.forms.made.entry(piece.to_vec()).or_default().push(MadeForm {
            bbox,
            resources,
            struct_parents,
            id,
        });
        Ok(id)
    }
}

/// Copies how a stream's data is encoded (/Filter, /DecodeParms) to the dictionary of a stream
/// that takes its data.
fn copy_encoding(from: &Dictionary, to: &mut Dictionary) {
    for key in [&b"Filter"[..], b"DecodeParms"] {
        if let Ok(value) = from.get(key) {
            to.set(key, value.clone());
        }
    }
}
