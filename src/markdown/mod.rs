//! Markdown bodies into HTML: GFM tables, footnotes, strikethrough and task lists, heading
//! anchors, and code blocks highlighted by syntect (its syntaxes load only when a page has a
//! code block). Raw HTML in markdown is shown as text, never passed through: a trust page
//! carries no author script. Links to other content are resolved against the cut model; a
//! link to anything this audience may not see becomes plain text.

mod highlight;
mod links;

use std::collections::BTreeMap;
use std::path::Path;

use highlight::highlight;
pub use highlight::highlight_css;
use links::Resolved;
pub use links::{
    content_path, link_destinations, percent_decode, relative_prefix, LinkBase, LinkTargets, FAQ_FOLDER,
};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// The one set of parser options every reading of a body uses: rendering, links, plain text
/// and the audience blocks (`fenced`). Two option sets could read two structures.
pub const OPTIONS: Options = Options::ENABLE_TABLES
    .union(Options::ENABLE_FOOTNOTES)
    .union(Options::ENABLE_STRIKETHROUGH)
    .union(Options::ENABLE_TASKLISTS);

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
    render_in(text, source_file, targets, base, "")
}

/// [`render`] for a body shown beside others on one page (the FAQ's answers): its headings'
/// ids begin with `id_prefix` and a hyphen, so two bodies' headings never share an id.
pub fn render_in(
    text: &str,
    source_file: &Path,
    targets: &LinkTargets,
    base: &LinkBase,
    id_prefix: &str,
) -> Rendered {
    let mut events = Transform {
        id_prefix,
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
    /// Put before every heading id (with a hyphen), when not empty.
    id_prefix: &'r str,
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
        if !self.id_prefix.is_empty() {
            id = format!("{}-{id}", self.id_prefix);
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
    if text.is_ascii() {
        return ascii_slug(text);
    }
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

/// [`slug`] of an ASCII text, byte by byte: for ASCII, a letter or digit is exactly what
/// `char::is_alphanumeric` says, and its lower case is one byte. Every page's path is a slug
/// of an id, made many times per build.
fn ascii_slug(text: &str) -> String {
    let mut slug = Vec::with_capacity(text.len());
    let mut dash = false;
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() {
            slug.push(byte.to_ascii_lowercase());
            dash = false;
        } else if !dash && !slug.is_empty() {
            slug.push(b'-');
            dash = true;
        }
    }
    while slug.last() == Some(&b'-') {
        slug.pop();
    }
    // Only ASCII bytes were pushed.
    String::from_utf8(slug).unwrap_or_default()
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
    use super::links::percent_decode;
    use super::*;
    use std::path::PathBuf;

    /// The ASCII slug is the general one's, on random ASCII texts (every byte value below 128).
    #[test]
    fn ascii_slugs_are_the_general_ones() {
        fn general(text: &str) -> String {
            let mut slug = String::new();
            let mut dash = false;
            for c in text.chars() {
                if c.is_alphanumeric() {
                    slug.extend(c.to_lowercase());
                    dash = false;
                } else if !dash && !slug.is_empty() {
                    slug.push('-');
                    dash = true;
                }
            }
            slug.trim_end_matches('-').to_string()
        }
        let mut random = crate::test_rng::Xorshift(0x9e37_79b9_7f4a_7c15);
        for round in 0..5000 {
            let text: String = (0..round % 24).map(|_| char::from((random.next() % 128) as u8)).collect();
            assert_eq!(slug(&text), general(&text), "{text:?}");
        }
        assert_eq!(slug("A.5.15 Access--Control "), "a-5-15-access-control");
        assert_eq!(slug("Zugriffsrechte Überprüfen"), "zugriffsrechte-überprüfen");
    }

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
