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

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::date::Date;
use crate::diagnostic::{Diagnostic, Location};

/// The language of a site that names none.
pub const DEFAULT_LANGUAGE: &str = "en";

/// The languages the default theme ships, with their locale files.
pub const SHIPPED: &[(&str, &str)] = &[
    ("en", include_str!("../themes/default/locales/en.yaml")),
    ("de", include_str!("../themes/default/locales/de.yaml")),
    ("fr", include_str!("../themes/default/locales/fr.yaml")),
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    locale: RawFormat,
    #[serde(default)]
    strings: BTreeMap<String, Node>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFormat {
    name: Option<String>,
    months: Option<Vec<String>>,
    date: Option<String>,
    first_day: Option<String>,
    decimal: Option<String>,
    group: Option<String>,
    percent: Option<String>,
    size: Option<String>,
    units: Option<Vec<String>>,
    plural_one: Option<Vec<i64>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Node {
    Text(String),
    Group(BTreeMap<String, Node>),
}

/// One file's strings and format fields, flattened.
struct Layer {
    file: String,
    text: String,
    format: RawFormat,
    messages: BTreeMap<String, Message>,
}

fn parse_layer(source: &LocaleSource) -> Result<Layer, Diagnostic> {
    let raw: RawFile = crate::load::yaml::parse(&source.text, Path::new(&source.file), 1)?;
    let mut messages = BTreeMap::new();
    flatten(&source.file, "", raw.strings, &mut messages)?;
    Ok(Layer { file: source.file.clone(), text: source.text.clone(), format: raw.locale, messages })
}

fn flatten(
    file: &str,
    prefix: &str,
    nodes: BTreeMap<String, Node>,
    into: &mut BTreeMap<String, Message>,
) -> Result<(), Diagnostic> {
    for (name, node) in nodes {
        let key = if prefix.is_empty() { name } else { format!("{prefix}.{name}") };
        match node {
            Node::Text(text) => {
                into.insert(key, Message::Text(text));
            }
            Node::Group(mut group) if group.contains_key("one") || group.contains_key("other") => {
                match (group.remove("one"), group.remove("other"), group.is_empty()) {
                    (Some(Node::Text(one)), Some(Node::Text(other)), true) => {
                        into.insert(key, Message::Plural { one, other });
                    }
                    _ => {
                        return Err(Diagnostic::error(
                            "invalid-locale",
                            format!(
                            "`{key}` has plural forms: it takes exactly `one:` and `other:`, each a string"
                        ),
                        )
                        .at(Location::file(Path::new(file))))
                    }
                }
            }
            Node::Group(group) => flatten(file, &key, group, into)?,
        }
    }
    Ok(())
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
    pub fn english() -> Locale {
        let english = LocaleSource::shipped(DEFAULT_LANGUAGE).into_iter().collect::<Vec<_>>();
        Locale::resolve(DEFAULT_LANGUAGE, &english, &[]).unwrap_or_else(|_| Locale::empty())
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

    /// `1 March 2026`, `1. März 2026`, `1er mars 2026`.
    pub fn long_date(&self, date: Date) -> String {
        let month = self.format.months.get(usize::from(date.month().unsigned_abs()).saturating_sub(1));
        let day = match (&self.format.first_day, date.day()) {
            (Some(first), 1) => first.clone(),
            (_, day) => day.to_string(),
        };
        self.format
            .date
            .replace("{day}", &day)
            .replace("{month}", month.map_or("", String::as_str))
            .replace("{year}", &date.year().to_string())
    }

    /// An integer with the language's group separator (`1.234` in German).
    pub fn number(&self, number: i64) -> String {
        let digits = number.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + 8);
        if number < 0 {
            out.push('-');
        }
        out.push_str(&group_digits(&digits, &self.format.group));
        out
    }

    /// A decimal with one digit after the separator (`12,5`).
    pub fn decimal(&self, value: f64) -> String {
        let text = format!("{value:.1}");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, "0"));
        let (sign, whole) = whole.strip_prefix('-').map_or(("", whole), |rest| ("-", rest));
        format!("{sign}{}{}{fraction}", group_digits(whole, &self.format.group), self.format.decimal)
    }

    /// `12%`, `12 %`.
    pub fn percent(&self, number: &str) -> String {
        self.format.percent.replace("{number}", number)
    }

    /// `532 bytes`, `1.4 KB`, `12,0 Mo`: powers of 1,024, one decimal, as `size::human_size`.
    pub fn file_size(&self, bytes: u64) -> String {
        let unit = |index: usize| self.format.units.get(index).map_or("", String::as_str);
        if bytes < 1024 {
            let number = self.number(i64::try_from(bytes).unwrap_or(i64::MAX));
            return self.format.size.replace("{number}", &number).replace("{unit}", unit(0));
        }
        let mut value = bytes as f64;
        let mut index = 0;
        while value >= 1024.0 && index < 4 {
            value /= 1024.0;
            index += 1;
        }
        self.format.size.replace("{number}", &self.decimal(value)).replace("{unit}", unit(index))
    }
}

fn group_digits(digits: &str, group: &str) -> String {
    if group.is_empty() || digits.len() < 4 {
        return digits.to_string();
    }
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * group.len());
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push_str(group);
        }
        out.push(digit);
    }
    out
}

fn brace_list(names: &[&str]) -> String {
    if names.is_empty() {
        return "none".to_string();
    }
    names.iter().map(|name| format!("{{{name}}}")).collect::<Vec<_>>().join(", ")
}

/// Where a dotted key's last part is written in a layer's file, for an error's location.
fn line_of_key(layer: &Layer, key: &str) -> Location {
    let last = key.rsplit('.').next().unwrap_or(key);
    let found = layer.text.lines().enumerate().find_map(|(index, line)| {
        let trimmed = line.trim_start();
        let column = line.len() - trimmed.len();
        trimmed.strip_prefix(last)?.trim_start().starts_with(':').then_some((index, column))
    });
    match found {
        Some((index, column)) => Location::at(
            Path::new(&layer.file),
            u32::try_from(index + 1).unwrap_or(0),
            u32::try_from(column + 1).unwrap_or(0),
        ),
        None => Location::file(Path::new(&layer.file)),
    }
}

impl RawFormat {
    fn overlay(&mut self, over: &RawFormat) {
        macro_rules! take {
            ($($field:ident),*) => { $(if over.$field.is_some() { self.$field = over.$field.clone(); })* };
        }
        take!(name, months, date, first_day, decimal, group, percent, size, units, plural_one);
    }

    fn complete(self, language: &str, file: &str) -> Result<Format, Diagnostic> {
        let mut missing = Vec::new();
        macro_rules! need {
            ($field:ident) => {
                match self.$field {
                    Some(value) => value,
                    None => {
                        missing.push(stringify!($field));
                        Default::default()
                    }
                }
            };
        }
        let format = Format {
            name: need!(name),
            months: need!(months),
            date: need!(date),
            first_day: self.first_day,
            decimal: need!(decimal),
            group: need!(group),
            percent: need!(percent),
            size: need!(size),
            units: need!(units),
            plural_one: need!(plural_one),
        };
        let location = Location::file(Path::new(file));
        if !missing.is_empty() {
            return Err(Diagnostic::error(
                "locale-incomplete",
                format!("the `{language}` locale lacks `locale:` fields: {}", missing.join(", ")),
            )
            .at(location)
            .hint("a new language gives every field of `locale:`; see themes/default/locales/en.yaml"));
        }
        if format.months.len() != 12 || format.units.len() != 5 {
            return Err(Diagnostic::error(
                "invalid-locale",
                format!("the `{language}` locale needs 12 `months` and 5 `units` (bytes, KB, MB, GB, TB)"),
            )
            .at(location));
        }
        // Each pattern holds exactly its placeholders, each once: a misspelt or missing one
        // would blank every date, percentage or size on the site.
        for (field, pattern, wanted) in [
            ("date", &format.date, &["day", "month", "year"][..]),
            ("percent", &format.percent, &["number"][..]),
            ("size", &format.size, &["number", "unit"][..]),
        ] {
            let mut found = pattern_placeholders(pattern);
            found.sort_unstable();
            let mut expected: Vec<Option<&str>> = wanted.iter().map(|w| Some(*w)).collect();
            expected.sort_unstable();
            if found != expected {
                return Err(Diagnostic::error(
                    "invalid-locale",
                    format!(
                        "the `{language}` locale's `{field}` pattern `{pattern}` must hold {} once each, and no other `{{…}}`",
                        wanted.iter().map(|w| format!("{{{w}}}")).collect::<Vec<_>>().join(", ")
                    ),
                )
                .at(location));
            }
        }
        Ok(format)
    }
}

/// The `{name}` placeholders of a pattern, in order; `None` for a brace that opens no
/// well-formed placeholder (`{day`, a lone `}`), so a broken pattern never matches.
fn pattern_placeholders(pattern: &str) -> Vec<Option<&str>> {
    let mut found = Vec::new();
    let mut rest = pattern;
    while let Some(at) = rest.find(['{', '}']) {
        if rest[at..].starts_with('}') {
            found.push(None);
            rest = &rest[at + 1..];
            continue;
        }
        match rest[at + 1..].find(['{', '}']) {
            Some(end) if rest[at + 1 + end..].starts_with('}') => {
                found.push(Some(&rest[at + 1..at + 1 + end]));
                rest = &rest[at + 2 + end..];
            }
            _ => {
                found.push(None);
                rest = &rest[at + 1..];
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_hold_their_placeholders() {
        assert_eq!(pattern_placeholders("{day}. {month} {year}"), [Some("day"), Some("month"), Some("year")]);
        assert_eq!(pattern_placeholders("{day"), [None]);
        assert_eq!(pattern_placeholders("{day} {bogus}"), [Some("day"), Some("bogus")]);
        assert_eq!(pattern_placeholders("%}"), [None]);
    }

    fn source(file: &str, text: &str) -> LocaleSource {
        LocaleSource { file: file.to_string(), text: text.to_string() }
    }

    fn shipped(language: &str) -> Locale {
        let english: Vec<LocaleSource> = LocaleSource::shipped("en").into_iter().collect();
        let own: Vec<LocaleSource> = LocaleSource::shipped(language).into_iter().collect();
        Locale::resolve(language, &english, &own).expect("a shipped locale resolves")
    }

    #[test]
    fn every_shipped_locale_resolves_and_has_every_english_key() {
        for (language, _) in SHIPPED {
            let locale = shipped(language);
            assert_eq!(locale.keys().count(), shipped("en").keys().count(), "{language}");
        }
    }

    #[test]
    fn dates_read_as_each_language_writes_them() {
        let date = Date::parse("2026-03-01").unwrap();
        assert_eq!(shipped("en").long_date(date), "1 March 2026");
        assert_eq!(shipped("de").long_date(date), "1. März 2026");
        assert_eq!(shipped("fr").long_date(date), "1er mars 2026");
        let date = Date::parse("2026-11-20").unwrap();
        assert_eq!(shipped("de").long_date(date), "20. November 2026");
        assert_eq!(shipped("fr").long_date(date), "20 novembre 2026");
    }

    #[test]
    fn numbers_use_the_language_separators() {
        assert_eq!(shipped("en").number(1234567), "1234567");
        assert_eq!(shipped("de").number(1234567), "1.234.567");
        assert_eq!(shipped("fr").number(1234), "1\u{202f}234");
        assert_eq!(shipped("de").number(999), "999");
        assert_eq!(shipped("de").percent(&shipped("de").decimal(12.5)), "12,5\u{a0}%");
        assert_eq!(shipped("fr").percent("12"), "12\u{202f}%");
        assert_eq!(shipped("en").percent("12"), "12%");
    }

    #[test]
    fn file_sizes_read_as_before_in_english() {
        let english = shipped("en");
        for bytes in [0, 1023, 1024, 1536, 5 * 1024 * 1024, 3 << 40, u64::MAX] {
            assert_eq!(english.file_size(bytes), crate::size::human_size(bytes), "{bytes}");
        }
        assert_eq!(shipped("de").file_size(1536), "1,5\u{a0}KB");
        assert_eq!(shipped("fr").file_size(5 * 1024 * 1024), "5,0\u{a0}Mo");
        assert_eq!(shipped("fr").file_size(12), "12\u{a0}octets");
    }

    #[test]
    fn plural_forms_follow_the_language_rule() {
        let english = shipped("en");
        let fill = |locale: &Locale, count: i64| {
            locale.fill("audits.open_findings", Some(count), |_| Ok(count.to_string())).unwrap()
        };
        assert_eq!(fill(&english, 1), "1 open finding");
        assert_eq!(fill(&english, 0), "0 open findings");
        let french = shipped("fr");
        assert_eq!(fill(&french, 0), fill(&french, 1).replace('1', "0"));
    }

    #[test]
    fn a_theme_may_override_a_string_and_add_a_language() {
        let english: Vec<LocaleSource> = LocaleSource::shipped("en").into_iter().collect();
        let mut german: Vec<LocaleSource> = LocaleSource::shipped("de").into_iter().collect();
        german.push(source("theme/locales/de.yaml", "strings:\n  nav:\n    overview: Start\n"));
        let locale = Locale::resolve("de", &english, &german).unwrap();
        assert_eq!(locale.text("nav.overview"), "Start");
        assert_eq!(locale.text("nav.policies"), "Richtlinien");

        // A new language from a copy of German with its own name: complete, so it resolves.
        let dutch_text =
            LocaleSource::shipped("de").unwrap().text.replace("name: Deutsch", "name: Nederlands");
        let dutch = Locale::resolve("nl", &english, &[source("theme/locales/nl.yaml", &dutch_text)]).unwrap();
        assert_eq!(dutch.language, "nl");
        assert_eq!(dutch.format.name, "Nederlands");
    }

    #[test]
    fn a_partial_language_is_an_error_naming_the_missing_keys() {
        let english: Vec<LocaleSource> = LocaleSource::shipped("en").into_iter().collect();
        let partial = "locale:\n  name: Nederlands\nstrings:\n  nav:\n    overview: Overzicht\n";
        let error = Locale::resolve("nl", &english, &[source("theme/locales/nl.yaml", partial)]).unwrap_err();
        assert_eq!(error.code, "locale-incomplete");
        assert!(
            error.message.contains("access.active") && !error.message.contains("nav.overview"),
            "{}",
            error.message
        );
        assert!(error.message.contains(" more"), "{}", error.message);
    }

    #[test]
    fn a_misspelt_key_or_placeholder_is_an_error() {
        let english: Vec<LocaleSource> = LocaleSource::shipped("en").into_iter().collect();
        let mut german: Vec<LocaleSource> = LocaleSource::shipped("de").into_iter().collect();
        german.push(source("theme/locales/de.yaml", "strings:\n  nav:\n    overveiw: Start\n"));
        let error = Locale::resolve("de", &english, &german).unwrap_err();
        assert_eq!(error.code, "unknown-locale-key");
        assert!(error.hint.as_deref().unwrap_or_default().contains("nav.overview"));

        german.pop();
        german.push(source("theme/locales/de.yaml", "strings:\n  nav:\n    overview: Start {name}\n"));
        let error = Locale::resolve("de", &english, &german).unwrap_err();
        assert_eq!(error.code, "invalid-locale");

        // A date, percent or size pattern that would blank what it formats.
        for broken in
            ["date: \"{day\"", "date: \"{day} {bogus} {year}\"", "percent: \"%\"", "size: \"{number}\""]
        {
            german.pop();
            german.push(source("theme/locales/de.yaml", &format!("locale:\n  {broken}\n")));
            let error = Locale::resolve("de", &english, &german).unwrap_err();
            assert_eq!(error.code, "invalid-locale", "{broken}");
            assert!(error.message.contains("pattern"), "{broken}: {}", error.message);
        }
    }

    #[test]
    fn language_tags() {
        assert!(is_language_tag("de") && is_language_tag("pt-BR") && is_language_tag("gsw"));
        assert!(
            !is_language_tag("DE")
                && !is_language_tag("german")
                && !is_language_tag("de_")
                && !is_language_tag("")
        );
    }
}
