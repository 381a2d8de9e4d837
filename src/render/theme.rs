//! The theme: minijinja templates and static files. The default theme is embedded in the
//! binary; a theme folder named in `site.yaml` overrides any of its files by name
//! (`templates/policy.html`, `static/style.css`) and may add static files of its own. With a
//! theme folder, every default template is also registered as `default/<name>`, so a theme
//! can extend the default page and replace one block:
//! `{% extends "default/policy.html" %}{% block content %}…{% endblock %}`.
//! A theme's `locales/<language>.yaml` overrides strings of a shipped language or adds a
//! language (see `crate::locale`).

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Location};
use crate::load::ContentRoot;
use crate::locale::{self, Locale, LocaleSource};

macro_rules! embed {
    ($($kind:literal / $name:literal),* $(,)?) => {
        &[$(($kind, $name, include_bytes!(concat!("../../themes/default/", $kind, "/", $name)))),*]
    };
}

const DEFAULT_FILES: &[(&str, &str, &[u8])] = embed![
    "templates" / "base.html",
    "templates" / "nav.html",
    "templates" / "macros.html",
    "templates" / "overview.html",
    "templates" / "policies.html",
    "templates" / "policy.html",
    "templates" / "policy_changes.html",
    "templates" / "soa.html",
    "templates" / "control.html",
    "templates" / "certifications.html",
    "templates" / "documents.html",
    "templates" / "subprocessors.html",
    "templates" / "faq.html",
    "templates" / "updates.html",
    "templates" / "update.html",
    "templates" / "risks.html",
    "templates" / "access.html",
    "templates" / "audits.html",
    "templates" / "audit.html",
    "templates" / "reviews.html",
    "templates" / "scope.html",
    "templates" / "review.html",
    "templates" / "evidence.html",
    "templates" / "404.html",
    "templates" / "feed.xml",
    "templates" / "subprocessors-feed.xml",
    "templates" / "search.html",
    "templates" / "frameworks.html",
    "templates" / "framework.html",
    "templates" / "health.html",
    "static" / "style.css",
    "static" / "site.js",
    "static" / "search.js",
    "static" / "questionnaire.js",
    "static" / "questionnaire/worker.js",
    "static" / "questionnaire/engine.js",
    "static" / "questionnaire/csv.js",
    "static" / "questionnaire/workbook.js",
    "static" / "favicon.svg",
];

#[derive(Debug, Clone, Default)]
pub struct Theme {
    /// Template name → source.
    pub templates: BTreeMap<String, String>,
    /// Path under `assets/` → bytes.
    pub statics: BTreeMap<String, Vec<u8>>,
    /// The theme folder's locale files (`locales/de.yaml`), by language; the shipped ones
    /// are in `crate::locale::SHIPPED`.
    pub locales: BTreeMap<String, LocaleSource>,
}

impl Theme {
    /// The default theme's files as (`templates/policy.html`, bytes), for `init --theme`: the
    /// themable ones, and the shipped locales (`locales/de.yaml`), to translate or adjust. The questionnaire filler (`static/questionnaire/`) is not themable: it
    /// must decide exactly as `trustpress answer` does, so a theme cannot replace it.
    pub fn default_files() -> impl Iterator<Item = (String, &'static [u8])> {
        let locales = locale::SHIPPED
            .iter()
            .map(|(language, text)| (format!("{}/{language}.yaml", locale::LOCALES_FOLDER), text.as_bytes()));
        DEFAULT_FILES
            .iter()
            .filter(|(_, name, _)| !name.contains('/'))
            .map(|(kind, name, bytes)| (format!("{kind}/{name}"), *bytes))
            .chain(locales)
    }

    pub fn default_theme() -> Theme {
        let mut theme = Theme::default();
        for (kind, name, bytes) in DEFAULT_FILES {
            match *kind {
                "templates" => {
                    theme.templates.insert((*name).to_string(), String::from_utf8_lossy(bytes).into_owned());
                }
                _ => {
                    theme.statics.insert((*name).to_string(), bytes.to_vec());
                }
            }
        }
        theme
    }

    /// The default theme with the user's folder (content-relative) laid over it.
    pub fn with_overrides(root: &ContentRoot, folder: &str) -> Result<Theme, Diagnostic> {
        let mut theme = Theme::default_theme();
        let defaults: Vec<(String, String)> = theme
            .templates
            .iter()
            .map(|(name, source)| (format!("default/{name}"), source.clone()))
            .collect();
        theme.templates.extend(defaults);
        let base = Path::new(folder);
        let absolute = root.join(base);
        if !absolute.is_dir() {
            return Err(Diagnostic::error("missing-file", format!("theme folder `{folder}` does not exist"))
                .at(Location::file("site.yaml"))
                .hint("`theme:` names a folder, relative to site.yaml, holding templates/ and static/"));
        }
        root.ensure_inside(base)?;
        for file in root.list(&format!("{folder}/{}", locale::LOCALES_FOLDER), &["yaml"])? {
            let text = root.read_text(&file)?;
            let language = file.file_stem().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            if !locale::is_language_tag(&language) {
                return Err(Diagnostic::error(
                    "invalid-locale",
                    format!("`{language}` is not a language tag; a locale file is named for its language"),
                )
                .at(Location::file(&file))
                .hint("name it like `de.yaml`, `nl.yaml` or `pt-BR.yaml`"));
            }
            theme.locales.insert(language, LocaleSource { file: file.display().to_string(), text });
        }
        for file in root.list(&format!("{folder}/templates"), &["html", "xml", "txt"])? {
            let text = root.read_text(&file)?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            theme.templates.insert(name, text);
        }
        let static_folder = format!("{folder}/static");
        for file in root.list(
            &static_folder,
            &["css", "js", "svg", "png", "jpg", "jpeg", "webp", "ico", "woff", "woff2"],
        )? {
            let absolute = root.ensure_inside(&file)?;
            let bytes = crate::load::read_regular(&absolute).map_err(|error| {
                Diagnostic::error("io-error", format!("cannot read theme file: {error}"))
                    .at(Location::file(&file))
            })?;
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            theme.statics.insert(name, bytes);
        }
        Ok(theme)
    }

    /// Adds the brand from site.yaml (already checked by the loader): its files under their
    /// `assets/brand-*` names, and `assets/palette.css` for a brand colour. Templates find
    /// them through `site.brand`.
    pub fn add_brand(&mut self, brand: &crate::config::Brand, root: &ContentRoot) -> Result<(), Diagnostic> {
        for (file, path) in crate::brand::files(brand) {
            let path = Path::new(path);
            let bytes = crate::load::read_regular(&root.join(path)).map_err(|error| {
                Diagnostic::error("io-error", format!("cannot read brand.{}: {error}", file.key))
                    .at(Location::file("site.yaml"))
            })?;
            let asset = crate::brand::asset_path(file, path);
            self.statics.insert(asset.trim_start_matches("assets/").to_string(), bytes);
        }
        if let Some(palette) = brand.color.as_deref().and_then(|color| crate::brand::palette(color).ok()) {
            self.statics.insert(crate::brand::PALETTE_ASSET.to_string(), palette.css().into_bytes());
        }
        Ok(())
    }

    /// The locale of `language`: English, then the shipped file of the language, then the
    /// theme's, each over the one before.
    pub fn locale(&self, language: &str) -> Result<Locale, Diagnostic> {
        // English without a theme's own English strings is the shipped English as it is.
        if language == locale::DEFAULT_LANGUAGE && !self.locales.contains_key(language) {
            return Ok(Locale::english().clone());
        }
        let layers = |language: &str| -> Vec<LocaleSource> {
            LocaleSource::shipped(language).into_iter().chain(self.locales.get(language).cloned()).collect()
        };
        Locale::resolve(language, &layers(locale::DEFAULT_LANGUAGE), &layers(language))
    }
}
