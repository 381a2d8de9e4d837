//! The loaders of the YAML files: `site.yaml`, the framework catalogs, the SoA, the
//! certifications, documents, control checks, subprocessors, FAQ answers, the evidence index
//! and the risk register. Each reports its problems and loads what it can.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_saphyr::Spanned;

use super::{cache, line_of, path_error, spanned_location, starts_with_list, Loader};
use crate::catalog::{self, Catalog, Catalogs};
use crate::config::SiteConfig;
use crate::diagnostic::{Diagnostic, Location};
use crate::model::*;

impl Loader<'_> {
    pub(super) fn site(&mut self) -> Option<SiteConfig> {
        let file = Path::new("site.yaml");
        if !self.exists("site.yaml") {
            self.report(
                Diagnostic::error("missing-site-yaml", "the content folder has no site.yaml")
                    .at(Location::file(file))
                    .hint("create site.yaml with organization.name, base_url and contact.security_email, or run `trustpress init`"),
            );
            return None;
        }
        let mut site = self.yaml_file::<SiteConfig>(file)?;
        self.brand(&mut site);
        self.check_languages(&site);
        // The cards are on the public overview and site.yaml has no audience: a fence in a
        // card would ask for a cut that nothing makes.
        let fenced: Vec<&str> = site
            .overview
            .iter()
            .filter(|card| {
                [&card.title, &card.text, &card.link]
                    .iter()
                    .any(|t| t.lines().any(|l| l.trim_start().starts_with(":::")))
            })
            .map(|card| card.title.as_str())
            .collect();
        if !fenced.is_empty() {
            let text = self.root.read_text(Path::new("site.yaml")).unwrap_or_default();
            let overview_line = line_of(&text, 1, "overview:");
            for title in fenced {
                let line = line_of(&text, overview_line, ":::");
                self.report(
                    Diagnostic::error(
                        "audience-block-in-card",
                        format!("the overview card \"{title}\" holds an audience block (`:::`)"),
                    )
                    .at(Location::at("site.yaml", line, 1))
                    .hint("the overview's cards are public, whole: write what every reader may see, and keep the rest in a policy or an answer with its own audience"),
                );
            }
        }
        if let Some(as_of) = site.as_of {
            let (first, last) = crate::date::Date::build_range();
            if as_of < first || as_of > last {
                let text = self.root.read_text(Path::new("site.yaml")).unwrap_or_default();
                let line = line_of(&text, 1, "as_of:");
                self.report(
                    Diagnostic::error(
                        "invalid-date",
                        format!("as_of `{as_of}` is out of range: a build date is from {first} to {last}"),
                    )
                    .at(Location::at("site.yaml", line, 1)),
                );
                site.as_of = None;
            }
        }
        Some(site)
    }

    /// Checks site.yaml's `brand:` and leaves each brand file's path normalised (relative
    /// to the content folder), or unset when it cannot be used.
    fn brand(&mut self, site: &mut SiteConfig) {
        use crate::brand;
        let text = self.root.read_text(Path::new("site.yaml")).unwrap_or_default();
        let brand_line = line_of(&text, 1, "brand:");
        let at = |key: &str, value: &str| {
            let line = line_of(&text, brand_line, &format!("{key}:"));
            let column = text
                .lines()
                .nth(line as usize - 1)
                .and_then(|l| l.find(value).or_else(|| l.find(key)))
                .map_or(1, |c| c as u32 + 1);
            Location::at("site.yaml", line, column)
        };
        if let Some(logo) = site.organization.logo.take() {
            if site.brand.logo.is_some() {
                self.report(
                    Diagnostic::error(
                        "duplicate-key",
                        "the logo is set twice: `organization.logo` and `brand.logo`",
                    )
                    .at(at("logo", &logo))
                    .hint("keep `brand.logo` and remove `organization.logo`"),
                );
            } else {
                site.brand.logo = Some(logo);
            }
        }
        let mut files = Vec::new();
        for (file, written) in brand::files(&site.brand) {
            match brand::resolve(self.root, file, written, at(file.key, written)) {
                Ok(path) => files.push((file.key, Some(path.to_string_lossy().into_owned()))),
                Err(diagnostic) => {
                    self.report(diagnostic);
                    files.push((file.key, None));
                }
            }
        }
        for (key, path) in files {
            let slot = match key {
                "logo" => &mut site.brand.logo,
                "logo_dark" => &mut site.brand.logo_dark,
                "favicon" => &mut site.brand.favicon,
                _ => &mut site.brand.hero,
            };
            *slot = path;
        }
        if site.brand.logo_dark.is_some() && site.brand.logo.is_none() {
            self.report(
                Diagnostic::error("invalid-brand-file", "brand.logo_dark is set without brand.logo")
                    .at(at("logo_dark", "logo_dark"))
                    .hint("`logo_dark` is the dark-mode variant of `logo`: set `logo` too"),
            );
        }
        if site.brand.hero.is_some() && site.brand.hero_alt.is_none() {
            self.report(
                Diagnostic::error("missing-field", "brand.hero is set without brand.hero_alt")
                    .at(at("hero", "hero"))
                    .hint("describe the image for readers who cannot see it, or write `hero_alt: \"\"` when it is decoration only"),
            );
        }
        if let Some(color) = &site.brand.color {
            if let Err(error) = brand::palette(color) {
                let hint = match &error {
                    brand::ColorError::LowContrast { suggestion, .. } => {
                        format!("the closest darker shade that passes is `{suggestion}`")
                    }
                    brand::ColorError::Unreadable => "a six-digit hex colour, with the `#`".to_string(),
                };
                self.report(
                    Diagnostic::error("brand-color-contrast", format!("brand.color `{color}` {error}"))
                        .at(at("color", color))
                        .hint(hint),
                );
                site.brand.color = None;
            }
        }
    }

    /// The site's language must be one the default theme ships or the theme folder adds,
    /// and each other edition in `translations` must be named by a language tag.
    fn check_languages(&mut self, site: &SiteConfig) {
        let mut known: Vec<String> =
            crate::locale::SHIPPED.iter().map(|(name, _)| (*name).to_string()).collect();
        if let Some(theme) = &site.theme {
            let folder = format!("{theme}/{}", crate::locale::LOCALES_FOLDER);
            for file in self.root.list(&folder, &["yaml"]).unwrap_or_default() {
                if let Some(language) = file.file_stem().and_then(|n| n.to_str()) {
                    if !known.iter().any(|k| k == language) {
                        known.push(language.to_string());
                    }
                }
            }
        }
        let site_text = self.root.read_text(Path::new("site.yaml")).unwrap_or_default();
        let at = |needle: &str, value: &str| {
            let line = line_of(&site_text, 1, needle);
            let column = site_text
                .lines()
                .nth(line as usize - 1)
                .and_then(|l| l.find(value))
                .map_or(0, |c| c as u32 + 1);
            Location::at("site.yaml", line, column)
        };
        if !known.contains(&site.language) {
            let hint = match crate::diagnostic::suggest::closest(&site.language, known.iter().map(String::as_str)) {
                Some(best) if best != site.language => format!(
                    "did you mean `{best}`? available languages: {}; a theme adds one as locales/<language>.yaml",
                    known.join(", ")
                ),
                _ => format!(
                    "available languages: {}; a theme adds one as locales/<language>.yaml",
                    known.join(", ")
                ),
            };
            self.report(
                Diagnostic::error("unknown-language", format!("unknown language `{}`", site.language))
                    .at(at("language:", &site.language))
                    .hint(hint),
            );
        }
        for (language, url) in &site.translations {
            let problem = if !crate::locale::is_language_tag(language) {
                Some(format!("`{language}` in `translations` is not a language tag"))
            } else if *language == site.language {
                Some(format!("`translations` lists `{language}`, the language of this site itself"))
            } else if !(url.starts_with("https://") || url.starts_with("http://")) {
                Some(format!("the `{language}` edition's address `{url}` is not an absolute http(s) URL"))
            } else {
                None
            };
            if let Some(problem) = problem {
                self.report(
                    Diagnostic::error("invalid-translations", problem)
                        .at(at(&format!("{language}:"), language))
                        .hint("`translations` maps each other language edition to its base URL, like `de: https://trust.example/de/`"),
                );
            }
        }
    }

    pub(super) fn catalogs(&mut self, site: &SiteConfig) -> Catalogs {
        let mut catalogs = Catalogs::default();
        for builtin in catalog::built_in() {
            catalogs.all.insert(builtin.id.clone(), builtin);
        }
        let files = self.list("frameworks", &["yaml", "yml"]);
        for file in files {
            let Some(mut custom) = self.yaml_file::<Catalog>(&file) else { continue };
            custom.source = Some(Location::file(&file));
            if catalogs.all.contains_key(&custom.id) {
                self.report(
                    Diagnostic::error(
                        "duplicate-id",
                        format!("framework id `{}` is already taken", custom.id),
                    )
                    .at(Location::file(&file)),
                );
                continue;
            }
            catalogs.all.insert(custom.id.clone(), custom);
        }
        let site_text = self.root.read_text(Path::new("site.yaml")).unwrap_or_default();
        let frameworks_line = line_of(&site_text, 1, "frameworks:");
        for id in &site.frameworks {
            // `soc2` and `soc2-2017` name one catalog: enabled once, under its versioned id.
            if let Some(resolved) = catalog::resolve(&catalogs.all, id) {
                if !catalogs.enabled.iter().any(|enabled| enabled == resolved) {
                    catalogs.enabled.push(resolved.to_string());
                }
            } else {
                let aliases = catalog::ALIASES.iter().filter(|(alias, versioned)| {
                    !catalogs.all.contains_key(*alias) && catalogs.all.contains_key(*versioned)
                });
                let known: Vec<&str> = catalogs.all.keys().map(String::as_str).collect();
                let names: Vec<String> = known
                    .iter()
                    .map(|id| match aliases.clone().find(|(_, versioned)| versioned == id) {
                        Some((alias, _)) => format!("{id} (or {alias})"),
                        None => id.to_string(),
                    })
                    .collect();
                let candidates = known.iter().copied().chain(aliases.map(|(alias, _)| *alias));
                let line = line_of(&site_text, frameworks_line, id);
                let column = site_text
                    .lines()
                    .nth(line as usize - 1)
                    .and_then(|l| l.find(id.as_str()))
                    .map_or(0, |c| c as u32 + 1);
                let hint = match crate::diagnostic::suggest::closest(id, candidates) {
                    Some(best) => format!("did you mean `{best}`? known frameworks: {}", names.join(", ")),
                    None => format!(
                        "known frameworks: {}; custom ones load from frameworks/*.yaml",
                        names.join(", ")
                    ),
                };
                self.report(
                    Diagnostic::error("unknown-framework", format!("unknown framework `{id}`"))
                        .at(Location::at("site.yaml", line, column))
                        .hint(hint),
                );
            }
        }
        Catalogs::new(catalogs.all, catalogs.enabled)
    }

    pub(super) fn soa(&mut self) -> Soa {
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawSoa {
            #[serde(default)]
            version: Option<Version>,
            #[serde(default)]
            approved_by: Option<String>,
            #[serde(default)]
            approved: Option<crate::date::Date>,
            controls: BTreeMap<String, Spanned<SoaEntry>>,
        }
        let file = Path::new("soa.yaml");
        if !self.exists("soa.yaml") {
            self.report(
                Diagnostic::error("missing-soa", "the content folder has no soa.yaml")
                    .at(Location::file(file))
                    .hint("the Statement of Applicability lists every control of the enabled frameworks"),
            );
            return Soa::default();
        }
        let Some(raw) = self.yaml_file::<RawSoa>(file) else { return Soa::default() };
        let controls = raw
            .controls
            .into_iter()
            .map(|(id, spanned)| {
                let location = spanned_location(file, &spanned);
                let mut entry = spanned.value;
                entry.source = location;
                (id, entry)
            })
            .collect();
        Soa {
            version: raw.version,
            approved_by: raw.approved_by,
            approved: raw.approved,
            controls,
            source: Location::at(file, 1, 1),
        }
    }

    pub(super) fn certifications(&mut self) -> BTreeMap<String, Certification> {
        let mut certifications = BTreeMap::new();
        for file in self.list("certifications", &["yaml", "yml"]) {
            let Some(text) = self.read(&file) else { continue };
            let Some(mut certification) = self.yaml_text::<Certification>(&file, &text) else { continue };
            let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            certification.id = stem.clone();
            certification.source = Location::at(&file, 1, 1);
            for document in &mut certification.documents {
                document.line = line_of(&text, 1, &document.file);
                match self.root.resolve_reference(&file, &document.file) {
                    Ok(path) => document.path = path,
                    Err(message) => {
                        self.report(path_error(message, &file, &text, document.line, &document.file))
                    }
                }
            }
            let location = certification.source.clone();
            self.insert_unique(&mut certifications, stem, certification, &location, "certification", |c| {
                &c.source
            });
        }
        certifications
    }

    /// `documents/documents.yaml` when present; otherwise every file in `documents/` that
    /// no certification names, as an internal document titled by its file name.
    pub(super) fn documents(
        &mut self,
        certifications: &BTreeMap<String, Certification>,
    ) -> BTreeMap<String, Document> {
        let mut documents = BTreeMap::new();
        let index = Path::new("documents/documents.yaml");
        if self.exists("documents/documents.yaml") {
            let text = self.read(index).unwrap_or_default();
            for (mut document, location) in self.yaml_list_text::<Document>(index, &text) {
                match self.root.resolve_reference(index, &document.file) {
                    Ok(path) => document.path = path,
                    Err(message) => {
                        let line = line_of(&text, location.line, &document.file);
                        self.report(path_error(message, index, &text, line, &document.file))
                    }
                }
                document.source = location.clone();
                let id = document.id.clone();
                self.insert_unique(&mut documents, id, document, &location, "document", |d| &d.source);
            }
            return documents;
        }
        let named: Vec<&PathBuf> =
            certifications.values().flat_map(|c| c.documents.iter().map(|d| &d.path)).collect();
        let files = match self.root.list(
            "documents",
            &["pdf", "txt", "md", "csv", "json", "zip", "png", "jpg", "svg", "docx", "xlsx", "html"],
        ) {
            Ok(files) => files,
            Err(diagnostic) => {
                self.report(diagnostic);
                Vec::new()
            }
        };
        for path in files {
            if named.contains(&&path) {
                continue;
            }
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let document = Document {
                id: name.clone(),
                title: name.clone(),
                file: name.clone(),
                summary: None,
                audience: crate::audience::Audience::Internal,
                teaser: false,
                clauses: Vec::new(),
                replaces: None,
                teaser_only: false,
                path: path.clone(),
                source: Location::file(&path),
            };
            documents.insert(name, document);
        }
        documents
    }

    pub(super) fn checks(&mut self) -> BTreeMap<String, ControlCheck> {
        let mut checks = BTreeMap::new();
        for file in self.list("status", &["yaml", "yml", "json"]) {
            let Some(text) = self.read(&file) else { continue };
            let items: Vec<(ControlCheck, Location)> = if starts_with_list(&text) {
                self.yaml_list_text(&file, &text)
            } else {
                self.yaml_text::<ControlCheck>(&file, &text)
                    .map(|check| vec![(check, Location::at(&file, 1, 1))])
                    .unwrap_or_default()
            };
            for (mut check, location) in items {
                check.origin = location.clone();
                let id = check.id.clone();
                self.insert_unique(&mut checks, id, check, &location, "control check", |c| &c.origin);
            }
        }
        checks
    }

    pub(super) fn subprocessors(&mut self) -> Vec<Subprocessor> {
        if !self.exists("subprocessors.yaml") {
            return Vec::new();
        }
        self.yaml_list::<Subprocessor>(Path::new("subprocessors.yaml"))
            .into_iter()
            .map(|(mut subprocessor, location)| {
                subprocessor.source = location;
                subprocessor
            })
            .collect()
    }

    pub(super) fn faq(&mut self) -> BTreeMap<String, FaqAnswer> {
        let mut faq = BTreeMap::new();
        for file in self.list(crate::markdown::FAQ_FOLDER, &["yaml", "yml"]) {
            for (mut answer, location) in self.yaml_list::<FaqAnswer>(&file) {
                answer.source = location.clone();
                let answer_file = file.clone();
                self.check_fences(&answer_file, &answer.answer);
                let id = answer.id.clone();
                self.insert_unique(&mut faq, id, answer, &location, "FAQ answer", |a| &a.source);
            }
        }
        faq
    }

    pub(super) fn evidence(&mut self) -> BTreeMap<String, Evidence> {
        let mut evidence = BTreeMap::new();
        let index = Path::new("evidence/evidence.yaml");
        if !self.exists("evidence/evidence.yaml") {
            return evidence;
        }
        // With `check`'s cache, an unchanged index is not read or parsed again; its text is
        // read only to place a problem with an evidence file. With a build's, it is read, and
        // not parsed again when it is the text parsed before.
        let (key, mut text) = match self.cache.map(|cache| cache.kind()) {
            Some(cache::Kind::Check) => (self.root.file_key(index).map(cache::EntryKey::File), None),
            Some(cache::Kind::Build) => {
                let text = self.read(index).unwrap_or_default();
                (Some(cache::EntryKey::of_text(&text)), Some(text))
            }
            None => (None, None),
        };
        let cached = self.cache.zip(key).and_then(|(cache, key)| cache.evidence(index, key));
        let (items, mut text) = match cached {
            Some(items) => (items, text.take()),
            None => {
                let problems = self.diagnostics.len();
                let text = match text.take() {
                    Some(text) => text,
                    None => self.read(index).unwrap_or_default(),
                };
                let items = self.yaml_list_text::<Evidence>(index, &text);
                if let (Some(cache), Some(key), true) = (self.cache, key, self.diagnostics.len() == problems)
                {
                    cache.remember_evidence(index, key, &items);
                }
                (items, Some(text))
            }
        };
        // Thousands of evidence files in a large ISMS: their folders listed once each.
        let files: Vec<&str> = items.iter().map(|(item, _)| item.file.as_str()).collect();
        let resolved = self.root.resolve_references(index, &files);
        for ((mut item, location), resolved) in items.into_iter().zip(resolved) {
            match resolved {
                Ok(path) => item.path = path,
                Err(message) => {
                    let text = match &text {
                        Some(text) => text,
                        None => text.insert(self.root.read_text(index).unwrap_or_default()),
                    };
                    let line = line_of(text, location.line, &item.file);
                    let diagnostic = path_error(message, index, text, line, &item.file);
                    self.report(diagnostic)
                }
            }
            item.source = location.clone();
            let id = item.id.clone();
            self.insert_unique(&mut evidence, id, item, &location, "evidence", |e| &e.source);
        }
        evidence
    }

    pub(super) fn risks(&mut self) -> BTreeMap<String, Risk> {
        let mut risks = BTreeMap::new();
        if !self.exists("risks.yaml") {
            return risks;
        }
        for (mut risk, location) in self.yaml_list::<Risk>(Path::new("risks.yaml")) {
            risk.source = location.clone();
            let id = risk.id.clone();
            self.insert_unique(&mut risks, id, risk, &location, "risk", |r| &r.source);
        }
        risks
    }
}
