//! Links in markdown bodies: where a link points (a content file, a site path, the web),
//! whether this build has its target, and how it is written from the page it is on.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, LinkType, Parser, Tag};

use super::OPTIONS;

/// How links in a body are written: relative to the page showing it (site and bundle), or
/// absolute under the base URL (feeds, which are read elsewhere).
#[derive(Debug, Clone)]
pub enum LinkBase {
    /// The site path of the page (`policies/pol-ac/`), and whether folder links end with
    /// `index.html` (for browsing from disk).
    Page {
        path: String,
        explicit_index: bool,
    },
    Absolute {
        base_url: String,
    },
}

impl LinkBase {
    /// `target` (a site path, no leading slash) as seen from this base.
    pub fn link_to(&self, target: &str) -> String {
        match self {
            LinkBase::Page { path, explicit_index } => {
                let mut link = relative_prefix(path);
                link.push_str(target);
                if *explicit_index && (link.is_empty() || link.ends_with('/')) {
                    link.push_str("index.html");
                }
                if link.is_empty() {
                    "./".to_string()
                } else {
                    link
                }
            }
            LinkBase::Absolute { base_url } => {
                format!("{}/{}", base_url.trim_end_matches('/'), target)
            }
        }
    }
}

/// `../` once per folder of a site path (`policies/pol-ac/` → `../../`).
pub fn relative_prefix(page_path: &str) -> String {
    let depth = page_path.matches('/').count();
    "../".repeat(depth)
}

/// The content folder of the FAQ's answers: a link in an answer's text is on the FAQ page.
pub const FAQ_FOLDER: &str = "faq";

/// What a body may link to: the pages and files of this audience's build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkTargets {
    /// Content source file (`policies/access-control.md`) → site path.
    pub sources: HashMap<PathBuf, String>,
    /// Every site path this build writes (`policies/pol-ac/`, `documents/x.pdf`).
    pub pages: std::collections::HashSet<String>,
    /// The anchors of this build's FAQ page (`faq-001`: each answer's id in lower case). A
    /// link to the FAQ page keeps its fragment only when it names one of them: it could
    /// otherwise name an answer this build withholds.
    pub faq_anchors: std::collections::HashSet<String>,
}

impl LinkTargets {
    /// The site path a link resolves to, or `None` when it names something this build does
    /// not have. `source_file` is the content-relative file holding the link.
    pub(super) fn resolve(&self, destination: &str, source_file: &Path) -> Resolved {
        if destination.starts_with('#') || destination.is_empty() {
            // An FAQ answer is shown on the FAQ page: its link to a place on the same page
            // names an anchor of that page, and is kept only when the page has it.
            let faq = crate::site::routes::FAQ;
            if source_file.starts_with(FAQ_FOLDER) && self.fragment_of(faq, destination) != destination {
                return Resolved::Withheld;
            }
            return Resolved::Keep;
        }
        if destination.starts_with("//") {
            return Resolved::Keep;
        }
        if has_scheme(destination) {
            // Only schemes that open a page, a mail or a call: `javascript:`, `data:` and
            // the like run or embed something, so their link is shown as text.
            let scheme = destination[..destination.find(':').unwrap_or(0)].to_ascii_lowercase();
            return if SAFE_SCHEMES.contains(&scheme.as_str()) { Resolved::Keep } else { Resolved::Withheld };
        }
        let (path_part, fragment) = match destination.find(['#', '?']) {
            Some(index) => destination.split_at(index),
            None => (destination, ""),
        };
        if let Some(site_path) = path_part.strip_prefix('/') {
            let site_path = site_path.to_string();
            let with_slash = if site_path.is_empty() || site_path.ends_with('/') || site_path.contains('.') {
                site_path.clone()
            } else {
                format!("{site_path}/")
            };
            if with_slash.is_empty() || self.pages.contains(&with_slash) {
                let fragment = self.fragment_of(&with_slash, fragment);
                return Resolved::Site(with_slash, fragment);
            }
            return Resolved::Withheld;
        }
        let base = source_file.parent().unwrap_or(Path::new(""));
        let Some(content_path) = normalize(&base.join(percent_decode(path_part))) else {
            return Resolved::Withheld;
        };
        if let Some(site_path) = self.sources.get(&content_path) {
            return Resolved::Site(site_path.clone(), self.fragment_of(site_path, fragment));
        }
        Resolved::Withheld
    }

    /// The query and fragment (`?…#…`, `#…`, or empty) a link to `site_path` keeps: on the
    /// FAQ page, its fragment only when that is an anchor the page has (else the link opens
    /// the page at its top).
    fn fragment_of(&self, site_path: &str, rest: &str) -> String {
        if site_path != crate::site::routes::FAQ {
            return rest.to_string();
        }
        let (query, anchor) = rest.split_once('#').unwrap_or((rest, ""));
        if anchor.is_empty() || self.faq_anchors.contains(&percent_decode(anchor).to_lowercase()) {
            rest.to_string()
        } else {
            query.to_string()
        }
    }
}

impl LinkTargets {
    /// The site path and fragment (`#…`, or empty) a link written in `source_file` reaches
    /// in this build, if it reaches one.
    pub fn site_target(&self, destination: &str, source_file: &Path) -> Option<(String, String)> {
        match self.resolve(destination, source_file) {
            Resolved::Site(path, fragment) => Some((path, fragment)),
            Resolved::Keep | Resolved::Withheld => None,
        }
    }

    /// Whether a link written in `source_file` reaches a page or file of this build:
    /// `None` for links that leave the site (other sites, mail) or stay on the page.
    pub fn reaches(&self, destination: &str, source_file: &Path) -> Option<bool> {
        match self.resolve(destination, source_file) {
            Resolved::Keep => None,
            Resolved::Site(..) => Some(true),
            Resolved::Withheld => Some(false),
        }
    }
}

/// The content-relative path a relative link names (without fragment or query), if it is
/// one: `None` for site paths (`/faq/`), other sites and fragments.
pub fn content_path(destination: &str, source_file: &Path) -> Option<PathBuf> {
    if destination.starts_with(['#', '/']) || has_scheme(destination) || destination.is_empty() {
        return None;
    }
    let path_part = destination.split(['#', '?']).next().unwrap_or("");
    normalize(&source_file.parent().unwrap_or(Path::new("")).join(percent_decode(path_part)))
}

/// Every link and image destination in a markdown text, with the 0-based line it is on.
pub fn link_destinations(text: &str) -> Vec<(String, usize)> {
    let mut links = Vec::new();
    // Every link and image of CommonMark has a `[`; an autolink (`<https://…>`) has a
    // scheme, which no check looks at.
    if !text.contains('[') {
        return links;
    }
    let parser = Parser::new_ext(text, OPTIONS);
    // Lines are counted on from the previous link, not from the start each time.
    let (mut counted_to, mut line) = (0, 0);
    for (event, range) in parser.into_offset_iter() {
        if let Event::Start(Tag::Link { dest_url, link_type, .. } | Tag::Image { dest_url, link_type, .. }) =
            event
        {
            if range.start >= counted_to {
                line += text[counted_to..range.start].matches('\n').count();
            } else {
                line = text[..range.start].matches('\n').count();
            }
            counted_to = range.start;
            // An email autolink (`<security@example.com>`) is a mail address, not a path.
            let destination = match link_type {
                LinkType::Email => format!("mailto:{dest_url}"),
                _ => dest_url.to_string(),
            };
            links.push((destination, line));
        }
    }
    links
}

pub(super) enum Resolved {
    Keep,
    Site(String, String),
    Withheld,
}

/// The URL schemes a link or image in content may use.
const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

fn has_scheme(destination: &str) -> bool {
    match destination.find(':') {
        Some(index) => {
            let scheme = &destination[..index];
            !scheme.is_empty()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !destination[..index].contains('/')
        }
        None => false,
    }
}

pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Bytes, not a `&str` slice: the two after `%` may cut through a multi-byte character.
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
            if let Some(value) = hex.and_then(|hex| u8::from_str_radix(hex, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lexically normalises a content-relative path; `None` when it climbs out.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::Normal(part) => normal.push(part),
            Component::CurDir => {}
            Component::ParentDir => {
                if !normal.pop() {
                    return None;
                }
            }
            _ => return None,
        }
    }
    Some(normal)
}
