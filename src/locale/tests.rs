use crate::date::Date;

use super::file::pattern_placeholders;
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
    let dutch_text = LocaleSource::shipped("de").unwrap().text.replace("name: Deutsch", "name: Nederlands");
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
    for broken in ["date: \"{day\"", "date: \"{day} {bogus} {year}\"", "percent: \"%\"", "size: \"{number}\""]
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
