//! Where a page is: its boxes and rotation, looked up through the page tree, and the pages in
//! the order a reader shows them.

use std::collections::HashSet;

use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{CHAIN_LIMIT, COORDINATE_LIMIT, DEFAULT_MEDIA_BOX};

/// A page's box as the viewer sees it: the effective CropBox in default user space, and how
/// far the page is turned clockwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct PageGeometry {
    /// The effective CropBox: lower-left x, lower-left y, upper-right x, upper-right y.
    bounds: [f64; 4],
    /// The effective MediaBox, the same way.
    pub(super) media: [f64; 4],
    /// 0, 90, 180 or 270.
    rotate: u16,
}

impl PageGeometry {
    pub(super) fn of(document: &Document, page: &Dictionary) -> Self {
        let media = inherited(document, page, b"MediaBox")
            .and_then(|value| rectangle(document, value))
            .unwrap_or(DEFAULT_MEDIA_BOX);
        let crop = inherited(document, page, b"CropBox")
            .and_then(|value| rectangle(document, value))
            .and_then(|crop| {
                let bounds = [
                    crop[0].max(media[0]),
                    crop[1].max(media[1]),
                    crop[2].min(media[2]),
                    crop[3].min(media[3]),
                ];
                has_area(&bounds).then_some(bounds)
            });
        let rotate = inherited(document, page, b"Rotate")
            .and_then(|value| document.dereference(value).ok())
            .and_then(|(_, value)| match *value {
                Object::Integer(degrees) => Some(degrees),
                Object::Real(degrees) if degrees.fract() == 0.0 && degrees.abs() < 1.0e9 => {
                    Some(degrees as i64)
                }
                _ => None,
            })
            .map(|degrees| degrees.rem_euclid(360))
            .and_then(|degrees| u16::try_from(degrees).ok())
            .filter(|degrees| degrees % 90 == 0)
            .unwrap_or(0);
        Self { bounds: crop.unwrap_or(media), media, rotate }
    }

    /// The width and height of the page as displayed.
    pub(super) fn displayed_size(&self) -> (f64, f64) {
        let [x0, y0, x1, y1] = self.bounds;
        match self.rotate {
            90 | 270 => (y1 - y0, x1 - x0),
            _ => (x1 - x0, y1 - y0),
        }
    }

    /// The matrix from displayed-page coordinates (origin at the bottom-left corner of the page
    /// as the viewer sees it, y up) to default user space.
    pub(super) fn displayed_to_user(&self) -> [f64; 6] {
        let [x0, y0, x1, y1] = self.bounds;
        match self.rotate {
            90 => [0.0, 1.0, -1.0, 0.0, x1, y0],
            180 => [-1.0, 0.0, 0.0, -1.0, x1, y1],
            270 => [0.0, -1.0, 1.0, 0.0, x0, y1],
            _ => [1.0, 0.0, 0.0, 1.0, x0, y0],
        }
    }
}

fn has_area(bounds: &[f64; 4]) -> bool {
    bounds[2] - bounds[0] >= 1.0 && bounds[3] - bounds[1] >= 1.0
}

/// `key` of the page or of the nearest ancestor in the page tree that has it (MediaBox,
/// CropBox, Rotate and Resources are inherited). A /Parent cycle ends the search.
fn inherited<'a>(document: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    for _ in 0..CHAIN_LIMIT {
        if let Ok(value) = node.get(key) {
            return Some(value);
        }
        let parent = node.get(b"Parent").and_then(Object::as_reference).ok()?;
        node = document.get_dictionary(parent).ok()?;
    }
    None
}

/// A rectangle `[llx lly urx ury]` in any corner order, or `None` when it is not four finite
/// numbers or has no area.
fn rectangle(document: &Document, value: &Object) -> Option<[f64; 4]> {
    let (_, value) = document.dereference(value).ok()?;
    let items = value.as_array().ok()?;
    if items.len() != 4 {
        return None;
    }
    let mut numbers = [0.0; 4];
    for (number, item) in numbers.iter_mut().zip(items) {
        *number = match document.dereference(item).ok()?.1 {
            Object::Integer(value) => *value as f64,
            Object::Real(value) => f64::from(*value),
            _ => return None,
        };
        if !number.is_finite() {
            return None;
        }
        *number = number.clamp(-COORDINATE_LIMIT, COORDINATE_LIMIT);
    }
    let [a, b, c, d] = numbers;
    let bounds = [a.min(c), b.min(d), a.max(c), b.max(d)];
    has_area(&bounds).then_some(bounds)
}

/// The pages in the order a reader shows them: the page tree walked depth first from the
/// catalog's /Pages, a node met a second time (a cycle, a page listed twice) skipped, as readers
/// do. A kid that is neither a /Page nor a node with /Kids is a page too, as poppler takes it.
pub(super) fn pages(document: &Document) -> Vec<ObjectId> {
    let Ok(root) = document.catalog().and_then(|catalog| catalog.get(b"Pages")) else { return Vec::new() };
    let mut pages = Vec::new();
    let mut seen = HashSet::new();
    let mut stack: Vec<&[Object]> = vec![std::slice::from_ref(root)];
    while let Some(kids) = stack.last_mut() {
        let Some((kid, rest)) = kids.split_first() else {
            stack.pop();
            continue;
        };
        *kids = rest;
        let Ok(id) = kid.as_reference() else { continue };
        if !seen.insert(id) {
            continue;
        }
        let Ok(node) = document.get_dictionary(id) else { continue };
        if node.has_type(b"Page") || !(node.has(b"Kids") || node.has_type(b"Pages")) {
            pages.push(id);
        } else if let Ok(kids) = node.get_deref(b"Kids", document).and_then(Object::as_array) {
            stack.push(kids);
        }
    }
    pages
}
