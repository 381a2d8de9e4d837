//! The interface language: `site.yaml` `language:` switches every page's words, dates and
//! numbers; a theme adds or overrides a locale; other editions are linked with `hreflang`.
//! Content stays in the language it is written in.

use std::path::{Path, PathBuf};

use crate::common::{build, build_error, copy_tree, example_content, read_tree, text};

/// The example content at `dir/content` with `lines` added to its site.yaml.
fn example_with(dir: &Path, lines: &str) -> PathBuf {
    let content = dir.join("content");
    copy_tree(&example_content(), &content);
    let site = content.join("site.yaml");
    let mut yaml = std::fs::read_to_string(&site).unwrap();
    yaml.push_str(lines);
    std::fs::write(site, yaml).unwrap();
    content
}

/// The part of a page between `start` and the first `end` after it.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page.find(start).unwrap_or_else(|| panic!("no `{start}` in:\n{page}"));
    let rest = &page[from..];
    &rest[..rest.find(end).map_or(rest.len(), |to| to + end.len())]
}

fn write(content: &Path, path: &str, text: &str) {
    let path = content.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_german_site_has_german_words_dates_and_numbers_and_keeps_its_content() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: de\n");
    let out = dir.path().join("site");
    build(&content, &out, "internal").success();
    let tree = read_tree(&out);

    let overview = text(&tree, "index.html");
    assert!(overview.starts_with("<!doctype html>\n<html lang=\"de\">"), "{overview}");
    let header = between(&overview, "<body", "</header>");
    let footer = between(&overview, "<footer", "</footer>");
    for german in [
        "Zum Inhalt springen",
        ">Übersicht</a>",
        ">Richtlinien</a>",
        ">Maßnahmen</a>",
        ">Unterauftragsverarbeiter</a>",
    ] {
        assert!(header.contains(german), "`{german}` in:\n{header}");
    }
    assert!(footer.contains("Stand: <time datetime=\"2026-11-21\">21. November 2026</time>"), "{footer}");
    for english in [
        "Skip to content",
        ">Overview<",
        ">Policies<",
        ">Controls<",
        "Report a vulnerability",
        "Information as of",
        "Updates feed",
    ] {
        assert!(!header.contains(english) && !footer.contains(english), "`{english}` on the German overview");
    }
    // The overview's own words too; the cards and descriptions are content, as written.
    let main = between(&overview, "<main", "</main>");
    for german in [
        "Sicherheit bei Halcyon Ledger",
        "Sicherheit auf einen Blick",
        "Umgesetzte Maßnahmen",
        "Kontinuierliche Überwachung",
        "Zertifizierungen und Testate",
        "Gültig bis <time datetime=\"2028-10-19\">19. Oktober 2028</time>",
        "Kontakt zum Sicherheitsteam",
        "90\u{a0}%",
    ] {
        assert!(main.contains(german), "`{german}` on the German overview:\n{main}");
    }
    for english in [
        "Security at",
        "Answer a security questionnaire",
        "Controls implemented",
        "Monitored checks",
        "currently valid",
        "Continuous monitoring",
        "All certifications",
        "Resources",
        "All updates",
        "Valid until",
        "with warnings",
    ] {
        assert!(!main.contains(english), "`{english}` on the German overview:\n{main}");
    }
    assert!(main.contains("EU only, in Germany with recovery in Ireland"), "the cards stay as written");

    let soa = text(&tree, "soa/index.html");
    let main = between(&soa, "<main", "</main>");
    assert!(
        soa.contains("<title>Erklärung zur Anwendbarkeit · Halcyon Ledger Trust Center</title>"),
        "{soa}"
    );
    assert!(main.contains("<time datetime=\"2026-09-15\">15. September 2026</time>"), "{main}");
    for english in [
        "Statement of Applicability",
        "All themes",
        "All statuses",
        "Partially implemented",
        "Not applicable",
        ">Implemented<",
        ">Search ",
        "approved by",
    ] {
        assert!(!main.contains(english), "`{english}` on the German SoA page:\n{main}");
    }
    // Content is not translated: the control titles of the catalog and the team's text stay.
    assert!(main.contains("Policies for information security"), "{main}");

    let health = text(&tree, "health/index.html");
    assert!(health.contains("Risiko-Heatmap") && health.contains("Eintrittswahrscheinlichkeit"), "{health}");
    // What holds a step of the management cycle up is said in German too.
    assert!(health.contains("<li>1 Kontrollprüfung fehlgeschlagen</li>"), "{health}");
    assert!(!health.contains("control check failing"), "{health}");
    let feed = text(&tree, "updates/feed.xml");
    assert!(
        feed.contains("xml:lang=\"de\"") && feed.contains("Sicherheitsmeldungen von Halcyon Ledger"),
        "{feed}"
    );
    // The scripts get their strings from a file (the Content-Security-Policy allows no
    // inline script), loaded before them.
    let strings = text(&tree, "assets/strings.js");
    assert!(strings.contains("\"table\":\"Tabelle\""), "{strings}");
    assert!(overview.contains("<script src=\"assets/strings.js\" defer></script>"), "{overview}");
}

#[test]
fn an_english_site_is_as_it_was_before_languages() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    build(&example_content(), &out, "public").success();
    let tree = read_tree(&out);
    let overview = text(&tree, "index.html");
    // No strings file, no hreflang, and the head's lines as they were.
    assert!(!tree.contains_key("assets/strings.js") && !overview.contains("hreflang"), "{overview}");
    assert!(
        overview.contains("type=\"image/svg+xml\">\n<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Halcyon Ledger security updates\""),
        "{overview}"
    );
    assert!(overview.starts_with("<!doctype html>\n<html lang=\"en\">"), "{overview}");
}

#[test]
fn a_french_site_writes_numbers_dates_and_sizes_the_french_way() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: fr\n");
    let out = dir.path().join("site");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let frameworks = text(&tree, "frameworks/index.html");
    assert!(
        frameworks.contains("<html lang=\"fr\">") && frameworks.contains("\u{202f}%</span>"),
        "{frameworks}"
    );
    assert!(frameworks.contains(">Référentiels</h1>"), "{frameworks}");
    // (`1er mars 2026` for a first day: see the unit tests of `locale`.)
    assert!(
        frameworks.contains("Informations au <time datetime=\"2026-11-21\">21 novembre 2026</time>"),
        "{frameworks}"
    );
    let certifications = text(&tree, "certifications/index.html");
    assert!(certifications.contains("\u{a0}Ko</span>"), "a file size in French units:\n{certifications}");
}

#[test]
fn an_unknown_language_is_an_error_at_its_line_listing_the_languages() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: dk\n");
    let line = std::fs::read_to_string(content.join("site.yaml")).unwrap().lines().count();
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("unknown language `dk`"), "{stderr}");
    assert!(stderr.contains(&format!("site.yaml:{line}:11")), "{stderr}");
    assert!(stderr.contains("available languages: en, de, fr"), "{stderr}");
}

#[test]
fn a_theme_adds_a_language_and_overrides_strings_of_another() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: nl\ntheme: brand\n");
    // A complete Dutch locale, made here from the German one with some strings in Dutch.
    let german =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/locales/de.yaml"))
            .unwrap();
    let dutch = german
        .replace("name: Deutsch", "name: Nederlands")
        .replace("overview: Übersicht", "overview: Overzicht")
        .replace("skip_to_content: Zum Inhalt springen", "skip_to_content: Naar de inhoud");
    write(&content, "brand/locales/nl.yaml", &dutch);
    let out = dir.path().join("site");
    build(&content, &out, "public").success();
    let page = text(&read_tree(&out), "soa/index.html");
    assert!(
        page.contains("<html lang=\"nl\">")
            && page.contains(">Overzicht</a>")
            && page.contains("Naar de inhoud"),
        "{page}"
    );

    // A German site whose theme renames one navigation label.
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: de\ntheme: brand\n");
    write(&content, "brand/locales/de.yaml", "strings:\n  nav:\n    overview: Startseite\n");
    let out = dir.path().join("site");
    build(&content, &out, "public").success();
    let page = text(&read_tree(&out), "soa/index.html");
    assert!(page.contains(">Startseite</a>") && page.contains(">Richtlinien</a>"), "{page}");
}

#[test]
fn a_partial_or_misspelt_locale_is_an_error_not_a_page_in_two_languages() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: nl\ntheme: brand\n");
    write(
        &content,
        "brand/locales/nl.yaml",
        "locale:\n  name: Nederlands\nstrings:\n  nav:\n    overview: Overzicht\n",
    );
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("the `nl` strings lack") && stderr.contains("brand/locales/nl.yaml"), "{stderr}");

    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: de\ntheme: brand\n");
    write(&content, "brand/locales/de.yaml", "strings:\n  nav:\n    overveiw: Startseite\n");
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("`nav.overveiw` is not a key of the English strings"), "{stderr}");
    assert!(stderr.contains("brand/locales/de.yaml:3:5") && stderr.contains("nav.overview"), "{stderr}");
}

#[test]
fn an_unknown_key_in_a_template_is_an_error_naming_template_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "theme: brand\n");
    write(
        &content,
        "brand/templates/documents.html",
        "{% extends \"base.html\" %}{% block content %}\n<h1>{{ t(\"documents.heading\") }}</h1>{% endblock %}",
    );
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("unknown locale key `documents.heading`"), "{stderr}");
    assert!(stderr.contains("templates/documents.html:2"), "{stderr}");
}

#[test]
fn other_editions_are_linked_with_hreflang() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(
        dir.path(),
        "language: de\ntranslations:\n  en: https://trust.halcyon-ledger.example\n  fr: https://trust.halcyon-ledger.example/fr/\n",
    );
    // This edition lives under /de/.
    crate::common::edit(
        &content.join("site.yaml"),
        "base_url: https://trust.halcyon-ledger.example",
        "base_url: https://trust.halcyon-ledger.example/de",
    );
    let out = dir.path().join("site");
    build(&content, &out, "public").success();
    let page = text(&read_tree(&out), "soa/index.html");
    for link in [
        "<link rel=\"alternate\" hreflang=\"de\" href=\"https://trust.halcyon-ledger.example/de/soa/\">",
        "<link rel=\"alternate\" hreflang=\"en\" href=\"https://trust.halcyon-ledger.example/soa/\">",
        "<link rel=\"alternate\" hreflang=\"fr\" href=\"https://trust.halcyon-ledger.example/fr/soa/\">",
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://trust.halcyon-ledger.example/soa/\">",
    ] {
        assert!(page.contains(link), "`{link}` in:\n{page}");
    }

    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "translations:\n  en: https://elsewhere.example/\n");
    let stderr = build_error(&content, &dir.path().join("out"), "public");
    assert!(stderr.contains("`translations` lists `en`, the language of this site itself"), "{stderr}");
}

/// The words the site itself gives content (the FAQ category of an answer without one, the
/// questionnaire search's kinds of entry) follow the site's language too.
#[test]
fn a_german_site_names_its_own_categories_in_german() {
    let dir = tempfile::tempdir().unwrap();
    let content = example_with(dir.path(), "language: de\n");
    write(
        &content,
        "faq/uncategorised.yaml",
        "- id: FAQ-NOCAT\n  question: Gibt es eine Frage ohne Kategorie?\n  answer: |\n    Ja.\n  audience: public\n",
    );
    let out = dir.path().join("site");
    build(&content, &out, "public").success();
    let tree = read_tree(&out);
    let faq = text(&tree, "faq/index.html");
    assert!(faq.contains("Allgemein"), "the default category in German");
    assert!(!faq.contains(">General<"), "no English default category");
    let search = text(&tree, "search/index.html");
    for category in ["Allgemein", "Richtlinien", "Maßnahmen"] {
        assert!(
            search.contains(&format!("data-category=\"{category}\"")),
            "the search's `{category}` filter"
        );
    }
    for english in ["General", "Policies", "Controls"] {
        assert!(!search.contains(&format!("data-category=\"{english}\"")), "no English `{english}`");
    }
}
