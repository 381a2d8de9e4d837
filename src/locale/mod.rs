//! The interface language of a site: the theme's strings (`locales/<language>.yaml`), and
//! how that language writes dates, numbers and file sizes. English, German and French ship
//! with the default theme; a theme folder may override any of their strings or add a
//! language. Content is never translated: it stays in whatever language its team writes.
//!
//! A locale file has two parts: `locale:` (the language's name, month names, separators,
//! plural rule) and `strings:` (keys in nested groups, flattened to dotted keys such as
//! `soa.title`). A string is HTML written as in a template; `{name}` is a placeholder the
//! template fills. A string with a count is a map of `one:` and `other:`.
//!
//! Every language must have every key English has: a missing key is an error, never a page
//! in two languages. A key English does not have is an error too (a misspelt override would
//! otherwise change nothing, silently).
//!
//! `file` reads a locale file into a layer (its strings flattened, its `locale:` fields laid
//! over the layers before it and checked complete); `format` writes dates, numbers,
//! percentages and file sizes as the language does.

mod file;
mod format;

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Location};

use file::{line_of_key, parse_layer, Layer, RawFormat};

/// The language of a site that names none.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The languages the default theme ships, with their locale files.
pub const SHIPPED: &[(&str, &str)] = &[
    ("en", include_str!("../../themes/default/locales/en.yaml")),
    ("de", include_str!("../../themes/default/locales/de.yaml")),
    ("fr", include_str!("../../themes/default/locales/fr.yaml")),
];

/// The folder of a theme that holds its locale files.
pub const LOCALES_FOLDER: &str = "locales";

/// Whether `name` can name a language: a BCP 47 tag of letters, digits and hyphens, starting
/// with a 2- or 3-letter language (`de`, `pt-BR`). It is the locale file's name and goes into
/// `lang` attributes as written.
pub fn is_language_tag(name: &str) -> bool {
    let mut parts = name.split('-');
    let first = parts.next().unwrap_or_default();
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && parts.all(|part| (1..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// One locale file's text, with the name errors give it.
#[derive(Debug, Clone)]
pub struct LocaleSource {
    /// `themes/default/locales/de.yaml`, or the content-relative path of a theme's file.
    pub file: String,
    pub text: String,
}

impl LocaleSource {
    /// The default theme's file for `language`, when it ships one.
    pub fn shipped(language: &str) -> Option<LocaleSource> {
        SHIPPED.iter().find(|(name, _)| *name == language).map(|(name, text)| LocaleSource {
            file: format!("themes/default/locales/{name}.yaml"),
            text: (*text).to_string(),
        })
    }
}

/// A string of a locale: plain, or chosen by a count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Text(String),
    Plural { one: String, other: String },
}

impl Message {
    fn forms(&self) -> Vec<&str> {
        match self {
            Message::Text(text) => vec![text],
            Message::Plural { one, other } => vec![one, other],
        }
    }
}

/// How a language writes what is not a sentence.
#[derive(Debug, Clone)]
pub struct Format {
    /// The language's own name (`Deutsch`), for a language switcher.
    pub name: String,
    months: Vec<String>,
    /// `{day} {month} {year}`.
    date: String,
    /// What day 1 is written as, when not `1` (French `1er`).
    first_day: Option<String>,
    decimal: String,
    /// Between groups of three digits, from 1,000 up; empty for none.
    group: String,
    /// `{number}%`.
    percent: String,
    /// `{number} {unit}`.
    size: String,
    /// `bytes, KB, MB, GB, TB`.
    units: Vec<String>,
    /// The counts that take the `one` form (English `[1]`, French `[0, 1]`).
    plural_one: Vec<i64>,
}

impl Format {
    pub fn group(&self) -> &str {
        &self.group
    }

    pub fn decimal_separator(&self) -> &str {
        &self.decimal
    }

    pub fn percent_pattern(&self) -> &str {
        &self.percent
    }

    pub fn plural_one(&self) -> &[i64] {
        &self.plural_one
    }
}

/// The strings and formats of one language, as a build uses them.
#[derive(Debug, Clone)]
pub struct Locale {
    pub language: String,
    pub format: Format,
    messages: BTreeMap<String, Message>,
}

/// The `{name}`s of a string.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                names.push(&after[..end]);
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    names
}

impl Locale {
    /// The locale of `language`: English laid under it, then each of `sources` (its shipped
    /// file, then a theme's) over the one before. `english` is English's layers likewise.
    pub fn resolve(
        language: &str,
        english: &[LocaleSource],
        sources: &[LocaleSource],
    ) -> Result<Locale, Diagnostic> {
        let english_layers = english.iter().map(parse_layer).collect::<Result<Vec<_>, _>>()?;
        let layers = if language == DEFAULT_LANGUAGE {
            Vec::new()
        } else {
            sources.iter().map(parse_layer).collect::<Result<Vec<_>, _>>()?
        };
        let mut reference: BTreeMap<String, Message> = BTreeMap::new();
        for layer in &english_layers {
            reference.extend(layer.messages.clone());
        }
        let own: &[Layer] = if language == DEFAULT_LANGUAGE { &english_layers } else { &layers };
        let mut messages = BTreeMap::new();
        let mut format = RawFormat::default();
        for layer in own {
            for (key, message) in &layer.messages {
                let Some(english) = reference.get(key) else {
                    let hint = match crate::diagnostic::suggest::closest(
                        key,
                        reference.keys().map(String::as_str),
                    ) {
                        Some(best) => format!(
                            "did you mean `{best}`? a theme's new key goes into its locales/en.yaml too"
                        ),
                        None => "a theme's new key goes into its locales/en.yaml too".to_string(),
                    };
                    return Err(Diagnostic::error(
                        "unknown-locale-key",
                        format!("`{key}` is not a key of the English strings"),
                    )
                    .at(line_of_key(layer, key))
                    .hint(hint));
                };
                let allowed = english.forms().into_iter().flat_map(placeholders).collect::<Vec<_>>();
                if let Some(unknown) =
                    message.forms().into_iter().flat_map(placeholders).find(|name| !allowed.contains(name))
                {
                    return Err(Diagnostic::error(
                        "invalid-locale",
                        format!("`{key}` uses `{{{unknown}}}`, which its English string does not give"),
                    )
                    .at(Location::file(Path::new(&layer.file)))
                    .hint(format!("the values this string can use: {}", brace_list(&allowed))));
                }
                messages.insert(key.clone(), message.clone());
            }
            format.overlay(&layer.format);
        }
        let last_file =
            own.last().map_or_else(|| format!("locales/{language}.yaml"), |layer| layer.file.clone());
        let missing: Vec<&str> =
            reference.keys().filter(|key| !messages.contains_key(*key)).map(String::as_str).collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(12).copied().collect();
            let more = missing.len() - shown.len();
            return Err(Diagnostic::error(
                "locale-incomplete",
                format!(
                    "the `{language}` strings lack {} key{} the English strings have: {}{}",
                    missing.len(),
                    if missing.len() == 1 { "" } else { "s" },
                    shown.join(", "),
                    if more > 0 { format!(" and {more} more") } else { String::new() }
                ),
            )
            .at(Location::file(Path::new(&last_file)))
            .hint("add them (themes/default/locales/en.yaml lists every key with its English text); a site is never published in two languages"));
        }
        let format = format.complete(language, &last_file)?;
        Ok(Locale { language: language.to_string(), format, messages })
    }

    /// The English locale of the default theme.
    pub fn english() -> &'static Locale {
        // Part of the binary, so read once a process: a build asks for it several times.
        static ENGLISH: std::sync::OnceLock<Locale> = std::sync::OnceLock::new();
        ENGLISH.get_or_init(|| {
            let english = LocaleSource::shipped(DEFAULT_LANGUAGE).into_iter().collect::<Vec<_>>();
            Locale::resolve(DEFAULT_LANGUAGE, &english, &[]).unwrap_or_else(|_| Locale::empty())
        })
    }

    /// Never used in practice: the shipped English resolves (a unit test says so), but a
    /// library does not panic.
    fn empty() -> Locale {
        let format = Format {
            name: String::new(),
            months: Vec::new(),
            date: "{day} {month} {year}".to_string(),
            first_day: None,
            decimal: ".".to_string(),
            group: String::new(),
            percent: "{number}%".to_string(),
            size: "{number} {unit}".to_string(),
            units: Vec::new(),
            plural_one: vec![1],
        };
        Locale { language: DEFAULT_LANGUAGE.to_string(), format, messages: BTreeMap::new() }
    }

    pub fn message(&self, key: &str) -> Option<&Message> {
        self.messages.get(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.messages.keys().map(String::as_str)
    }

    /// A string without placeholders, as Rust code uses it (a navigation label); the key
    /// itself when the locale lacks it (the theme's tests make sure none does).
    pub fn text(&self, key: &str) -> String {
        match self.messages.get(key) {
            Some(Message::Text(text)) => text.clone(),
            Some(Message::Plural { other, .. }) => other.clone(),
            None => key.to_string(),
        }
    }

    /// The string of `key` with each `{name}` replaced by `value(name)`, its form chosen by
    /// `count` when it has plural forms.
    pub fn fill(
        &self,
        key: &str,
        count: Option<i64>,
        mut value: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<String, String> {
        let message = self.messages.get(key).ok_or_else(|| format!("unknown locale key `{key}`"))?;
        let text = match message {
            Message::Text(text) => text,
            Message::Plural { one, other } => {
                let count = count.ok_or_else(|| format!("`{key}` has plural forms: pass `count=`"))?;
                if self.format.plural_one.contains(&count) {
                    one
                } else {
                    other
                }
            }
        };
        let mut out = String::with_capacity(text.len() + 16);
        let mut rest = text.as_str();
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let Some(end) = after.find('}') else {
                rest = &rest[start..];
                break;
            };
            out.push_str(&value(&after[..end])?);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// A plain string with its placeholders filled, for Rust code (no escaping).
    pub fn plain(&self, key: &str, count: Option<i64>, values: &[(&str, String)]) -> String {
        self.fill(key, count, |name| {
            Ok(values.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()).unwrap_or_default())
        })
        .unwrap_or_else(|_| key.to_string())
    }
}

fn brace_list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names.iter().map(|name| format!("{{{name}}}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests;
