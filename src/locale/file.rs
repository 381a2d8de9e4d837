//! A locale file as written: its strings flattened to dotted keys, its `locale:` fields laid
//! over those of the files before it, and checked complete when all are read.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Location};

use super::{Format, LocaleSource, Message};

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
pub(super) struct RawFormat {
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
pub(super) struct Layer {
    pub(super) file: String,
    text: String,
    pub(super) format: RawFormat,
    pub(super) messages: BTreeMap<String, Message>,
}

pub(super) fn parse_layer(source: &LocaleSource) -> Result<Layer, Diagnostic> {
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

/// Where a dotted key's last part is written in a layer's file, for an error's location.
pub(super) fn line_of_key(layer: &Layer, key: &str) -> Location {
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
    pub(super) fn overlay(&mut self, over: &RawFormat) {
        macro_rules! take {
            ($($field:ident),*) => { $(if over.$field.is_some() { self.$field = over.$field.clone(); })* };
        }
        take!(name, months, date, first_day, decimal, group, percent, size, units, plural_one);
    }

    pub(super) fn complete(self, language: &str, file: &str) -> Result<Format, Diagnostic> {
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
pub(super) fn pattern_placeholders(pattern: &str) -> Vec<Option<&str>> {
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
