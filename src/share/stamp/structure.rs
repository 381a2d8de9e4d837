//! A tagged PDF's structure tree pointed at the forms that now hold the pages' content.

use std::collections::{HashMap, HashSet};

use lopdf::{Dictionary, Object, ObjectId};

use super::stamper::Stamper;

impl Stamper<'_> {
    /// Points the marked-content references of a tagged PDF's structure tree at the forms that
    /// now hold the pages' content (a reference to content in a form names the form, /Stm), so
    /// screen readers still find each element's content. Pages whose content became several
    /// forms are left as they are.
    pub(super) fn point_structure_at_forms(&mut self) {
        if self.forms.of_page.is_empty() {
            return;
        }
        let root = self
            .document
            .trailer
            .get(b"Root")
            .ok()
            .and_then(|root| self.indirect_dictionary(root))
            .and_then(|catalog| self.page(catalog))
            .and_then(|catalog| catalog.get(b"StructTreeRoot").ok())
            .and_then(|root| self.indirect_dictionary(root));
        let Some(root) = root else { return };
        let mut pending = vec![(root, None)];
        let mut seen = HashSet::new();
        while let Some((id, inherited_page)) = pending.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Some(element) = self.page(id) else { continue };
            if element.has_type(b"OBJR") {
                continue;
            }
            let page = element
                .get(b"Pg")
                .ok()
                .and_then(|page| self.resolve(page))
                .and_then(|(page, _)| page)
                .or(inherited_page);
            let forms = &self.forms.of_page;
            let Some(Object::Dictionary(element)) = self.document.objects.get_mut(&id) else { continue };
            if is_content_reference(element) {
                point_at_form(element, page, forms);
                continue;
            }
            let Ok(kids) = element.get_mut(b"K") else { continue };
            let mut children = Vec::new();
            match kids {
                Object::Array(items) => {
                    for item in items {
                        point_kid_at_form(item, page, forms, &mut children);
                    }
                }
                kid => point_kid_at_form(kid, page, forms, &mut children),
            }
            pending.extend(children.into_iter().map(|child| (child, page)));
        }
    }
}

/// Whether a dictionary in a structure element's /K is a marked-content reference.
fn is_content_reference(dictionary: &Dictionary) -> bool {
    dictionary.has_type(b"MCR") || (dictionary.has(b"MCID") && !dictionary.has(b"S"))
}

/// A marked-content reference to content of `page` (its own /Pg, else the element's) made to
/// name the form that now holds that content.
fn point_at_form(reference: &mut Dictionary, page: Option<ObjectId>, forms: &HashMap<ObjectId, ObjectId>) {
    if reference.has(b"Stm") {
        return;
    }
    let page = reference.get(b"Pg").and_then(Object::as_reference).ok().or(page);
    if let Some(&form) = page.and_then(|page| forms.get(&page)) {
        reference.set("Stm", Object::Reference(form));
    }
}

/// One kid of a structure element: a marked-content id becomes a reference naming the page and
/// its form; a reference is noted in `children` to be visited.
fn point_kid_at_form(
    kid: &mut Object,
    page: Option<ObjectId>,
    forms: &HashMap<ObjectId, ObjectId>,
    children: &mut Vec<ObjectId>,
) {
    match kid {
        Object::Integer(mcid) => {
            if let Some((page, &form)) = page.and_then(|page| Some((page, forms.get(&page)?))) {
                *kid = Object::Dictionary(Dictionary::from_iter([
                    ("Type", Object::from("MCR")),
                    ("Pg", Object::Reference(page)),
                    ("MCID", Object::Integer(*mcid)),
                    ("Stm", Object::Reference(form)),
                ]));
            }
        }
        Object::Dictionary(dictionary) if is_content_reference(dictionary) => {
            point_at_form(dictionary, page, forms)
        }
        Object::Reference(id) => children.push(*id),
        _ => {}
    }
}
