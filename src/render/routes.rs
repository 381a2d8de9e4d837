//! Where every page and file of a site lives. Site paths have no leading slash; folder
//! pages end with `/` and are written as `…/index.html`.

use crate::markdown::slug;

pub const OVERVIEW: &str = "";
pub const POLICIES: &str = "policies/";
pub const SOA: &str = "soa/";
pub const CERTIFICATIONS: &str = "certifications/";
pub const DOCUMENTS: &str = "documents/";
pub const SUBPROCESSORS: &str = "subprocessors/";
pub const FAQ: &str = "faq/";
pub const UPDATES: &str = "updates/";
pub const UPDATES_FEED: &str = "updates/feed.xml";
pub const RISKS: &str = "risks/";
pub const AUDITS: &str = "audits/";
pub const REVIEWS: &str = "reviews/";
pub const NOT_FOUND: &str = "404.html";
pub const SITEMAP: &str = "sitemap.xml";
pub const ROBOTS: &str = "robots.txt";
pub const TRUST_JSON: &str = "trust.json";
pub const SECURITY_TXT: &str = ".well-known/security.txt";
pub const STYLESHEET: &str = "assets/style.css";
pub const SYNTAX_STYLESHEET: &str = "assets/syntax.css";

pub fn policy(id: &str) -> String {
    format!("{POLICIES}{}/", slug(id))
}

pub fn control(id: &str) -> String {
    format!("{SOA}{}/", slug(id))
}

pub const FRAMEWORKS: &str = "frameworks/";
pub const SEARCH: &str = "search/";
pub const HEALTH: &str = "health/";
pub const SUBPROCESSORS_FEED: &str = "subprocessors/feed.xml";
pub const ANSWERS_CSV: &str = "faq/answers.csv";
pub const ANSWERS_XLSX: &str = "faq/answers.xlsx";

/// A certification's badge, at a stable address other sites can embed.
pub fn badge(certification_id: &str) -> String {
    format!("badges/{}.svg", slug(certification_id))
}

pub fn framework(catalog_id: &str) -> String {
    format!("{FRAMEWORKS}{}/", slug(catalog_id))
}

/// A criterion of a mapped framework: an anchor on the framework's page.
pub fn framework_item(catalog_id: &str, id: &str) -> String {
    format!("{}#{}", framework(catalog_id), slug(id))
}

pub fn update(id: &str) -> String {
    format!("{UPDATES}{}/", slug(id))
}

pub fn audit(id: &str) -> String {
    format!("{AUDITS}{}/", slug(id))
}

pub fn review(id: &str) -> String {
    format!("{REVIEWS}{}/", slug(id))
}

pub fn document_file(file_name: &str) -> String {
    format!("{DOCUMENTS}{file_name}")
}

pub fn certification_file(certification_id: &str, file_name: &str) -> String {
    format!("{CERTIFICATIONS}{}/{file_name}", slug(certification_id))
}

/// The file a site path is written to: folders get `index.html`.
pub fn output_file(site_path: &str) -> String {
    if site_path.is_empty() || site_path.ends_with('/') {
        format!("{site_path}index.html")
    } else {
        site_path.to_string()
    }
}
