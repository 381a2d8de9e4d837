//! The build pipeline, in stages: load → check references → cut to the audience → render →
//! write. Each stage is timed so slow steps are visible (`--timings`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::audience::Audience;
use crate::check;
use crate::cut::cut;
use crate::date::Date;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{self, ContentRoot};
use crate::model::Isms;
use crate::output::{self, OutputFile, WriteError};
use crate::render::{self, theme::Theme, RenderOptions, RenderTarget};

#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub content: PathBuf,
    pub audience: Audience,
    /// Overrides `base_url` from site.yaml (an internal site usually lives elsewhere).
    pub base_url: Option<String>,
    pub today: Date,
    pub explicit_index: bool,
    pub target: RenderTarget,
}

/// A rendered site, not yet written, with the warnings found on the way.
pub struct RenderedSite {
    pub files: Vec<OutputFile>,
    /// The model cut to the build's audience, that the files were rendered from.
    pub isms: Isms,
    /// The content folder, for sinks that copy files from it (the auditor bundle).
    pub root: ContentRoot,
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the content has {} error(s)", .0.iter().filter(|d| d.is_error()).count())]
    Content(Vec<Diagnostic>),
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// Loads, checks, cuts and renders the content for one audience, in memory.
pub fn render_site(options: &SiteOptions) -> Result<RenderedSite, BuildError> {
    let mut timings = Vec::new();
    let mut clock = Instant::now();
    let mut lap = |name: &'static str, timings: &mut Vec<(&'static str, Duration)>| {
        timings.push((name, clock.elapsed()));
        clock = Instant::now();
    };

    let loaded = load::load(&options.content).map_err(|d| BuildError::Content(d.into_sorted()))?;
    lap("load", &mut timings);
    let mut diagnostics: Diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(check::references(&loaded));
    if loaded.isms.site.base_url.trim().is_empty() && options.base_url.is_none() {
        diagnostics.push(
            Diagnostic::error("missing-field", "site.yaml has an empty base_url")
                .at(crate::diagnostic::Location::file("site.yaml"))
                .hint("base_url is the address the trust center is published at"),
        );
    }
    lap("check", &mut timings);
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.into_sorted()));
    }
    diagnostics.extend(check::quality(&loaded, options.today));

    let isms = cut(&loaded.isms, options.audience);
    lap("cut", &mut timings);

    let theme = match &isms.site.theme {
        Some(folder) => {
            Theme::with_overrides(&loaded.root, folder).map_err(|d| BuildError::Content(vec![d]))?
        }
        None => Theme::default_theme(),
    };
    let base_url = options.base_url.clone().unwrap_or_else(|| isms.site.base_url.clone());
    let render_options = RenderOptions {
        today: options.today,
        base_url: base_url.trim_end_matches('/').to_string(),
        explicit_index: options.explicit_index,
        target: options.target,
    };
    let files = render::render_site(&isms, &loaded.root, &theme, &render_options)
        .map_err(|d| BuildError::Content(vec![d]))?;
    lap("render", &mut timings);

    // What `check` calls an error but the build tolerates is reported as a warning.
    let warnings = diagnostics.into_sorted().into_iter().map(Diagnostic::into_warning).collect();
    Ok(RenderedSite { files, isms, root: loaded.root, warnings, timings })
}

/// Builds the site into `out`, replacing it only when the whole build succeeded.
pub fn build_site(options: &SiteOptions, out: &Path) -> Result<RenderedSite, BuildError> {
    let mut site = render_site(options)?;
    let started = Instant::now();
    output::write_site(&site.files, out, options.audience, &options.content)?;
    site.timings.push(("write", started.elapsed()));
    Ok(site)
}
