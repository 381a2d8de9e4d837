//! The public trust center for AI agents that read it for a buyer: `llms.txt` at the site's
//! root (the llmstxt.org convention: a title, a summary, and lists of links) and a markdown
//! copy of each page beside it (`policies/pol-ac/index.md`).
//!
//! A markdown copy is made from the page's own `<main>`, after it has rendered: it can hold
//! only what the HTML page holds, which the cut and the output gate already decided. The
//! interface (filter forms, buttons, icons, scripts) is left out. The copies are not in the
//! sitemap, which lists pages for people; `llms.txt` lists them for agents.

use htmd::element_handler::{HandlerResult, Handlers};
use htmd::{Element, HtmlToMarkdown};

use crate::model::Isms;
use crate::output::OutputFile;
use crate::render::view::SiteModel;
use crate::render::RenderOptions;
use crate::site::routes;

pub(crate) const LLMS_TXT: &str = "llms.txt";

/// The markdown copy's site path for a page's: `x/index.html` → `x/index.md`.
pub(crate) fn copy_path(page: &str) -> Option<String> {
    if page == "index.html" || page.ends_with("/index.html") {
        Some(format!("{}index.md", page.trim_end_matches("index.html")))
    } else {
        None
    }
}

fn converter() -> HtmlToMarkdown {
    HtmlToMarkdown::builder()
        .skip_tags(vec![
            "script", "style", "svg", "form", "button", "noscript", "template", "nav", "input", "select",
        ])
        // A heading's "#" link to itself is for pointing, not reading.
        .add_handler(vec!["a"], |handlers: &dyn Handlers, element: Element| {
            let anchor = element.attrs.iter().any(|attribute| {
                &*attribute.name.local == "class" && attribute.value.split_whitespace().any(|c| c == "anchor")
            });
            if anchor {
                Some(HandlerResult { content: String::new(), markdown_translated: true })
            } else {
                handlers.fallback(element)
            }
        })
        // Removed and added words (a "what changed" page) keep their marks, in CriticMarkup
        // (`{--removed--}`, `{++added++}`), a plain-text convention for changes: without
        // them a replaced word runs into its replacement.
        .add_handler(vec!["del", "ins"], |handlers: &dyn Handlers, element: Element| {
            let content = handlers.walk_children(element.node).content;
            let trimmed = content.trim();
            if trimmed.is_empty() {
                return Some(HandlerResult { content, markdown_translated: true });
            }
            let mark = if element.tag == "del" { "--" } else { "++" };
            let (start, end) = (content.len() - content.trim_start().len(), content.trim_end().len());
            let content = format!("{}{{{mark}{trimmed}{mark}}}{}", &content[..start], &content[end..]);
            Some(HandlerResult { content, markdown_translated: true })
        })
        // An image is its text alternative, escaped as text is (htmd writes it raw), and
        // its address, kept only when it is the site's own or http(s).
        .add_handler(vec!["img"], |_: &dyn Handlers, element: Element| {
            let attribute = |name: &str| {
                element
                    .attrs
                    .iter()
                    .find(|a| &*a.name.local == name)
                    .map(|a| a.value.to_string())
                    .unwrap_or_default()
            };
            let (alt, src) = (one_line(&attribute("alt")), attribute("src"));
            let scheme = src.split_once(':').map(|(scheme, _)| scheme.to_ascii_lowercase());
            let safe = match scheme.as_deref() {
                Some(scheme) if scheme.chars().all(|c| c.is_ascii_alphanumeric()) => {
                    matches!(scheme, "http" | "https")
                }
                _ => !src.is_empty(),
            };
            let content = if safe {
                let src: String = src
                    .chars()
                    .map(|c| match c {
                        ' ' => "%20".to_string(),
                        '(' => "%28".to_string(),
                        ')' => "%29".to_string(),
                        '<' => "%3C".to_string(),
                        '>' => "%3E".to_string(),
                        c => c.to_string(),
                    })
                    .collect();
                format!("![{alt}]({src})")
            } else {
                alt
            };
            Some(HandlerResult { content, markdown_translated: true })
        })
        .build()
}

/// The markdown copy of a rendered page, at the page's audience; `None` for files that are
/// not pages with a `<main>`. `header` is HTML, converted with the page: every text in the
/// copy goes through the one converter and its escaping.
pub(crate) fn markdown_copy(page: &OutputFile, header: &str) -> Option<OutputFile> {
    let path = copy_path(&page.path)?;
    let html = std::str::from_utf8(&page.bytes).ok()?;
    let start = html.find("<main")?;
    let end = html.rfind("</main>")? + "</main>".len();
    let source = format!("{header}{}", row_headers_as_cells(&html[start..end]));
    let source = within_depth(&source, MAX_DEPTH);
    static CONVERTER: std::sync::OnceLock<HtmlToMarkdown> = std::sync::OnceLock::new();
    let markdown = CONVERTER.get_or_init(converter).convert(&source).ok()?;
    let mut text = markdown.trim().to_string();
    text.push('\n');
    Some(OutputFile::new(path, text.into_bytes(), page.audience))
}

/// The deepest element nesting the converter is given: it walks the page's tree recursively,
/// and a page nested thousands deep (quotes in quotes, emphasis in emphasis, from content
/// written to break it) would overflow a thread's stack and abort the build or the dev
/// server. Pages people write stay far below it.
const MAX_DEPTH: usize = 256;

/// `html` (a rendered page: tags well formed, text escaped) with every tag deeper than
/// `limit` left out and its text kept: the copy of a page nested deeper than the converter
/// can follow reads as its text, flat, instead of aborting. Counted without recursion.
fn within_depth(html: &str, limit: usize) -> std::borrow::Cow<'_, str> {
    // Each tag as (start, end, depth it is at); a closing tag is at the depth of its opening.
    let tags = || {
        const VOID: [&str; 8] = ["br", "hr", "img", "input", "meta", "link", "wbr", "col"];
        let mut depth = 0usize;
        let mut at = 0;
        std::iter::from_fn(move || {
            let open = at + html[at..].find('<')?;
            let close = open + html[open..].find('>')? + 1;
            at = close;
            let tag = &html[open..close];
            let name = tag.trim_start_matches(['<', '/']);
            let name = &name[..name.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(name.len())];
            let nests = !(tag.starts_with("<!")
                || tag.starts_with("<?")
                || tag.ends_with("/>")
                || VOID.iter().any(|v| v.eq_ignore_ascii_case(name)));
            let own = match (nests, tag.starts_with("</")) {
                (true, true) => {
                    let own = depth;
                    depth = depth.saturating_sub(1);
                    own
                }
                (true, false) => {
                    depth += 1;
                    depth
                }
                (false, _) => depth,
            };
            Some((open, close, own))
        })
    };
    // Counted first, so that a page within the limit is given as it is, with no copy.
    if tags().all(|(_, _, own)| own <= limit) {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    for (open, close, _) in tags().filter(|&(_, _, own)| own > limit) {
        out.push_str(&html[copied..open]);
        copied = close;
    }
    out.push_str(&html[copied..]);
    std::borrow::Cow::Owned(out)
}

/// `<th scope="row">` cells as `<td>`: the converter keeps only `<td>` cells in body rows,
/// and would drop the SoA's control ids. A row header holds no other `<th>`, so the next
/// `</th>` closes it.
fn row_headers_as_cells(html: &str) -> String {
    const OPEN: &str = "<th scope=\"row\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        out.push_str("<td");
        rest = &rest[at + OPEN.len()..];
        match rest.find("</th>") {
            Some(close) => {
                out.push_str(&rest[..close]);
                out.push_str("</td>");
                rest = &rest[close + "</th>".len()..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

/// The line above each copy, as HTML: where the page is, and as of when.
pub(crate) fn copy_header(isms: &Isms, options: &RenderOptions, page_path: &str) -> String {
    let page = page_path.trim_end_matches("index.html");
    let mut html = String::from("<p><em>");
    let text = format!(
        "From the {} Trust Center, {}/{page}, information as of {}.",
        isms.site.organization.name, options.base_url, options.today
    );
    let _ = crate::markdown::escape_into(&text, false, &mut html);
    html.push_str("</em></p>\n");
    html
}

/// `llms.txt`: what the trust center is, and where each page's markdown copy is.
pub(crate) fn llms_txt(
    isms: &Isms,
    model: &SiteModel,
    options: &RenderOptions,
    pages: &[(String, String)],
) -> OutputFile {
    let site = &isms.site;
    let base = &options.base_url;
    // Each page's markdown copy when the site writes them, else the page itself.
    let copy = |path: &str| {
        if isms.site.markdown_copies {
            format!("{base}/{path}index.md")
        } else {
            format!("{base}/{path}")
        }
    };
    let mut text = format!("# {} Trust Center\n\n", one_line(&site.organization.name));
    if let Some(description) = &site.organization.description {
        text.push_str(&format!("> {}\n\n", one_line(description)));
    }
    text.push_str(&format!(
        "How {} protects its customers' data: its information security policies, the controls of its ISO/IEC 27001 Statement of Applicability, certifications, subprocessors and answers to common security questions. Information as of {}. Security contact: {}.{}\n",
        one_line(&site.organization.name),
        options.today,
        site.contact.security_email,
        if site.markdown_copies { " Each link below is a markdown copy of a page of the trust center." } else { "" }
    ));
    text.push_str("\n## Pages\n\n");
    for (path, title) in pages {
        text.push_str(&format!("- [{}]({})\n", one_line(title), copy(path)));
    }
    if !model.policies.is_empty() {
        text.push_str("\n## Policies\n\n");
        for policy in model.policies.iter() {
            let summary = policy.summary.as_deref().map(|s| format!(": {}", one_line(s))).unwrap_or_default();
            text.push_str(&format!(
                "- [{} {}]({}){summary}\n",
                policy.id,
                one_line(&policy.title),
                copy(&policy.path)
            ));
        }
    }
    if !model.faq.is_empty() {
        text.push_str(&format!(
            "\n## Answers\n\n- [All {} answers to security questions]({})\n- [The same answers as CSV]({base}/{})\n",
            model.faq.len(),
            copy(routes::FAQ),
            routes::ANSWERS_CSV
        ));
    }
    text.push_str(&format!(
        "\n## Optional\n\n- [Machine-readable summary (trust.json)]({base}/{})\n",
        routes::TRUST_JSON
    ));
    OutputFile::new(LLMS_TXT, text.into_bytes(), crate::audience::Audience::Public)
}

/// Text on one line, as markdown text: every character markdown could read as markup
/// (links, emphasis, code, raw HTML) is escaped with a backslash, so a reader shows it as
/// written.
fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (index, word) in text.split_whitespace().enumerate() {
        if index > 0 {
            out.push(' ');
        }
        for c in word.chars() {
            if matches!(c, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' | '|' | '&') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_page_deeper_than_the_converter_follows_is_given_flat_below_the_limit() {
        let deep = format!("<main>{}text<br>{}</main>", "<blockquote>".repeat(5), "</blockquote>".repeat(5));
        assert_eq!(within_depth(&deep, 6), deep, "within the limit: as it is");
        let flat = within_depth(&deep, 3);
        assert_eq!(flat, "<main><blockquote><blockquote>text</blockquote></blockquote></main>");
        // Comments, void and self-closed elements do not nest.
        let page = "<main><!-- c --><img src=x><hr/><p>a</p></main>";
        assert_eq!(within_depth(page, 2), page);
    }

    use super::*;
    use crate::audience::Audience;

    #[test]
    fn a_copy_holds_the_main_text_and_none_of_the_interface() {
        let html = r#"<html><head><title>t</title></head><body><nav><a href="x">Nav</a></nav>
<main id="main"><h1>Access Control</h1><form><input name="q"><button>Filter</button></form>
<p>Access is <strong>granted</strong> by <a href="../pol-isp/">the policy</a>.</p><svg><text>icon</text></svg>
<table><thead><tr><th>Id</th><th>A</th></tr></thead><tbody><tr><th scope="row"><a href="x">A.5.1</a></th><td>1</td></tr></tbody></table></main><footer>F</footer></body></html>"#;
        let page = OutputFile::new("policies/pol-ac/index.html", html, Audience::Public);
        let copy = markdown_copy(&page, "<p><em>From x</em></p>").unwrap();
        assert_eq!(copy.path, "policies/pol-ac/index.md");
        let text = String::from_utf8(copy.bytes).unwrap();
        assert!(text.starts_with("*From x*\n\n# Access Control"), "{text}");
        assert!(text.contains("Access is **granted** by [the policy](../pol-isp/)."), "{text}");
        assert!(text.contains("| [A.5.1](x) | 1 |"), "the row header is kept: {text}");
        for absent in ["Nav", "Filter", "icon", "F\n"] {
            assert!(!text.contains(absent), "{absent}: {text}");
        }
    }

    #[test]
    fn text_in_llms_txt_stays_text() {
        let escaped = one_line("<script>alert(1)</script> [x](y) *b* a_b `c`\n  d & e");
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&escaped));
        assert_eq!(html, "<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](y) *b* a_b `c` d &amp; e</p>\n");
    }

    #[test]
    fn image_text_is_escaped_and_unsafe_addresses_dropped() {
        let html = r#"<main><h1>T</h1><p><img alt="x](javascript:alert(1)) <script>alert('a')</script> ![y" src="../hero.png"></p>
<p><img alt="bad" src="javascript:alert(2)"> <img alt="data" src="DATA:image/png;base64,AA"> <img alt="ok" src="https://cdn.example/a b(1).png"></p></main>"#;
        let page = OutputFile::new("index.html", html, Audience::Public);
        let text = String::from_utf8(markdown_copy(&page, "").unwrap().bytes).unwrap();
        let mut rendered = String::new();
        pulldown_cmark::html::push_html(&mut rendered, pulldown_cmark::Parser::new(&text));
        for unsafe_markup in ["<script", "src=\"javascript", "href=\"javascript", "src=\"DATA", "src=\"data"]
        {
            assert!(!rendered.contains(unsafe_markup), "{unsafe_markup}: {text}\n{rendered}");
        }
        assert_eq!(rendered.matches("<img").count(), 2, "{rendered}");
        assert!(rendered.contains(r#"src="https://cdn.example/a%20b%281%29.png""#), "{rendered}");
        assert!(rendered.contains("bad") && rendered.contains("data"), "the text stays: {rendered}");
    }

    #[test]
    fn removed_and_added_words_keep_their_marks() {
        let html =
            "<main><h1>T</h1><div class=\"diff\"><p>Keep <del>old words</del> <ins>new words</ins>.</p>\
<p>A <del>v4</del><ins>v5</ins> text.</p></div></main>";
        let page = OutputFile::new("policies/pol-x/changes/index.html", html, Audience::Public);
        let text = String::from_utf8(markdown_copy(&page, "").unwrap().bytes).unwrap();
        assert!(text.contains("Keep {--old words--} {++new words++}."), "{text}");
        assert!(text.contains("A {--v4--}{++v5++} text."), "{text}");
    }

    #[test]
    fn only_pages_have_copies() {
        assert_eq!(copy_path("index.html").as_deref(), Some("index.md"));
        assert_eq!(copy_path("faq/index.html").as_deref(), Some("faq/index.md"));
        assert_eq!(copy_path("404.html"), None);
        assert_eq!(copy_path("documents/report.html"), None);
    }
}
