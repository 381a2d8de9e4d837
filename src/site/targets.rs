//! The pages and files each audience's build has, and where each content source file is
//! shown: what a link in content may point to. Read by `render` (to write links) and by
//! `check` (to report links to pages a build does not have).

use std::collections::BTreeMap;

use crate::audience::Audience;
use crate::markdown::LinkTargets;
use crate::model::{Isms, MarkdownRecord, RecordVisitor};
use crate::site::pages::pages_of;
use crate::site::routes;
use crate::site::RenderTarget;

/// Every page and file of the build, and where each content source file is shown.
pub fn link_targets(isms: &Isms, target: RenderTarget) -> LinkTargets {
    link_targets_for(isms, isms.audience, target)
}

/// The link targets of `reader`'s build, from a model that may hold more than `reader` sees
/// (`check` uses this on the full model, instead of cutting it once per audience). On a cut
/// model it gives what `link_targets` does: the rules below are the cut's rules for what
/// has a page or a file.
pub fn link_targets_for(isms: &Isms, reader: Audience, target: RenderTarget) -> LinkTargets {
    let reader = reader.min(isms.audience);
    let visible = |audience: Audience| audience.visible_to(reader);
    let mut targets = LinkTargets::default();
    for page in pages_of(reader, target).filter(|page| page.link_target) {
        targets.pages.insert(page.route.to_string());
    }
    // The FAQ page's anchors: its answers' (a teaser's too: its question is shown), and the
    // page's own.
    let answers = isms.faq.values().filter(|answer| answer.shown_to(reader));
    targets.faq_anchors = answers.map(|answer| answer.id.to_lowercase()).collect();
    targets.faq_anchors.extend(["main", "faq-list"].map(String::from));
    isms.visit_records(&mut RecordPages { reader, targets: &mut targets });
    for catalog in isms.catalogs.soa_catalogs() {
        for control in &catalog.controls {
            targets.pages.insert(routes::control(&control.id));
        }
    }
    for catalog in isms.catalogs.mapped_catalogs() {
        targets.pages.insert(routes::framework(&catalog.id));
    }
    // A teaser document has no file for readers below it.
    for document in isms.documents.values().filter(|d| visible(d.audience) && !d.teaser_only) {
        let site_path = routes::document_file(&routes::file_name(&document.path));
        targets.pages.insert(site_path.clone());
        targets.sources.insert(document.path.clone(), site_path);
    }
    for certification in isms.certifications.values().filter(|c| visible(c.audience)) {
        for document in certification.documents.iter().filter(|d| visible(d.audience)) {
            let site_path = routes::certification_file(&certification.id, &routes::file_name(&document.path));
            targets.pages.insert(site_path.clone());
            targets.sources.insert(document.path.clone(), site_path);
        }
    }
    targets
}

/// The pages of the markdown records `reader` sees: an item's own, and a teaser's (its title
/// and summary) for readers below it. Each record's source file links to its page.
struct RecordPages<'a> {
    reader: Audience,
    targets: &'a mut LinkTargets,
}

impl RecordVisitor<'_> for RecordPages<'_> {
    fn visit<K: MarkdownRecord>(&mut self, records: &BTreeMap<String, K>) {
        if !K::PAGES_FROM.visible_to(self.reader) {
            return;
        }
        let teasers = crate::cut::teaser_ids_of(records, self.reader);
        for record in records.values() {
            let visible = record.audience().visible_to(self.reader);
            let id = match (visible, record.teaser(), K::ID_FROM_FILE_NAME) {
                (true, _, _) | (false, true, false) => record.id(),
                // The cut withholds a teaser it has no id for; so do its targets.
                (false, true, true) => match teasers.get(record.id()) {
                    Some(id) => id.as_str(),
                    None => continue,
                },
                (false, false, _) => continue,
            };
            self.targets.pages.insert(K::route(id));
            self.targets.sources.insert(record.source().file.clone(), K::route(id));
        }
    }
}

/// Where a reference to a record leads: an overview card's `link`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// This site path (with a `#fragment` for an answer, a certification or a criterion).
    Page(String),
    /// A record that exists, but whose page this build's readers do not have.
    Withheld(Audience),
    /// No policy, control, answer or certification has this id, and no page this path.
    Unknown,
}

/// Where `reference` leads in `reader`'s build of `isms` (the full model in `check`, the cut
/// one in `render`), whose pages are `targets`. A reference is an id (policy, control or
/// criterion, FAQ answer, certification) or a site path (`subprocessors/`).
pub fn destination(isms: &Isms, targets: &LinkTargets, reader: Audience, reference: &str) -> Destination {
    let reference = reference.trim();
    let page_or_withheld = |path: String, audience: Audience| {
        let page = path.split('#').next().unwrap_or_default();
        if !audience.visible_to(reader) {
            Destination::Withheld(audience)
        } else if targets.pages.contains(page) {
            Destination::Page(path)
        } else {
            Destination::Unknown
        }
    };
    if let Some(policy) = isms.policies.get(reference) {
        // A teaser page counts: its readers can open it and ask for the rest.
        let path = routes::policy(&policy.id);
        return if targets.pages.contains(&path) {
            Destination::Page(path)
        } else {
            Destination::Withheld(policy.audience)
        };
    }
    if let Some(answer) = isms.faq.get(reference) {
        return page_or_withheld(format!("{}#{}", routes::FAQ, answer.id.to_lowercase()), answer.audience);
    }
    if let Some(certification) = isms.certifications.get(reference) {
        return page_or_withheld(
            format!("{}#{}", routes::CERTIFICATIONS, certification.id),
            certification.audience,
        );
    }
    if let Some((catalog, _)) = isms.catalogs.find_control(reference) {
        let path = match catalog.coverage {
            crate::catalog::Coverage::Soa => routes::control(reference),
            crate::catalog::Coverage::Mapping => routes::framework_item(&catalog.id, reference),
        };
        return page_or_withheld(path, Audience::Public);
    }
    // A site path names a page, whole: a `#fragment` could name anything on it (a withheld
    // answer's id among them), so an answer or a criterion is linked by its id instead.
    let path = reference.trim_start_matches('/');
    if !path.contains(['#', '?']) && is_page(path) && targets.pages.contains(path) {
        Destination::Page(path.to_string())
    } else {
        Destination::Unknown
    }
}

/// A site path a reader opens as a page (`faq/`, `index.html`), not a file for machines.
fn is_page(path: &str) -> bool {
    path.is_empty() || path.ends_with('/') || path.ends_with(".html")
}
