//! The build pipeline, in stages: load → check references → cut to the audience → render →
//! write. Each stage is timed so slow steps are visible (`--timings`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::audience::Audience;
use crate::check;
use crate::date::Date;
use crate::diagnostic::{display_path, Diagnostic, Diagnostics, Location};
use crate::load::{self, ContentRoot, Loaded};
use crate::model::Isms;
use crate::output::{self, OutputFile, Sink, WriteError};
use crate::render::{self, theme::Theme, RenderError, RenderOptions, RenderTarget};

#[derive(Debug, Clone)]
pub struct SiteOptions {
    pub content: PathBuf,
    pub audience: Audience,
    /// Overrides `base_url` from site.yaml (an internal site usually lives elsewhere).
    pub base_url: Option<String>,
    pub today: Date,
    pub target: RenderTarget,
    /// Build the content as a past commit holds it (`--at`), not the work tree.
    pub at: Option<std::sync::Arc<crate::history::AtCommit>>,
    /// Sign the site (`--sign`): a manifest of every file, its signature and the public key.
    pub signer: Option<SignerHandle>,
}

/// The signer of a signed build, shared by the build's threads.
#[derive(Clone)]
pub struct SignerHandle(pub std::sync::Arc<dyn output::signed::Signer>);

impl std::fmt::Debug for SignerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignerHandle")
    }
}

/// A rendered site, not yet written, with the warnings found on the way.
pub struct RenderedSite {
    pub files: Vec<OutputFile>,
    /// The model cut to the build's audience, that the files were rendered from.
    pub isms: Isms,
    /// The content folder, for sinks that copy files from it (the auditor bundle).
    pub root: ContentRoot,
    pub warnings: Vec<Diagnostic>,
    /// Said once, not a problem: why policies show no revision history.
    pub notes: Vec<String>,
    pub timings: Vec<(&'static str, Duration)>,
}

/// A site written to disk.
pub struct BuiltSite {
    pub files: usize,
    /// On a rebuild into the earlier output: what changed in it. `None` when the output was
    /// new or empty and was written whole.
    pub changes: Option<output::Changes>,
    /// Each on its item's line, not its key's (`check::Placing::ItemLine`): `build` prints
    /// only how many there are.
    pub warnings: Vec<Diagnostic>,
    /// Said once, not a problem: why policies show no revision history.
    pub notes: Vec<String>,
    pub timings: Vec<(&'static str, Duration)>,
    /// The render time of each page template, most first.
    pub templates: Vec<render::TemplateTime>,
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
pub(crate) struct Prepared {
    pub(crate) isms: Isms,
    pub(crate) root: ContentRoot,
    pub(crate) sizes: render::view::FileSizes,
    pub(crate) theme: Theme,
    pub(crate) render_options: RenderOptions,
    /// Content files this audience may not see, from the whole model: the sink refuses
    /// their bytes under any name.
    pub(crate) withheld: crate::withheld::Withheld,
    pub(crate) warnings: Vec<Diagnostic>,
    pub(crate) notes: Vec<String>,
    pub(crate) timings: Vec<(&'static str, Duration)>,
}

/// The time of each build step, for `--timings`.
pub(crate) struct Laps {
    laps: Vec<(&'static str, Duration)>,
    clock: Instant,
}

impl Laps {
    pub(crate) fn start() -> Laps {
        Laps { laps: Vec::new(), clock: Instant::now() }
    }

    pub(crate) fn lap(&mut self, name: &'static str) {
        self.laps.push((name, self.clock.elapsed()));
        self.clock = Instant::now();
    }
}

/// Loads the content folder: every problem that stops loading is a content error.
pub(crate) fn load_content(options: &SiteOptions) -> Result<Loaded, BuildError> {
    let loaded = match &options.at {
        None => load::load_for_build(&options.content),
        Some(at) => {
            let content = std::fs::canonicalize(&options.content).unwrap_or_else(|_| options.content.clone());
            let source = crate::history::Source::At { content, tip: at.commit };
            match &at.files {
                crate::history::Exported::Kept(kept) => load::load_for_build_from(&kept.content, &source),
                crate::history::Exported::Temporary(folder) => load::load_from(folder.path(), &source),
            }
        }
    };
    loaded.map_err(|d| BuildError::Content(d.into_sorted()))
}

/// Checks loaded content as a build needs it: the reference rules must pass (an error stops
/// the build); the quality rules' findings are kept as warnings, placed as `placing` says.
pub(crate) fn check_loaded(
    options: &SiteOptions,
    loaded: &Loaded,
    placing: check::Placing,
) -> Result<Diagnostics, BuildError> {
    let mut diagnostics: Diagnostics = loaded.diagnostics.clone();
    // The quality rules run beside the reference rules; their warnings count only when the
    // references leave no error.
    let (references, quality) =
        rayon::join(|| check::references(loaded), || check::quality(loaded, options.today, placing));
    diagnostics.extend(references);
    if loaded.isms.site.base_url.trim().is_empty() && options.base_url.is_none() {
        diagnostics.push(
            Diagnostic::error("missing-field", "site.yaml has an empty base_url")
                .at(crate::diagnostic::Location::file("site.yaml"))
                .hint("base_url is the address the trust center is published at"),
        );
    }
    for_audience(&mut diagnostics, options.audience);
    if diagnostics.has_errors() {
        return Err(BuildError::Content(diagnostics.into_sorted()));
    }
    diagnostics.extend(quality);
    for_audience(&mut diagnostics, options.audience);
    Ok(diagnostics)
}

/// The problems a build for `audience` reports. The access ledger has no part in a build
/// below internal (the cut removes it whole), so its problems neither stop that build nor
/// print ledger lines into its logs, which a public site's CI often shows to anyone.
pub(crate) fn for_audience(diagnostics: &mut Diagnostics, audience: Audience) {
    if Audience::Internal.visible_to(audience) {
        return;
    }
    diagnostics.retain(|d| {
        let in_ledger = d.location.as_ref().is_some_and(|l| l.file == Path::new(crate::model::share::LEDGER));
        !in_ledger && !d.code.starts_with("share-")
    });
}

/// A cut model with its theme and render options: ready to render.
pub(crate) fn ready(
    options: &SiteOptions,
    isms: Isms,
    withheld: crate::withheld::Withheld,
    root: ContentRoot,
    diagnostics: Diagnostics,
    laps: Laps,
) -> Result<Prepared, BuildError> {
    // The tripwire: no text the cut let through may still hold an audience fence.
    let leftovers = crate::tripwire::check(&isms);
    if !leftovers.is_empty() {
        return Err(BuildError::Content(leftovers));
    }
    let mut theme = match &isms.site.theme {
        Some(folder) => Theme::with_overrides(&root, folder).map_err(|d| BuildError::Content(vec![d]))?,
        None => Theme::default_theme(),
    };
    theme.add_brand(&isms.site.brand, &root).map_err(|d| BuildError::Content(vec![d]))?;
    let base_url = options.base_url.clone().unwrap_or_else(|| isms.site.base_url.clone());
    let render_options = RenderOptions {
        today: options.today,
        base_url: base_url.trim_end_matches('/').to_string(),
        target: options.target,
        signed: options.signer.is_some(),
    };
    // The sizes of the files pages offer for download: rendering reads no file itself.
    let sizes = root.sizes(render::view::linked_files(&isms, options.target));
    // What `check` calls an error but the build tolerates is reported as a warning.
    let warnings = diagnostics.into_sorted().into_iter().map(Diagnostic::into_warning).collect();
    Ok(Prepared {
        isms,
        root,
        sizes,
        theme,
        render_options,
        withheld,
        warnings,
        notes: Vec::new(),
        timings: laps.laps,
    })
}

/// Loads, checks and cuts the content for one audience, for a build: the loaded model's
/// policies move into the cut model, and the rest of it is dropped. Warnings are placed as
/// `placing` says.
fn prepare(options: &SiteOptions, placing: check::Placing) -> Result<Prepared, BuildError> {
    let mut laps = Laps::start();
    let mut loaded = load_content(options)?;
    laps.lap("load");
    // What the output gate withholds is listed from the whole model, before the cut takes
    // its policies (their source files count), while the checks run: both only read it.
    let reader = options.audience.min(loaded.isms.audience);
    let (diagnostics, withheld) = rayon::join(
        || check_loaded(options, &loaded, placing),
        || crate::withheld::Withheld::of(&loaded.isms, &loaded.root, reader),
    );
    let diagnostics = diagnostics?;
    laps.lap("check");
    let isms = crate::cut::cut_taking_policies(&mut loaded.isms, options.audience);
    laps.lap("cut");
    let notes = loaded.history.note.take().into_iter().collect();
    let prepared = ready(options, isms, withheld, loaded.root, diagnostics, laps)?;
    Ok(Prepared { notes, ..prepared })
}

/// Loads, checks, cuts and renders the content for one audience, in memory.
pub fn render_site(options: &SiteOptions) -> Result<RenderedSite, BuildError> {
    let mut prepared = prepare(options, check::Placing::KeyLine)?;
    let started = Instant::now();
    let sink = output::Memory::new(options.audience).withhold(std::mem::take(&mut prepared.withheld));
    render::render_site(&prepared.isms, &prepared.sizes, &prepared.theme, &prepared.render_options, &sink)?;
    if options.target == RenderTarget::Site {
        copy_downloads(&prepared.isms, &prepared.root, &sink)?;
    }
    prepared.timings.push(("render", started.elapsed()));
    Ok(RenderedSite {
        files: sink.into_files(),
        isms: prepared.isms,
        root: prepared.root,
        warnings: prepared.warnings,
        notes: prepared.notes,
        timings: prepared.timings,
    })
}

/// Builds the site into `out`, replacing it only when the whole build succeeded. Pages are
/// written as they are rendered, so the site is never held in memory whole. `out` is
/// checked first ([`output::check_output`]): a non-empty folder trustpress did not make is
/// replaced only with `force`; a file or a symbolic link never.
pub fn build_site(options: &SiteOptions, out: &Path, force: bool) -> Result<BuiltSite, BuildError> {
    // Two builds into one output take turns: their files never interleave.
    let (_lock, waited) = output::lock_beside(out);
    output::check_output(out, &options.content, force)?;
    if let Some(cache) = crate::load::cache::folder_within(&[out, &options.content]) {
        return Err(output::WriteError::CacheInside { out: out.to_path_buf(), cache }.into());
    }
    // The output's listing and the last rebuild's record are read while the content loads.
    let (prepared, begun) = std::thread::scope(|scope| {
        let begun = scope.spawn(|| -> Result<Option<(output::InPlace, Option<PathBuf>)>, WriteError> {
            // The folders and pages the last rebuild into this folder left: folders unchanged
            // since are not listed again, and pages unchanged are kept.
            let canonical = out.canonicalize().ok();
            let listing = canonical.as_deref().map(crate::load::cache::output_listing).unwrap_or_default();
            let Some(in_place) =
                output::InPlace::begin(out, options.audience, &options.content, force, &listing)?
            else {
                return Ok(None);
            };
            let record = canonical.as_deref().map(crate::load::cache::page_record).unwrap_or_default();
            Ok(Some((in_place.with_record(record), canonical)))
        });
        // `build` prints only how many warnings there are: none is read back to its key's line.
        let prepared = prepare(options, check::Placing::ItemLine);
        (prepared, begun.join())
    });
    // A content error comes first; then one of the output.
    let mut prepared = prepared?;
    let begun = begun.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    if waited {
        prepared.notes.push(format!(
            "another trustpress build was writing beside `{}`; this one waited for it to finish",
            display_path(out)
        ));
    }
    if let Some(problem) = crate::load::cache::unusable_folder() {
        prepared.notes.push(format!("a rebuild in place renders every page: {problem}"));
    }
    let started = Instant::now();
    let withheld = std::mem::take(&mut prepared.withheld);
    let render_into =
        |prepared: &Prepared, sink: &dyn Sink| -> Result<(usize, Vec<render::TemplateTime>), BuildError> {
            let render_all = |sink: &dyn Sink| -> Result<(usize, Vec<render::TemplateTime>), BuildError> {
                let rendered = render::render_site(
                    &prepared.isms,
                    &prepared.sizes,
                    &prepared.theme,
                    &prepared.render_options,
                    sink,
                )?;
                let copied = copy_downloads(&prepared.isms, &prepared.root, sink)?;
                Ok((rendered.files + copied, rendered.templates))
            };
            match &options.signer {
                None => render_all(sink),
                Some(SignerHandle(signer)) => {
                    let signed = output::signed::Signed::new(sink, options.audience);
                    let (files, templates) = render_all(&signed)?;
                    signed.finish(signer.as_ref())?;
                    Ok((files + 3, templates))
                }
            }
        };
    // A rebuild changes only what changed; a first build is written whole beside the output
    // and swapped in.
    let (files, templates, changes) = match begun {
        Some((in_place, canonical)) => {
            let in_place = in_place.withhold(withheld);
            let (files, templates) = render_into(&prepared, &in_place)?;
            prepared.timings.push(("render+compare", started.elapsed()));
            let started = Instant::now();
            let output::Finished { changes, pages, listing } = in_place.finish()?;
            if let Some(canonical) = &canonical {
                if let Some(pages) = &pages {
                    crate::load::cache::remember_pages(canonical, pages);
                }
                if let Some(listing) = &listing {
                    crate::load::cache::remember_listing(canonical, listing);
                }
            }
            prepared.timings.push(("update", started.elapsed()));
            (files, templates, Some(changes))
        }
        None => {
            let staging =
                output::Staging::begin(out, options.audience, &options.content, force)?.withhold(withheld);
            let (files, templates) = render_into(&prepared, &staging)?;
            prepared.timings.push(("render+write", started.elapsed()));
            let started = Instant::now();
            staging.finish()?;
            prepared.timings.push(("swap", started.elapsed()));
            (files, templates, None)
        }
    };
    let Prepared { isms, root, theme, render_options, warnings, notes, timings, .. } = prepared;
    crate::drop_in_background((isms, root, theme, render_options));
    Ok(BuiltSite { files, changes, warnings, notes, timings, templates })
}

/// Copies a site's downloads (documents, certification documents) from the content folder
/// into `sink`, read into memory (they are small; the bundle streams them). Returns how many.
pub(crate) fn copy_downloads(isms: &Isms, root: &ContentRoot, sink: &dyn Sink) -> Result<usize, RenderError> {
    use rayon::prelude::*;
    let downloads = render::downloads(isms);
    let count = downloads.len();
    downloads.into_par_iter().try_for_each(|download| -> Result<(), RenderError> {
        let absolute = root.ensure_inside(&download.source)?;
        let bytes = crate::load::read_regular(&absolute).map_err(|error| {
            Diagnostic::error(
                "io-error",
                format!("cannot read `{}`: {error}", display_path(&download.source)),
            )
            .at(Location::file(&download.source))
        })?;
        sink.put(OutputFile::new(download.path, bytes, download.audience))?;
        Ok(())
    })?;
    Ok(count)
}
