//! Code blocks highlighted by syntect with CSS classes (light and dark); its syntaxes load
//! only when a page has a code block.

use std::sync::OnceLock;

use super::{escape_attribute, escape_text};

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

pub(super) fn highlight(code: &str, language: &str) -> String {
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
