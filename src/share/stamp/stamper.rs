//! The stamper: every page of the loaded document stamped in place.

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Document, Object, ObjectId, Stream};

use super::footer::{footer, form_name, page_content, rectangle_object};
use super::forms::Forms;
use super::nesting::Nesting;
use super::page::{pages, PageGeometry};
use super::text::StampText;
use super::{StampError, ANNOTATION_FLAGS, CHAIN_LIMIT, FONT_NAME};

/// What stamping did, for writing the document out.
pub(super) struct Changes {
    /// The /Info dictionary's id, for the new trailer.
    pub(super) info: ObjectId,
    /// How many pages were stamped.
    pub(super) pages: usize,
}

/// Changes the loaded document in place.
pub(super) struct Stamper<'d> {
    pub(super) document: &'d mut Document,
    /// How many references name each object, before stamping.
    pub(super) references: HashMap<ObjectId, usize>,
    /// Resources inherited as a direct dictionary from a page-tree node, made an object of their
    /// own, per node.
    inherited_resources: HashMap<ObjectId, ObjectId>,
    pub(super) forms: Forms,
}

/// What reads a page's content streams left on disk into the document.
pub(super) type BringBack<'a> = dyn FnMut(&mut Document, &HashSet<ObjectId>) -> Result<(), StampError> + 'a;

/// Stamps every page of `document` in place; `bring_back` is given the pages' content streams
/// before anything is read of them.
pub(super) fn stamp_document(
    document: &mut Document,
    text: &StampText,
    bring_back: &mut BringBack<'_>,
) -> Result<Changes, StampError> {
    let kids = pages(document);
    // New objects are numbered after every number in use, even one referred to but missing: a
    // dangling reference must not come to point at the stamp.
    let (highest, references) = references(document);
    document.max_id = highest.max(document.max_id);
    let mut stamper =
        Stamper { document, references, inherited_resources: HashMap::new(), forms: Forms::default() };
    // Each page dictionary once, even when two kids refer to it.
    let mut seen = HashSet::new();
    let page_ids: Vec<ObjectId> = kids
        .into_iter()
        .filter_map(|kid| match stamper.resolve_id(kid) {
            Some((id, Object::Dictionary(_))) => Some(id),
            _ => None,
        })
        .filter(|&id| seen.insert(id))
        .collect();
    if page_ids.is_empty() {
        return Err(StampError::NoPages);
    }
    let contents: HashSet<ObjectId> = page_ids
        .iter()
        .filter_map(|&page_id| stamper.page(page_id))
        .flat_map(|page| stamper.content_streams(page))
        .collect();
    bring_back(stamper.document, &contents)?;
    let font = stamper.add(Object::Dictionary(Dictionary::from_iter([
        ("Type", Object::from("Font")),
        ("Subtype", Object::from("Type1")),
        ("BaseFont", Object::from("Helvetica")),
        ("Encoding", Object::from("WinAnsiEncoding")),
    ])))?;
    // Every content stream is decoded and scanned before any page is changed: with the changes
    // made in between, glibc's allocator left each decoder's freed buffers as holes it did not
    // reuse.
    for &page_id in &page_ids {
        stamper.prepare_content(page_id);
    }
    // Pages alike share one content stream and one annotation appearance.
    let mut shared = Shared::default();
    for &page_id in &page_ids {
        stamper.stamp_page(page_id, text, font, &mut shared)?;
    }
    stamper.point_structure_at_forms();
    let info = stamper.info(text)?;
    Ok(Changes { info, pages: page_ids.len() })
}

/// The streams pages alike share, by content.
#[derive(Default)]
struct Shared {
    contents: HashMap<Vec<u8>, ObjectId>,
    appearances: HashMap<Vec<u8>, ObjectId>,
    /// The stamp annotations' /Contents, one string object for all.
    description: Option<ObjectId>,
}

/// The highest object number any reference in `document` names, and how many references name
/// each object.
fn references(document: &Document) -> (u32, HashMap<ObjectId, usize>) {
    let mut highest = 0;
    let mut counts: HashMap<ObjectId, usize> = HashMap::new();
    let mut pending: Vec<&Object> = document.objects.values().collect();
    pending.extend(document.trailer.iter().map(|(_, value)| value));
    while let Some(object) = pending.pop() {
        match object {
            Object::Reference(id) => {
                highest = highest.max(id.0);
                *counts.entry(*id).or_default() += 1;
            }
            Object::Array(items) => pending.extend(items),
            Object::Dictionary(dictionary) => pending.extend(dictionary.iter().map(|(_, value)| value)),
            Object::Stream(stream) => pending.extend(stream.dict.iter().map(|(_, value)| value)),
            _ => {}
        }
    }
    // An object that is only a reference passes what refers to it on to what it refers to: a
    // stream named through it by two pages is named twice.
    for (&id, object) in &document.objects {
        let Object::Reference(mut target) = *object else { continue };
        let passed = counts.get(&id).copied().unwrap_or(0);
        for _ in 0..CHAIN_LIMIT {
            match document.objects.get(&target) {
                Some(Object::Reference(next)) => target = *next,
                _ => break,
            }
        }
        *counts.entry(target).or_default() += passed;
    }
    (highest, counts)
}

impl Stamper<'_> {
    /// Adds `object` under the next free number.
    pub(super) fn add(&mut self, object: impl Into<Object>) -> Result<ObjectId, StampError> {
        let number = self.document.max_id.checked_add(1).ok_or_else(|| {
            StampError::Unreadable("its object numbers are used up to the highest possible".to_string())
        })?;
        self.document.max_id = number;
        self.document.objects.insert((number, 0), object.into());
        Ok((number, 0))
    }

    /// The object `id` is, following references, and the id it is finally stored under; `None`
    /// for a missing object or a reference cycle.
    pub(super) fn resolve_id(&self, mut id: ObjectId) -> Option<(ObjectId, &Object)> {
        for _ in 0..CHAIN_LIMIT {
            match self.document.objects.get(&id)? {
                Object::Reference(next) => id = *next,
                object => return Some((id, object)),
            }
        }
        None
    }

    /// The object `value` is, following references, and the id it is stored under when it is an
    /// indirect object.
    pub(super) fn resolve<'a>(&'a self, value: &'a Object) -> Option<(Option<ObjectId>, &'a Object)> {
        match *value {
            Object::Reference(id) => self.resolve_id(id).map(|(id, object)| (Some(id), object)),
            _ => Some((None, value)),
        }
    }

    /// The id of the indirect dictionary `value` refers to.
    pub(super) fn indirect_dictionary(&self, value: &Object) -> Option<ObjectId> {
        match self.resolve(value)? {
            (Some(id), Object::Dictionary(_)) => Some(id),
            _ => None,
        }
    }

    pub(super) fn page(&self, page_id: ObjectId) -> Option<&Dictionary> {
        self.document.objects.get(&page_id)?.as_dict().ok()
    }

    /// The page's original content streams, in order: its /Contents stream, or the streams of
    /// its /Contents array. Anything else there (a dictionary, a missing object) is dropped, as
    /// readers ignore it.
    pub(super) fn content_streams(&self, page: &Dictionary) -> Vec<ObjectId> {
        let Ok(contents) = page.get(b"Contents") else { return Vec::new() };
        let stream = |value: &Object| match self.resolve(value) {
            Some((Some(id), Object::Stream(_))) => Some(id),
            _ => None,
        };
        match self.resolve(contents) {
            Some((_, Object::Array(items))) => items.iter().filter_map(stream).collect(),
            Some((Some(id), Object::Stream(_))) => vec![id],
            _ => Vec::new(),
        }
    }

    /// The page's annotations as its /Annots array lists them; none when it is not an array.
    fn annotations(&self, page: &Dictionary) -> Vec<Object> {
        match page.get(b"Annots").ok().and_then(|annots| self.resolve(annots)) {
            Some((_, Object::Array(items))) => items.clone(),
            _ => Vec::new(),
        }
    }

    /// Moves the page's content into forms and gives it the footer, in its content and as its
    /// last annotation.
    fn stamp_page(
        &mut self,
        page_id: ObjectId,
        text: &StampText,
        font: ObjectId,
        shared: &mut Shared,
    ) -> Result<(), StampError> {
        let Some(page) = self.page(page_id) else { return Ok(()) };
        let geometry = PageGeometry::of(self.document, page);
        let streams = self.content_streams(page);
        let mut annotations = self.annotations(page);
        let pieces: Vec<Vec<ObjectId>> = if streams.len() > 1
            && (self.forms.joined.contains_key(&streams) || self.forms.made.contains_key(&streams))
        {
            vec![streams]
        } else {
            streams.into_iter().map(|id| vec![id]).collect()
        };
        let nesting = pieces.iter().fold(Nesting::default(), |nesting, piece| {
            nesting.then(self.forms.nestings.get(piece).copied().unwrap_or_default())
        });
        // Marked content in a tagged PDF's page is found through the page's /StructParents; in
        // a form, through the form's.
        let struct_parents = page
            .get(b"StructParents")
            .ok()
            .and_then(|value| self.resolve(value))
            .and_then(|(_, value)| value.as_i64().ok());
        let resources = self.original_resources(page_id)?;

        let mut forms = Dictionary::new();
        for (index, piece) in pieces.iter().enumerate() {
            let form = self.form(piece, geometry.media, resources, struct_parents)?;
            forms.set(form_name(index), Object::Reference(form));
            if pieces.len() == 1 {
                self.forms.of_page.insert(page_id, form);
            }
        }
        let footer = footer(&geometry, text);
        let content = page_content(pieces.len(), nesting.guards(), &footer.content);
        let contents = match shared.contents.get(&content) {
            Some(&id) => id,
            None => {
                let mut stream = Stream::new(Dictionary::new(), content.clone());
                if content.len() > 4096 {
                    // Left uncompressed when compressing fails.
                    let _ = stream.compress();
                }
                let id = self.add(stream)?;
                shared.contents.insert(content, id);
                id
            }
        };
        let font_resources = || Dictionary::from_iter([(FONT_NAME, Object::Reference(font))]);
        let appearance = match shared.appearances.get(&footer.content) {
            Some(&id) => id,
            None => {
                let dictionary = Dictionary::from_iter([
                    ("Type", Object::from("XObject")),
                    ("Subtype", Object::from("Form")),
                    ("BBox", rectangle_object(footer.band)),
                    ("Resources", Dictionary::from_iter([("Font", Object::from(font_resources()))]).into()),
                ]);
                let id = self.add(Stream::new(dictionary, footer.content.clone()))?;
                shared.appearances.insert(footer.content, id);
                id
            }
        };
        let description = match shared.description {
            Some(id) => id,
            None => *shared.description.insert(self.add(lopdf::text_string(&text.line))?),
        };
        let annotation = self.add(Dictionary::from_iter([
            ("Type", Object::from("Annot")),
            ("Subtype", Object::from("Stamp")),
            ("Rect", rectangle_object(footer.band)),
            ("F", Object::Integer(ANNOTATION_FLAGS)),
            ("P", Object::Reference(page_id)),
            ("NM", Object::string_literal("trustpress-share-stamp")),
            ("Contents", Object::Reference(description)),
            ("AP", Dictionary::from_iter([("N", Object::Reference(appearance))]).into()),
        ]))?;
        if let Some(resources) = resources {
            self.lend_resources(&annotations, resources);
        }
        annotations.push(Object::Reference(annotation));

        let mut own_resources = Dictionary::new();
        if !forms.is_empty() {
            own_resources.set("XObject", forms);
        }
        own_resources.set("Font", font_resources());
        if let Some(Object::Dictionary(page)) = self.document.objects.get_mut(&page_id) {
            page.set("Contents", Object::Reference(contents));
            page.set("Resources", own_resources);
            page.set("Annots", annotations);
        }
        Ok(())
    }

    /// The resources the page's content is drawn with, as an object: the page's /Resources or the
    /// nearest ancestor's, a direct dictionary made an object of its own (once per page-tree
    /// node). `None` when there are none that are a dictionary.
    fn original_resources(&mut self, page_id: ObjectId) -> Result<Option<ObjectId>, StampError> {
        let mut node_id = page_id;
        for _ in 0..CHAIN_LIMIT {
            let Some(node) = self.page(node_id) else { return Ok(None) };
            match node.get(b"Resources") {
                Ok(Object::Dictionary(resources)) => {
                    if let Some(&id) = self.inherited_resources.get(&node_id) {
                        return Ok(Some(id));
                    }
                    let resources = resources.clone();
                    let id = self.add(resources)?;
                    if node_id != page_id {
                        self.inherited_resources.insert(node_id, id);
                    }
                    return Ok(Some(id));
                }
                Ok(value) => return Ok(self.indirect_dictionary(value)),
                Err(_) => {}
            }
            let parent = node.get(b"Parent").ok().and_then(|parent| self.resolve(parent));
            node_id = match parent {
                Some((Some(id), Object::Dictionary(_))) => id,
                _ => return Ok(None),
            };
        }
        Ok(None)
    }

    /// Gives each appearance stream of `annotations` that has no /Resources the page's original
    /// `resources`, which readers let it use and which the page no longer has.
    fn lend_resources(&mut self, annotations: &[Object], resources: ObjectId) {
        let mut streams = Vec::new();
        for annotation in annotations {
            let Some((_, Object::Dictionary(annotation))) = self.resolve(annotation) else { continue };
            let Some((_, Object::Dictionary(appearances))) =
                annotation.get(b"AP").ok().and_then(|appearances| self.resolve(appearances))
            else {
                continue;
            };
            for (_, appearance) in appearances.iter() {
                match self.resolve(appearance) {
                    Some((Some(id), Object::Stream(_))) => streams.push(id),
                    Some((_, Object::Dictionary(states))) => {
                        for (_, state) in states.iter() {
                            if let Some((Some(id), Object::Stream(_))) = self.resolve(state) {
                                streams.push(id);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        for id in streams {
            if let Some(Object::Stream(stream)) = self.document.objects.get_mut(&id) {
                if !stream.dict.has(b"Resources") {
                    stream.dict.set("Resources", Object::Reference(resources));
                }
            }
        }
    }

    /// Records the share id and the recipient in the document's /Info dictionary, created when
    /// there is none; returns its id.
    fn info(&mut self, text: &StampText) -> Result<ObjectId, StampError> {
        let existing =
            self.document.trailer.get(b"Info").ok().and_then(|value| self.indirect_dictionary(value));
        let id = match existing {
            Some(id) => id,
            None => {
                // A direct dictionary (which the trailer should not hold) becomes an object.
                let info = match self.document.trailer.get(b"Info") {
                    Ok(Object::Dictionary(info)) => info.clone(),
                    _ => Dictionary::new(),
                };
                self.add(info)?
            }
        };
        if let Some(Object::Dictionary(info)) = self.document.objects.get_mut(&id) {
            info.set("TrustpressShareId", lopdf::text_string(&text.share_id));
            info.set("TrustpressRecipient", lopdf::text_string(&text.recipient));
        }
        Ok(id)
    }
}
