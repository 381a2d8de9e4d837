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
use crate::render::{self, theme::Theme, RenderError, RenderOptions, RenderTarget};

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

/// A site written to disk.
pub struct BuiltSite {
    pub files: usize,
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

impl From<RenderError> for BuildError {
    fn from(error: RenderError) -> BuildError {
        match error {
            RenderError::Content(diagnostic) => BuildError::Content(vec![diagnostic]),
            RenderError::Write(error) => BuildError::Write(error),
        }
    }
}

/// Content loaded, checked and cut to the build's audience: ready to render.
struct Prepared {
    isms: Isms,
    root: ContentRoot,
    theme: Theme,
    render_options: RenderOptions,
    warnings: Vec<Diagnostic>,
    timings: Vec<(&'static str, Duration)>,
}

/// Loads, checks and cuts the content for one audience.
fn prepare(options: &SiteOptions) -> Result<Prepared, BuildError> {
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
    // What `check` calls an error but the build tolerates is reported as a warning.
    let warnings = diagnostics.into_sorted().into_iter().map(Diagnostic::into_warning).collect();
    Ok(Prepared { isms, root: loaded.root, theme, render_options, warnings, timings })
}

/// Loads, checks, cuts and renders the content for one audience, in memory.
pub fn render_site(options: &SiteOptions) -> Result<RenderedSite, BuildError> {
    let mut prepared = prepare(options)?;
    let started = Instant::now();
    let sink = output::Memory::new(options.audience);
    render::render_site(&prepared.isms, &prepared.root, &prepared.theme, &prepared.render_options, &sink)?;
    prepared.timings.push(("render", started.elapsed()));
    Ok(RenderedSite {
        files: sink.into_files(),
        isms: prepared.isms,
        root: prepared.root,
        warnings: prepared.warnings,
        timings: prepared.timings,
    })
}

/// Builds the site into `out`, replacing it only when the whole build succeeded. Pages are
/// written as they are rendered, so the site is never held in memory whole.
pub fn build_site(options: &SiteOptions, out: &Path) -> Result<BuiltSite, BuildError> {
    let mut prepared = prepare(options)?;
    let started = Instant::now();
    let staging = output::Staging::begin(out, options.audience, &options.content)?;
    let files = render::render_site(
        &prepared.isms,
        &prepared.root,
        &prepared.theme,
        &prepared.render_options,
        &staging,
    )?;
    prepared.timings.push(("render+write", started.elapsed()));
    let started = Instant::now();
    staging.finish()?;
    prepared.timings.push(("swap", started.elapsed()));
    Ok(BuiltSite { files, warnings: prepared.warnings, timings: prepared.timings })
}
