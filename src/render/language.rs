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
        script_strings: script_strings(locale) != script_strings(&Locale::english()),
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
