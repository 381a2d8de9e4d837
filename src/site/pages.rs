//! The one table of the site's fixed pages and files: the list pages, the feeds and machine
//! files content may link to. The pages a build renders, the navigation and the link
//! targets are all read from it. Pages with one per item (a policy, a control, an update,
//! an audit, a review, a framework) are added by their kind, in `render` and `targets`.

use crate::audience::Audience;
use crate::site::routes;
use crate::site::RenderTarget;

/// One fixed page or file of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SitePage {
    /// Its site path (see `routes`).
    pub route: &'static str,
    /// How it is made: a template, or a file written by its own code.
    pub made_by: MadeBy,
    /// The locale key of the page's title (`page.title` in its template).
    pub title: &'static str,
    /// The locale key of its label in the site navigation, in table order; `None`: not in
    /// the navigation.
    pub nav: Option<&'static str>,
    /// The lowest audience whose build has it.
    pub audience: Audience,
    /// Content may link to it (`[feed](updates/feed.xml)`).
    pub link_target: bool,
    /// Built only for this target; `None`: for both.
    pub only: Option<RenderTarget>,
}

/// How a fixed page or file is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MadeBy {
    /// Rendered from this theme template.
    Template(&'static str),
    /// Written by its own code (a feed, trust.json, the answer exports).
    File,
}

const fn page(
    route: &'static str,
    template: &'static str,
    title: &'static str,
    nav: Option<&'static str>,
    audience: Audience,
) -> SitePage {
    SitePage {
        route,
        made_by: MadeBy::Template(template),
        title,
        nav,
        audience,
        link_target: true,
        only: None,
    }
}

const fn file(route: &'static str) -> SitePage {
    SitePage {
        route,
        made_by: MadeBy::File,
        title: "",
        nav: None,
        audience: Audience::Public,
        link_target: true,
        only: None,
    }
}

use Audience::{Auditor, Internal, Public};

/// Every fixed page and file, navigation entries in navigation order.
pub const PAGES: &[SitePage] = &[
    page(routes::OVERVIEW, "overview.html", "title.overview", Some("nav.overview"), Public),
    page(routes::POLICIES, "policies.html", "title.policies", Some("nav.policies"), Public),
    page(routes::SOA, "soa.html", "title.soa", Some("nav.controls"), Public),
    page(
        routes::CERTIFICATIONS,
        "certifications.html",
        "title.certifications",
        Some("nav.certifications"),
        Public,
    ),
    page(routes::DOCUMENTS, "documents.html", "title.documents", Some("nav.documents"), Public),
    page(
        routes::SUBPROCESSORS,
        "subprocessors.html",
        "title.subprocessors",
        Some("nav.subprocessors"),
        Public,
    ),
    page(routes::SEARCH, "search.html", "title.search", Some("nav.questionnaire"), Public),
    page(routes::UPDATES, "updates.html", "title.updates", Some("nav.updates"), Public),
    SitePage {
        only: Some(RenderTarget::AuditorBundle),
        ..page(routes::EVIDENCE, "evidence.html", "title.evidence", Some("nav.evidence"), Auditor)
    },
    page(routes::HEALTH, "health.html", "title.health", Some("nav.health"), Internal),
    page(routes::RISKS, "risks.html", "title.risks", Some("nav.risks"), Internal),
    page(routes::AUDITS, "audits.html", "title.audits", Some("nav.audits"), Internal),
    page(routes::REVIEWS, "reviews.html", "title.reviews", Some("nav.reviews"), Internal),
    page(routes::ACCESS, "access.html", "title.access", Some("nav.access"), Internal),
    page(routes::FAQ, "faq.html", "title.faq", None, Public),
    // Every audience sees as much of the scope as it may (often the statement alone); linked
    // from the overview and the health page, not the navigation.
    page(routes::SCOPE, "scope.html", "title.scope", None, Public),
    page(routes::FRAMEWORKS, "frameworks.html", "title.frameworks", None, Public),
    // The 404 page is for a web server; its links are absolute, which a bundle opened from
    // disk cannot follow. It is served for missing paths, never linked.
    SitePage {
        only: Some(RenderTarget::Site),
        link_target: false,
        ..page(routes::NOT_FOUND, "404.html", "title.not_found", None, Public)
    },
    file(routes::UPDATES_FEED),
    file(routes::SUBPROCESSORS_FEED),
    file(routes::TRUST_JSON),
    file(routes::SECURITY_TXT),
    file(routes::ANSWERS_CSV),
    file(routes::ANSWERS_XLSX),
    file(routes::ANSWER_LIBRARY),
    file(routes::ANSWER_RULES),
];

/// The fixed pages and files of a build of `audience` for `target`, in table order.
pub fn pages_of(audience: Audience, target: RenderTarget) -> impl Iterator<Item = &'static SitePage> {
    PAGES
        .iter()
        .filter(move |page| page.audience.visible_to(audience) && page.only.is_none_or(|only| only == target))
}

/// The navigation of a build: (route, label's locale key) in order.
pub fn nav_of(
    audience: Audience,
    target: RenderTarget,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    pages_of(audience, target).filter_map(|page| Some((page.route, page.nav?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_listed_once() {
        let mut routes: Vec<&str> = PAGES.iter().map(|page| page.route).collect();
        routes.sort_unstable();
        let before = routes.len();
        routes.dedup();
        assert_eq!(routes.len(), before, "a route is in the table twice");
    }

    #[test]
    fn the_public_build_has_no_internal_page() {
        for page in pages_of(Public, RenderTarget::Site) {
            assert_eq!(page.audience, Public, "{}", page.route);
        }
        let internal: Vec<&str> = pages_of(Internal, RenderTarget::Site).map(|p| p.route).collect();
        assert!(internal.contains(&routes::HEALTH) && !internal.contains(&routes::EVIDENCE));
        let bundle: Vec<&str> = pages_of(Auditor, RenderTarget::AuditorBundle).map(|p| p.route).collect();
        assert!(bundle.contains(&routes::EVIDENCE) && !bundle.contains(&routes::NOT_FOUND));
    }

    #[test]
    fn every_title_and_label_is_a_key_of_every_shipped_language() {
        for (language, _) in crate::locale::SHIPPED {
            let theme = crate::render::theme::Theme::default_theme();
            let locale = theme.locale(language).expect("a shipped locale resolves");
            for page in PAGES.iter().filter(|page| page.made_by != MadeBy::File) {
                for key in std::iter::once(page.title).chain(page.nav) {
                    assert!(locale.message(key).is_some(), "{language}: no `{key}` for {}", page.route);
                }
            }
        }
    }

    #[test]
    fn the_navigation_keeps_its_order() {
        let english = crate::locale::Locale::english();
        let labels: Vec<String> =
            nav_of(Internal, RenderTarget::Site).map(|(_, key)| english.text(key)).collect();
        assert_eq!(
            labels,
            [
                "Overview",
                "Policies",
                "Controls",
                "Certifications",
                "Documents",
                "Subprocessors",
                "Questionnaire",
                "Updates",
                "Health",
                "Risks",
                "Audits",
                "Reviews",
                "Access"
            ]
        );
    }
}
