//! What pages need of the site's language besides `t()`: the `lang` attribute, the other
//! language editions (`hreflang` links), and the strings the scripts show, which reach them
//! as a generated `assets/strings.js` (the Content-Security-Policy runs no inline script).
//! An English site with the shipped strings has no such file: the scripts hold their English
//! text, and English pages stay as they were.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::locale::{Locale, Message, DEFAULT_LANGUAGE};

/// The path of the scripts' strings.
pub(crate) const SCRIPT_STRINGS: &str = "assets/strings.js";

/// The prefix of the keys the scripts use.
const SCRIPT_KEYS: &str = "js.";

#[derive(Debug, Clone, Serialize)]
pub(crate) struct LanguageInfo {
    /// The site's language, for `lang` and `xml:lang`.
    pub(crate) language: String,
    /// This edition and every other one, then `x-default`: each page links the same page of
    /// each edition. Empty when `site.yaml` names no `translations`.
    pub(crate) editions: Vec<Edition>,
    /// Pages load `assets/strings.js` before their scripts.
    pub(crate) script_strings: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct Edition {
    /// A language tag, or `x-default`.
    pub(crate) language: String,
    /// The edition's base URL, ending in `/`.
    pub(crate) url: String,
}

pub(crate) fn language_info(site: &SiteConfig, base_url: &str, locale: &Locale) -> LanguageInfo {
    let slash = |url: &str| format!("{}/", url.trim_end_matches('/'));
    let mut editions = Vec::new();
    if !site.translations.is_empty() {
        editions.push(Edition { language: locale.language.clone(), url: slash(base_url) });
        for (language, url) in &site.translations {
            if *language != locale.language {
                editions.push(Edition { language: language.clone(), url: slash(url) });
            }
        }
        // Readers whose language has no edition get the English one when there is one.
        let default = editions.iter().find(|e| e.language == DEFAULT_LANGUAGE).unwrap_or(&editions[0]);
        editions.push(Edition { language: "x-default".to_string(), url: default.url.clone() });
    }
    LanguageInfo {
        language: locale.language.clone(),
        editions,
        script_strings: script_strings(locale) != script_strings(Locale::english()),
    }
}

/// `assets/strings.js`: the `js.` strings of the locale and how it writes numbers, for the
/// scripts, which fall back to their own English for anything it lacks.
pub(crate) fn script_strings(locale: &Locale) -> Vec<u8> {
    #[derive(Serialize)]
    struct Strings<'a> {
        language: &'a str,
        group: &'a str,
        decimal: &'a str,
        percent: &'a str,
        plural_one: &'a [i64],
        strings: BTreeMap<&'a str, serde_json::Value>,
    }
    let strings = locale
        .keys()
        .filter_map(|key| Some((key, key.strip_prefix(SCRIPT_KEYS)?)))
        .filter_map(|(key, short)| {
            let value = match locale.message(key)? {
                Message::Text(text) => serde_json::Value::from(text.as_str()),
                Message::Plural { one, other } => serde_json::json!({ "one": one, "other": other }),
            };
            Some((short, value))
        })
        .collect();
    let format = &locale.format;
    let value = Strings {
        language: &locale.language,
        group: format.group(),
        decimal: format.decimal_separator(),
        percent: format.percent_pattern(),
        plural_one: format.plural_one(),
        strings,
    };
    let json = serde_json::to_string(&value).unwrap_or_else(|_| "{}".to_string());
    // `</script` cannot occur in a file served as a script, but `<!--` and U+2028 are kept
    // out anyway, so the text is valid whatever way a browser reads it.
    let json = json.replace('<', "\\u003c").replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029");
    format!(
        "// The interface strings of this site's language for its scripts, from the theme's locales/{}.yaml.\nwindow.trustpressStrings = {json};\n",
        locale.language
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    use super::*;
    use crate::render::theme::Theme;

    /// The double-quoted literals of a source text, each with the text before it.
    fn literals(text: &str) -> Vec<(usize, String)> {
        let bytes = text.as_bytes();
        let (mut found, mut index) = (Vec::new(), 0);
        while index < bytes.len() {
            if bytes[index] != b'"' {
                index += 1;
                continue;
            }
            let start = index;
            // A Rust character `'"'` is no string.
            if text[..start].ends_with('\'') && text[start + 1..].starts_with('\'') {
                index += 1;
                continue;
            }
            // A Rust raw string (`r##"…"##`) ends at its own closing mark only.
            let hashes = text[..start].bytes().rev().take_while(|b| *b == b'#').count();
            if text[..start - hashes].ends_with('r') && (hashes > 0 || text[..start].ends_with('r')) {
                let close = format!("\"{}", "#".repeat(hashes));
                let end = text[start + 1..].find(&close).map_or(text.len(), |end| start + 1 + end);
                found.push((start, text[start + 1..end].to_string()));
                index = end + close.len();
                continue;
            }
            let mut value = String::new();
            index += 1;
            while index < bytes.len() && bytes[index] != b'"' {
                if bytes[index] == b'\\' && index + 1 < bytes.len() {
                    index += 1;
                }
                let ch = text[index..].chars().next().unwrap_or_default();
                value.push(ch);
                index += ch.len_utf8();
            }
            found.push((start, value));
            index += 1;
        }
        found
    }

    /// The expressions and statements of a template.
    fn template_code(source: &str) -> Vec<&str> {
        let mut code = Vec::new();
        let mut rest = source;
        while let Some(start) = rest.find(['{']) {
            let after = &rest[start + 1..];
            let close = match after.chars().next() {
                Some('{') => "}}",
                Some('%') => "%}",
                _ => {
                    rest = after;
                    continue;
                }
            };
            let Some(end) = after.find(close) else { break };
            code.push(&after[1..end]);
            rest = &after[end + close.len()..];
        }
        code
    }

    /// Whether the literal at `start` is the first argument of a call to `name`.
    fn called(text: &str, start: usize, name: &str) -> bool {
        let before = text[..start].trim_end();
        let Some(head) = before.strip_suffix('(').map(str::trim_end).and_then(|b| b.strip_suffix(name))
        else {
            return false;
        };
        !head.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '$')
    }

    struct Uses {
        english: Locale,
        groups: BTreeSet<String>,
        used: BTreeSet<String>,
        problems: Vec<String>,
    }

    impl Uses {
        /// Marks a literal that names a key (or, written `status.` or `entry_{}`, the start
        /// of keys chosen at run time) as used; a literal of a key group that names nothing
        /// is a problem.
        fn literal(&mut self, file: &str, literal: &str, must_exist: bool) {
            let group = literal.split('.').next().unwrap_or_default();
            let file_name = literal.rsplit('.').next().is_some_and(|last| {
                ["html", "xml", "yaml", "yml", "csv", "json", "md", "txt", "js", "svg"].contains(&last)
            });
            if file_name || !literal.contains('.') || !(must_exist || self.groups.contains(group)) {
                return;
            }
            if self.english.message(literal).is_some() {
                self.used.insert(literal.to_string());
                return;
            }
            let prefix = literal.trim_end_matches("{}");
            let matching: Vec<String> =
                self.english.keys().filter(|key| key.starts_with(prefix)).map(str::to_string).collect();
            if matching.is_empty() {
                self.problems.push(format!("{file}: `{literal}` is no key of locales/en.yaml"));
            }
            self.used.extend(matching);
        }
    }

    fn rust_sources(folder: &Path, into: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(folder).expect("src is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                rust_sources(&path, into);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file is text");
                into.push((path.display().to_string(), text));
            }
        }
    }

    /// Every key a template, a script or Rust code names is in the English strings (and so,
    /// by `Locale::resolve`, in every shipped language), the scripts' English is the English
    /// of their key, and every key is used somewhere.
    #[test]
    fn every_key_used_exists_and_every_key_is_used() {
        let english = Locale::english();
        let groups =
            english.keys().map(|key| key.split('.').next().unwrap_or_default().to_string()).collect();
        let mut uses = Uses { english: english.clone(), groups, used: BTreeSet::new(), problems: Vec::new() };
        let theme = Theme::default_theme();
        for (name, source) in &theme.templates {
            // Inside `{{ … }}` and `{% … %}` only: the quotes of HTML attributes around them
            // are not the template's.
            for code in template_code(source) {
                for (start, literal) in literals(code) {
                    let in_call = called(code, start, "t") || called(code, start, "m.restricted");
                    uses.literal(&format!("templates/{name}"), &literal, in_call);
                }
            }
        }
        for (name, bytes) in theme.statics.iter().filter(|(name, _)| name.ends_with(".js")) {
            let source = String::from_utf8_lossy(bytes);
            let found = literals(&source);
            for (index, (start, literal)) in found.iter().enumerate() {
                if !(called(&source, *start, "t") || called(&source, *start, "fail")) {
                    continue;
                }
                let key = format!("{SCRIPT_KEYS}{literal}");
                uses.literal(&format!("static/{name}"), &key, true);
                let english_text = match uses.english.message(&key) {
                    Some(Message::Text(text)) => text.clone(),
                    _ => continue,
                };
                match found.get(index + 1) {
                    Some((_, given)) if *given == english_text => {}
                    given => uses.problems.push(format!(
                        "static/{name}: the English of `{key}` is {:?}, locales/en.yaml has {english_text:?}",
                        given.map(|(_, g)| g)
                    )),
                }
            }
        }
        let mut sources = Vec::new();
        // The code that renders pages: the page table and the renderer.
        for folder in ["src/render", "src/site"] {
            rust_sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join(folder), &mut sources);
        }
        for (file, text) in &sources {
            for (_, literal) in literals(text) {
                // Rust names its keys in full (`title.soa`, `chart.badge.valid`).
                if uses.groups.contains(literal.split('.').next().unwrap_or_default())
                    && literal.split('.').count() > 1
                    && !literal.contains(' ')
                {
                    uses.literal(file, &literal, false);
                }
            }
        }
        let unused: Vec<&str> = uses.english.keys().filter(|key| !uses.used.contains(*key)).collect();
        assert!(uses.problems.is_empty(), "{}", uses.problems.join("\n"));
        assert!(unused.is_empty(), "keys nobody uses: {}", unused.join(", "));
    }

    /// The scripts share no file an English page loads (their pages must stay as they were),
    /// so each holds the same few lines that read `strings.js`: they must stay the same.
    #[test]
    fn the_scripts_read_their_strings_alike() {
        let theme = Theme::default_theme();
        let helper = |name: &str| -> String {
            let source = String::from_utf8_lossy(&theme.statics[name]).into_owned();
            let start = source
                .find("  // The site language's strings")
                .unwrap_or_else(|| panic!("{name}: no helper"));
            let number = start + source[start..].find("function number(value) {").expect("a number helper");
            let end = number + source[number..].find("\n  }\n").expect("its end");
            source[start..end].to_string()
        };
        let site = helper("site.js");
        assert_eq!(helper("search.js"), site);
        assert_eq!(helper("questionnaire.js"), site);
    }

    #[test]
    fn an_english_site_gets_no_strings_file_and_a_german_one_does() {
        let site = SiteConfig::default();
        assert!(!language_info(&site, "https://t.example", Locale::english()).script_strings);
        let german = Theme::default_theme().locale("de").unwrap();
        let info = language_info(&site, "https://t.example", &german);
        assert!(info.script_strings && info.language == "de" && info.editions.is_empty());
        let text = String::from_utf8(script_strings(&german)).unwrap();
        assert!(text.contains("\"shown_some\":\"{shown} von {total} angezeigt\""), "{text}");
    }

    #[test]
    fn editions_link_every_language_and_default_to_english() {
        let mut site = SiteConfig::default();
        site.translations.insert("en".to_string(), "https://trust.example".to_string());
        site.translations.insert("fr".to_string(), "https://trust.example/fr/".to_string());
        let german = Theme::default_theme().locale("de").unwrap();
        let info = language_info(&site, "https://trust.example/de", &german);
        let editions: Vec<(&str, &str)> =
            info.editions.iter().map(|e| (e.language.as_str(), e.url.as_str())).collect();
        assert_eq!(
            editions,
            [
                ("de", "https://trust.example/de/"),
                ("en", "https://trust.example/"),
                ("fr", "https://trust.example/fr/"),
                ("x-default", "https://trust.example/"),
            ]
        );
    }
}
