//! Markdown bodies into HTML: GFM tables, footnotes, strikethrough and task lists, heading
//! anchors, and code blocks highlighted by syntect (its syntaxes load only when a page has a
//! code block). Raw HTML in markdown is shown as text, never passed through: a trust page
//! carries no author script. Links to other content are resolved against the cut model; a
//! link to anything this audience may not see becomes plain text.

use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// The one set of parser options every reading of a body uses: rendering, links, plain text
/// and the audience blocks (`fenced`). Two option sets could read two structures.
pub const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

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

/// What a body may link to: the pages and files of this audience's build.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LinkTargets {
    /// Content source file (`policies/access-control.md`) → site path.
    pub sources: HashMap<PathBuf, String>,
    /// Every site path this build writes (`policies/pol-ac/`, `documents/x.pdf`).
    pub pages: std::collections::HashSet<String>,
}

impl LinkTargets {
    /// The site path a link resolves to, or `None` when it names something this build does
    /// not have. `source_file` is the content-relative file holding the link.
    fn resolve(&self, destination: &str, source_file: &Path) -> Resolved {
        if destination.starts_with('#') || destination.is_empty() {
            return Resolved::Keep;
        }
        if destination.starts_with("//") || has_scheme(destination) {
            return Resolved::Keep;
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
                return Resolved::Site(with_slash, fragment.to_string());
            }
            return Resolved::Withheld;
        }
        let base = source_file.parent().unwrap_or(Path::new(""));
        let Some(content_path) = normalize(&base.join(percent_decode(path_part))) else {
            return Resolved::Withheld;
        };
        if let Some(site_path) = self.sources.get(&content_path) {
            return Resolved::Site(site_path.clone(), fragment.to_string());
        }
        Resolved::Withheld
    }
}

impl LinkTargets {
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

enum Resolved {
    Keep,
    Site(String, String),
    Withheld,
}

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

fn percent_decode(text: &str) -> String {
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

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Rendered {
    pub html: String,
    pub has_code: bool,
    pub headings: Vec<Heading>,
}

/// Renders one markdown body. `source_file` is where the body was written (for links).
pub fn render(text: &str, source_file: &Path, targets: &LinkTargets, base: &LinkBase) -> Rendered {
    let mut events = Transform {
        parser: Parser::new_ext(text, OPTIONS),
        source_file,
        targets,
        base,
        ready: std::collections::VecDeque::new(),
        headings: Vec::new(),
        used_ids: BTreeMap::new(),
        has_code: false,
        link_stack: Vec::new(),
        heading: None,
        code: None,
    };
    let mut html = String::with_capacity(text.len() * 3 / 2);
    // Streamed: each event goes from the parser through the rewrite to the HTML writer,
    // never collected into a list for the whole body.
    pulldown_cmark::html::push_html(&mut html, &mut events);
    Rendered { html, has_code: events.has_code, headings: events.headings }
}

/// The parser's events as the site shows them: links resolved (or dropped, text kept),
/// headings given ids and anchors, code highlighted, tables wrapped, raw HTML as text.
struct Transform<'a, 'r> {
    parser: Parser<'a>,
    source_file: &'r Path,
    targets: &'r LinkTargets,
    base: &'r LinkBase,
    /// Events made and not yet handed on (a step can make several).
    ready: std::collections::VecDeque<Event<'a>>,
    headings: Vec<Heading>,
    used_ids: BTreeMap<String, usize>,
    has_code: bool,
    /// For each open link or image: whether its tags are kept (a withheld one keeps only
    /// its text).
    link_stack: Vec<bool>,
    /// A heading being read: its events are held until its end gives its text and id.
    heading: Option<Vec<Event<'a>>>,
    /// A code block being read, whole: its language and text.
    code: Option<(String, String)>,
}

impl<'a> Iterator for Transform<'a, '_> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some(event);
            }
            let event = self.parser.next()?;
            if let Some(event) = self.step(event) {
                return Some(event);
            }
        }
    }
}

impl<'a> Transform<'a, '_> {
    fn emit(&mut self, event: Event<'a>) {
        match self.heading.as_mut() {
            Some(inner) => inner.push(event),
            None => self.ready.push_back(event),
        }
    }

    /// Takes one parser event. Returns the event to hand on now when that is all it made
    /// (most events: no trip through the queue); anything else goes to the queue.
    fn step(&mut self, event: Event<'a>) -> Option<Event<'a>> {
        // Code blocks are collected whole and highlighted.
        if let Some((language, buffer)) = self.code.as_mut() {
            match event {
                Event::Text(text) => buffer.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    let html = highlight(buffer, language);
                    self.code = None;
                    self.emit(Event::Html(CowStr::from(html)));
                }
                _ => {}
            }
            return None;
        }
        let event = match event {
            // Raw HTML from authors is shown as text.
            Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
            Event::Start(Tag::CodeBlock(kind)) => {
                self.has_code = true;
                let language = match kind {
                    CodeBlockKind::Fenced(info) => info.split_whitespace().next().unwrap_or("").to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((language, String::new()));
                return None;
            }
            // The HTML writer makes an email autolink a `mailto:` link.
            Event::Start(Tag::Link { link_type: LinkType::Email, dest_url, title, id }) => {
                self.link_stack.push(true);
                Event::Start(Tag::Link { link_type: LinkType::Email, dest_url, title, id })
            }
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                match self.targets.resolve(&dest_url, self.source_file) {
                    Resolved::Keep => {
                        self.link_stack.push(true);
                        Event::Start(Tag::Link { link_type, dest_url, title, id })
                    }
                    Resolved::Site(path, fragment) => {
                        self.link_stack.push(true);
                        let url = format!("{}{}", self.base.link_to(&path), fragment);
                        Event::Start(Tag::Link {
                            link_type: LinkType::Inline,
                            dest_url: url.into(),
                            title,
                            id,
                        })
                    }
                    Resolved::Withheld => {
                        self.link_stack.push(false);
                        return None;
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                if self.link_stack.pop().unwrap_or(true) {
                    Event::End(TagEnd::Link)
                } else {
                    return None;
                }
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                match self.targets.resolve(&dest_url, self.source_file) {
                    Resolved::Keep => Event::Start(Tag::Image { link_type, dest_url, title, id }),
                    Resolved::Site(path, fragment) => {
                        let url = format!("{}{}", self.base.link_to(&path), fragment);
                        Event::Start(Tag::Image {
                            link_type: LinkType::Inline,
                            dest_url: url.into(),
                            title,
                            id,
                        })
                    }
                    // An image this audience may not see: its alt text stays, as text.
                    Resolved::Withheld => {
                        self.link_stack.push(false);
                        return None;
                    }
                }
            }
            Event::End(TagEnd::Image) if self.link_stack.last() == Some(&false) => {
                self.link_stack.pop();
                return None;
            }
            Event::Start(Tag::Table(alignments)) => {
                self.emit(Event::Html(CowStr::from("<div class=\"table-wrap\">")));
                Event::Start(Tag::Table(alignments))
            }
            Event::End(TagEnd::Table) => {
                self.emit(Event::End(TagEnd::Table));
                Event::Html(CowStr::from("</div>"))
            }
            Event::Start(Tag::Heading { .. }) => {
                self.heading = Some(Vec::new());
                return None;
            }
            Event::End(TagEnd::Heading(level)) => {
                let inner = self.heading.take().unwrap_or_default();
                self.end_heading(level, inner);
                return None;
            }
            other => other,
        };
        if self.heading.is_none() && self.ready.is_empty() {
            return Some(event);
        }
        self.emit(event);
        None
    }

    /// A heading's start tag with its id, its content, an anchor link, and its end.
    fn end_heading(&mut self, level: HeadingLevel, inner: Vec<Event<'a>>) {
        let text = heading_text(&inner);
        let mut id = slug(&text);
        if id.is_empty() {
            id = "section".to_string();
        }
        let count = self.used_ids.entry(id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            id = format!("{id}-{}", *count - 1);
        }
        self.headings.push(Heading { level: level as u8, id: id.clone(), text });
        let anchor = format!("<a class=\"anchor\" href=\"#{id}\" aria-label=\"Link to this section\">#</a>");
        self.emit(Event::Start(Tag::Heading {
            level,
            id: Some(CowStr::from(id)),
            classes: Vec::new(),
            attrs: Vec::new(),
        }));
        self.ready.extend(inner);
        self.emit(Event::Html(CowStr::from(anchor)));
        self.emit(Event::End(TagEnd::Heading(level)));
    }
}

fn heading_text(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        if let Event::Text(t) | Event::Code(t) = event {
            text.push_str(t);
        }
    }
    text
}

/// Markdown as plain text (for spreadsheets and search): paragraphs and list items on
/// their own lines, markup dropped, link text kept.
pub fn plain_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for event in Parser::new_ext(text, OPTIONS) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => out.push_str(&t),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("- "),
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::TableRow,
            ) => out.push('\n'),
            Event::End(TagEnd::TableCell) => out.push('\t'),
            _ => {}
        }
    }
    out.trim().to_string()
}

/// Lower-case ASCII words joined by `-`: heading anchors and URL segments.
pub fn slug(text: &str) -> String {
    let mut slug = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            for lower in c.to_lowercase() {
                slug.push(lower);
            }
            dash = false;
        } else if !dash && !slug.is_empty() {
            slug.push('-');
            dash = true;
        }
    }
    while slug.ends_with('-') {
        slug.pop();
    }
    slug
}

struct Highlighting {
    syntaxes: syntect::parsing::SyntaxSet,
}

fn highlighting() -> &'static Highlighting {
    static CELL: OnceLock<Highlighting> = OnceLock::new();
    CELL.get_or_init(|| Highlighting { syntaxes: syntect::parsing::SyntaxSet::load_defaults_newlines() })
}

/// Aliases authors write that syntect's default set knows under another token.
fn syntax_token(language: &str) -> &str {
    match language {
        "yml" => "yaml",
        "sh" | "shell" | "console" | "zsh" => "bash",
        "jsonc" => "json",
        other => other,
    }
}

fn highlight(code: &str, language: &str) -> String {
    let escaped_language = escape_attribute(language);
    if !language.is_empty() {
        let set = &highlighting().syntaxes;
        if let Some(syntax) = set.find_syntax_by_token(syntax_token(language)) {
            let mut generator = syntect::html::ClassedHTMLGenerator::new_with_class_style(
                syntax,
                set,
                syntect::html::ClassStyle::SpacedPrefixed { prefix: "hl-" },
            );
            let mut ok = true;
            for line in syntect::util::LinesWithEndings::from(code) {
                if generator.parse_html_for_line_which_includes_newline(line).is_err() {
                    ok = false;
                    break;
                }
            }
            if ok {
                return format!(
                    "<pre class=\"code\" data-lang=\"{escaped_language}\"><code>{}</code></pre>\n",
                    generator.finalize()
                );
            }
        }
    }
    format!("<pre class=\"code\" data-lang=\"{escaped_language}\"><code>{}</code></pre>\n", escape_text(code))
}

/// CSS for highlighted code: a light theme, and a dark one under `prefers-color-scheme`.
pub fn highlight_css() -> String {
    let themes = syntect::highlighting::ThemeSet::load_defaults();
    let style = syntect::html::ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let light = themes
        .themes
        .get("InspiredGitHub")
        .and_then(|theme| syntect::html::css_for_theme_with_class_style(theme, style).ok())
        .unwrap_or_default();
    let dark = themes
        .themes
        .get("base16-ocean.dark")
        .and_then(|theme| syntect::html::css_for_theme_with_class_style(theme, style).ok())
        .unwrap_or_default();
    // Each theme only under its own scheme: light rules left active in dark mode would paint
    // dark text on the dark background wherever the dark theme has no rule of its own.
    format!(
        "/* Code highlighting (syntect). */\n@media print, (prefers-color-scheme: light) {{\n{light}\n}}\n\
         @media screen and (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = escape_into(text, false, &mut out);
    out
}

pub fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let _ = escape_into(text, true, &mut out);
    out
}

/// Writes `text` HTML-escaped (`&`, `<`, `>`, and with `quotes` also `"` and `'`) in runs:
/// the characters escaped are ASCII, so the text between them is copied as it is.
pub fn escape_into(text: &str, quotes: bool, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let mut plain = 0;
    for (index, byte) in text.bytes().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quotes => "&quot;",
            b'\'' if quotes => "&#39;",
            _ => continue,
        };
        out.write_str(&text[plain..index])?;
        out.write_str(replacement)?;
        plain = index + 1;
    }
    out.write_str(&text[plain..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> LinkBase {
        LinkBase::Page { path: "policies/pol-ac/".into(), explicit_index: false }
    }

    fn targets() -> LinkTargets {
        let mut targets = LinkTargets::default();
        targets.sources.insert(PathBuf::from("policies/incident.md"), "policies/pol-ir/".into());
        targets.pages.insert("policies/pol-ir/".into());
        targets.pages.insert("faq/".into());
        targets
    }

    fn html(text: &str) -> String {
        render(text, Path::new("policies/access.md"), &targets(), &page()).html
    }

    #[test]
    fn links_to_visible_content_become_page_links() {
        let out = html("See [IR](incident.md#steps) and [FAQ](/faq/).");
        assert!(out.contains(r#"href="../../policies/pol-ir/#steps""#), "{out}");
        assert!(out.contains(r#"href="../../faq/""#), "{out}");
    }

    #[test]
    fn links_to_withheld_content_become_plain_text() {
        let out = html("See [the secret plan](secret-plan.md) and [risks](/risks/).");
        assert!(out.contains("See the secret plan and risks."), "{out}");
        assert!(!out.contains("secret-plan"), "{out}");
        assert!(!out.contains("href"), "{out}");
    }

    #[test]
    fn percent_signs_before_multibyte_characters_do_not_panic() {
        assert_eq!(percent_decode("plan%20a.md"), "plan a.md");
        assert_eq!(percent_decode("plan%a\u{e9}.md"), "plan%a\u{e9}.md");
        assert_eq!(percent_decode("%\u{e9}"), "%\u{e9}");
        let out = html("See [the plan](plan%a\u{e9}.md).");
        assert!(out.contains("See the plan."), "{out}");
    }

    #[test]
    fn email_autolinks_are_mail_links() {
        let text = "Write to <security@example.com> or see [FAQ](/faq/).";
        let out = html(text);
        assert!(out.contains(r#"href="mailto:security@example.com""#), "{out}");
        assert_eq!(link_destinations(text)[0].0, "mailto:security@example.com");
        assert_eq!(targets().reaches(&link_destinations(text)[0].0, Path::new("p.md")), None);
    }

    #[test]
    fn raw_html_is_escaped() {
        let out = html("Hello <script>alert(1)</script>\n\n<div onclick=x>y</div>\n");
        assert!(!out.contains("<script>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
        assert!(!out.contains("<div onclick"), "{out}");
    }

    #[test]
    fn headings_get_unique_anchors() {
        let rendered = render("## Scope\n\n## Scope\n", Path::new("p.md"), &targets(), &page());
        assert!(rendered.html.contains(r#"<h2 id="scope">"#), "{}", rendered.html);
        assert!(rendered.html.contains(r#"<h2 id="scope-1">"#), "{}", rendered.html);
    }

    #[test]
    fn tables_footnotes_and_code() {
        let rendered = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nText[^1].\n\n[^1]: Note.\n\n```yaml\nkey: value\n```\n",
            Path::new("p.md"),
            &targets(),
            &page(),
        );
        assert!(rendered.html.contains("<table>"));
        assert!(rendered.html.contains("table-wrap"));
        assert!(rendered.html.contains("footnote"));
        assert!(rendered.has_code);
        assert!(rendered.html.contains("hl-"), "{}", rendered.html);
    }

    #[test]
    fn explicit_index_links_for_offline_browsing() {
        let base = LinkBase::Page { path: "policies/pol-ac/".into(), explicit_index: true };
        assert_eq!(base.link_to("faq/"), "../../faq/index.html");
        let root = LinkBase::Page { path: String::new(), explicit_index: false };
        assert_eq!(root.link_to(""), "./");
    }
}
