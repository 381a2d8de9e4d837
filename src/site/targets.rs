//! The pages and files each audience's build has, and where each content source file is
//! shown: what a link in content may point to. Read by `render` (to write links) and by
//! `check` (to report links to pages a build does not have).

use crate::audience::Audience;
use crate::markdown::LinkTargets;
use crate::model::Isms;
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
    if reader >= Audience::Internal {
        for audit in isms.audits.values().filter(|a| visible(a.audience)) {
            targets.pages.insert(routes::audit(&audit.id));
            targets.sources.insert(audit.source.file.clone(), routes::audit(&audit.id));
        }
        for review in isms.reviews.values().filter(|r| visible(r.audience)) {
            targets.pages.insert(routes::review(&review.id));
            targets.sources.insert(review.source.file.clone(), routes::review(&review.id));
        }
    }
    // Teasers have a page (title and summary) for readers below them.
    for policy in isms.policies.values().filter(|p| visible(p.audience) || p.teaser) {
        targets.pages.insert(routes::policy(&policy.id));
        targets.sources.insert(policy.source.file.clone(), routes::policy(&policy.id));
    }
    let teasers =
        crate::cut::teaser_ids(isms.updates.values().map(|u| (&u.id, u.audience, u.teaser)), reader);
    for update in isms.updates.values().filter(|u| visible(u.audience) || u.teaser) {
        let id = teasers.get(update.id.as_str()).unwrap_or(&update.id);
        targets.pages.insert(routes::update(id));
        targets.sources.insert(update.source.file.clone(), routes::update(id));
    }
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
