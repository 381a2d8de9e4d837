//! Rendering is pure: a cut model and a theme in, a list of `OutputFile`s out. Markdown is
//! rendered in parallel once, templates are parsed once, every page gets the shared model
//! by reference (minijinja values are reference-counted), and pages render in parallel.

mod agents;
mod context_doc;
mod downloads;
mod environment;
mod feeds;
mod health;
mod language;
pub mod machine_files;
pub(crate) mod page;
mod page_key;
pub mod questionnaire;
pub mod search_index;
mod shared;
pub mod svg;
pub mod theme;
pub mod view;

pub use downloads::{downloads, Download};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::Serde;
use minijinja::{Environment, Value};
use rayon::prelude::*;

use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, LinkTargets};
use crate::model::{Isms, Policy};
use crate::output::kept::PageKey;
use crate::output::{OutputFile, Sink, WriteError};
use crate::site::routes;
use crate::site::targets::link_targets;
use feeds::{render_feed, render_subprocessor_feed};
use page::{page_list, render_page, Page};
use shared::{base_path, model_value, site_info, LazyList, Shared};
use theme::Theme;

use view::{FileSizes, SiteModel, ViewContext};

pub use crate::site::RenderTarget;

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The date "expired", "overdue" and "stale" are computed against.
    pub today: Date,
    /// Absolute base URL of the published site (feeds, sitemap, canonical links).
    pub base_url: String,
    pub target: RenderTarget,
    /// The site is signed (`build --sign`): trust.json names the key, manifest and signature.
    pub signed: bool,
}

/// Renders every file of the site for the cut model `isms` into `sink`, each as soon as it
/// is made; returns the number of files.
pub fn render_site(
    isms: &Isms,
    sizes: &FileSizes,
    theme: &Theme,
    options: &RenderOptions,
    sink: &dyn Sink,
) -> Result<Rendered, RenderError> {
    let renderer = Renderer::new(isms, sizes, theme, options)?;
    let rendered = renderer.render_all(isms, theme, sink);
    crate::drop_in_background(renderer);
    rendered
}

/// What [`render_site`] wrote.
pub struct Rendered {
    pub files: usize,
    /// The time spent on each page template, most first, for `--timings`.
    pub templates: Vec<TemplateTime>,
}

/// The pages of one template and the time they took to render, summed over threads. A
/// policy page's time includes making its body's HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateTime {
    pub template: &'static str,
    pub pages: usize,
    pub time: std::time::Duration,
}

/// What rendering derives from a cut model before any page: the views, link targets,
/// parsed templates and the values every page shares. The dev server keeps it between
/// rebuilds, to redo one policy's page when only that policy's text changed.
pub struct Renderer {
    options: RenderOptions,
    /// The interface language's strings and formats.
    locale: Arc<crate::locale::Locale>,
    environment: Environment<'static>,
    shared: Shared,
    model: SiteModel,
    targets: LinkTargets,
    /// The site's own targets where they differ from `targets` (the bundle's).
    site_targets: Option<LinkTargets>,
    evidence_files: Vec<routes::FiledEvidence>,
    /// The questionnaire search's entries, in page order.
    search: Arc<[questionnaire::SearchEntry]>,
    /// The sizes of the files the views link, as the caller read them.
    sizes: FileSizes,
}

/// What a changed policy text means for the output.
pub enum Rerendered {
    /// Only this page changed (or may have): the page, and its markdown copy when the
    /// site has copies.
    Pages(Vec<OutputFile>),
    /// Nothing this audience sees changed (a withheld policy, a teaser, a withheld block).
    Nothing,
    /// More than the policy's page may have changed: render everything.
    Everything,
}

impl Renderer {
    pub fn new(
        isms: &Isms,
        sizes: &FileSizes,
        theme: &Theme,
        options: &RenderOptions,
    ) -> Result<Renderer, Diagnostic> {
        let bundle = options.target == RenderTarget::AuditorBundle;
        let evidence_files = if bundle { routes::evidence_files(isms) } else { Vec::new() };
        let locale = Arc::new(theme.locale(&isms.site.language)?);
        // Two independent starts: the templates parsed, every link target listed. Feeds are
        // read on the web, so their links use the site's targets even in the bundle.
        let (environment, (mut targets, site_targets)) = rayon::join(
            || environment::environment(theme, &locale),
            || (link_targets(isms, options.target), bundle.then(|| link_targets(isms, RenderTarget::Site))),
        );
        let environment = environment?;
        // A policy may link an evidence file; in the bundle that link can be kept.
        for filed in &evidence_files {
            targets.pages.insert(filed.path.clone());
            targets.sources.entry(filed.source.clone()).or_insert_with(|| filed.path.clone());
        }
        let model = view::build(&view_context(isms, options, &targets, sizes, &evidence_files, &locale));
        let site = site_info(isms, options, &locale);
        let search: Arc<[questionnaire::SearchEntry]> =
            Arc::from(questionnaire::search_entries(isms, &model, &locale));
        let shared = Shared {
            // Read by the search pages' template, item by item, on whichever thread renders.
            search: Value::from_object(LazyList(search.clone())),
            nav_paths: site.nav.iter().map(|item| item.path).collect(),
            navs: Mutex::default(),
            site: Value::from(Serde(&site)),
            model: model_value(&model),
            explicit_index: options.target.explicit_index(),
            base_path: base_path(&options.base_url),
        };
        Ok(Renderer {
            sizes: sizes.clone(),
            options: options.clone(),
            locale,
            environment,
            shared,
            model,
            search,
            targets,
            site_targets,
            evidence_files,
        })
    }

    /// Renders the page of policy `id` again from `isms`, where only that policy's text
    /// changed since this renderer was made (its front matter is the same). The page is a
    /// function of the templates, the shared values and the policy's view; the shared
    /// values hold the view's fields except its body and headings. So when those fields
    /// are unchanged, no other page can change; when they changed (a first code block
    /// adds the syntax stylesheet), everything is rendered again.
    pub fn rerender_policy(
        &mut self,
        isms: &Isms,
        id: &str,
        old: Option<&Policy>,
    ) -> Result<Rerendered, Diagnostic> {
        let (Some(policy), Some(index)) =
            (isms.policies.get(id), self.model.policies.iter().position(|view| view.id == id))
        else {
            return Ok(Rerendered::Nothing);
        };
        let Some(old) = old else { return Ok(Rerendered::Everything) };
        let explicit_index = self.options.target.explicit_index();
        let body = view::policy_body(&self.targets, explicit_index, policy);
        let old_body = view::policy_body(&self.targets, explicit_index, old);
        if body == old_body {
            return Ok(Rerendered::Nothing);
        }
        let context =
            view_context(isms, &self.options, &self.targets, &self.sizes, &self.evidence_files, &self.locale);
        let view = view::policy_view(&context, policy);
        // A first code block (or the last one gone) adds or drops the syntax stylesheet.
        let same_fields = body.has_code == old_body.has_code
            && serde_json::to_value(&view).ok() == serde_json::to_value(&self.model.policies[index]).ok();
        if !same_fields {
            return Ok(Rerendered::Everything);
        }
        let mut policies = self.model.policies.to_vec();
        policies[index] = view;
        self.model.policies = policies.into();
        // Equal to the old value (the fields it holds are the same), but made from the new
        // list, so the renderer holds one list of policy views, not two.
        self.shared.model = model_value(&self.model);
        let page = Page::policy(&self.model.policies[index], policy);
        let file = render_page(&self.environment, &self.shared, &self.targets, page)?.0;
        let mut files = Vec::with_capacity(2);
        files.extend(self.agent_copy(isms, &file));
        files.push(file);
        Ok(Rerendered::Pages(files))
    }

    /// The search index's build id, and its files when they are to be put: none when the
    /// sink kept the index the last rebuild made from the same build key.
    fn search_index(&self, build_key: Option<&PageKey>, sink: &dyn Sink) -> (String, Vec<OutputFile>) {
        let key = build_key.map(page_key::search_index_key);
        if let Some(build) = key.as_ref().and_then(|key| search_index::kept(sink, key)) {
            return (build, Vec::new());
        }
        let index =
            search_index::index(&self.search, &self.locale, page::search_per_page(self.options.target));
        (index.build.clone(), index.keyed(key))
    }

    /// Whether this build writes copies for AI agents: the public site's.
    fn for_agents(&self, isms: &Isms) -> bool {
        self.options.target == RenderTarget::Site && isms.audience == Audience::Public
    }

    /// A rendered page's markdown copy, when this build has them (site.yaml
    /// `markdown_copies`).
    fn agent_copy(&self, isms: &Isms, page: &OutputFile) -> Option<OutputFile> {
        if !self.for_agents(isms) || !isms.site.markdown_copies {
            return None;
        }
        agents::markdown_copy(page, &agents::copy_header(isms, &self.options, &page.path))
    }

    /// The files a page makes: its HTML, and its markdown copy when the build has them.
    fn files_of(&self, isms: &Isms, page: &Page) -> Vec<(String, Audience)> {
        let file = routes::output_file(&page.path);
        let copy =
            (self.for_agents(isms) && isms.site.markdown_copies).then(|| agents::copy_path(&file)).flatten();
        std::iter::once(file).chain(copy).map(|path| (path, page.audience)).collect()
    }

    /// Renders every file of the site into `sink`.
    pub fn render_all(&self, isms: &Isms, theme: &Theme, sink: &dyn Sink) -> Result<Rendered, RenderError> {
        let (options, environment, shared, model) =
            (&self.options, &self.environment, &self.shared, &self.model);
        let bundle = options.target == RenderTarget::AuditorBundle;
        let site_targets = self.site_targets.as_ref().unwrap_or(&self.targets);
        // A rebuild in place keeps the pages whose key is the one it recorded.
        let build_key = if sink.keeps_pages() {
            page_key::build_key(theme, options, &shared.site, model, &self.search, &self.targets)
        } else {
            None
        };
        // The search's index, on a site (the bundle's search filters its one page in place):
        // kept, or made beside the pages and put with the other files. The search pages name
        // its build id, so they are rendered after it.
        let index_build = (options.target == RenderTarget::Site).then(page::IndexBuild::default);
        let pages = page_list(isms, model, &self.search, index_build.as_ref(), options.target, &self.locale);
        // The public site is also written for AI agents: a markdown copy of each page, and
        // llms.txt listing the fixed pages (policies are listed from the model).
        let for_agents = self.for_agents(isms);
        let agent_pages: Vec<(String, String)> = if for_agents {
            pages
                .iter()
                // The fixed pages (a paginated list by its first page), not one per item.
                .filter(|page| {
                    crate::site::pages::PAGES.iter().any(|fixed| fixed.route == page.path)
                        && agents::copy_path(&routes::output_file(&page.path)).is_some()
                })
                .map(|page| (page.path.clone(), page.title.clone()))
                .collect()
        } else {
            Vec::new()
        };
        sink.expect_folders(
            pages
                .iter()
                .filter_map(|page| Some(routes::output_file(&page.path).rsplit_once('/')?.0.to_string()))
                .collect(),
        );
        let (after_index, pages): (Vec<Page>, Vec<Page>) =
            pages.into_iter().partition(|page| page.after_index);
        let sink = Recording::new(sink);
        let times = Mutex::new(std::collections::BTreeMap::<&'static str, TemplateTime>::new());
        // Pages go in runs of at most 16, so a thread that finishes early always finds a run
        // to take over (rayon otherwise leaves long runs unsplit once no thread steals).
        let render_pages = |mut pages: Vec<Page>| -> Result<bool, RenderError> {
            pages
                .par_drain(..)
                .with_max_len(16)
                .map(|page| -> Result<bool, RenderError> {
                    let (template, started) = (page.template, std::time::Instant::now());
                    let key = build_key.as_ref().and_then(|build| page_key::page_key(build, &page));
                    if let Some(key) = &key {
                        if let Some(has_code) = sink.keep(&self.files_of(isms, &page), key) {
                            return Ok(has_code);
                        }
                    }
                    let (file, has_code) = render_page(environment, shared, &self.targets, page)?;
                    let file = file.keyed(key, has_code);
                    let time = started.elapsed();
                    let mut times = times.lock().unwrap_or_else(PoisonError::into_inner);
                    let entry = times.entry(template).or_insert(TemplateTime {
                        template,
                        pages: 0,
                        time: Default::default(),
                    });
                    entry.pages += 1;
                    entry.time += time;
                    drop(times);
                    if let Some(copy) = self.agent_copy(isms, &file) {
                        sink.put(copy.keyed(key, has_code))?;
                    }
                    sink.put(file)?;
                    Ok(has_code)
                })
                // Whether any page shows code (and the site needs the syntax stylesheet).
                .try_reduce(|| false, |a, b| Ok(a || b))
        };
        // The index, the pages that do not name it, and trust.json (it lists every policy
        // too), side by side; then the pages that name the index.
        let ((index_files, rendered), trust_json) = rayon::join(
            || {
                rayon::join(
                    || {
                        let Some(index_build) = &index_build else { return Vec::new() };
                        let (build, files) = self.search_index(build_key.as_ref(), &sink);
                        index_build.set(build);
                        files
                    },
                    || render_pages(pages),
                )
            },
            || machine_files::trust_json_file(isms, model, options),
        );
        let (rendered, searched) = (rendered?, render_pages(after_index)?);
        let page_has_code = rendered || searched;
        sink.put(trust_json)?;
        if for_agents {
            sink.put(agents::llms_txt(isms, model, options, &agent_pages))?;
        }
        let mut templates: Vec<TemplateTime> =
            times.into_inner().unwrap_or_else(PoisonError::into_inner).into_values().collect();
        templates.sort_by(|a, b| b.time.cmp(&a.time).then(a.template.cmp(b.template)));
        // Every policy has a page, so the pages' flag covers the policies.
        let has_code = page_has_code || model.records.have_code() || model.faq.iter().any(|a| a.has_code);

        let locale = &self.locale;
        sink.put(render_feed(environment, isms, model, options, site_targets, locale)?)?;
        sink.put(render_subprocessor_feed(environment, isms, model, options, locale)?)?;
        let answer_rows = questionnaire::answer_rows(isms, model);
        sink.put(OutputFile::new(
            routes::ANSWERS_CSV,
            questionnaire::answers_csv(&answer_rows),
            Audience::Public,
        ))?;
        // Files made by code, not templates, from inputs they name: kept as pages are.
        let made = |path: &str, key: Option<PageKey>, make: &dyn Fn() -> Result<Vec<u8>, RenderError>| {
            let key = key.filter(|_| build_key.is_some());
            if let Some(key) = &key {
                if sink.keep(&[(path.to_string(), Audience::Public)], key).is_some() {
                    return Ok(());
                }
            }
            sink.put(OutputFile::new(path, make()?, Audience::Public).keyed(key, false))
                .map_err(RenderError::from)
        };
        let workbook = questionnaire::WorkbookInputs::new(isms, &answer_rows, options.today);
        made(routes::ANSWERS_XLSX, page_key::file_key("answers workbook", &workbook), &|| {
            questionnaire::answers_xlsx(&workbook).map_err(|e| {
                RenderError::from(Diagnostic::error(
                    "io-error",
                    format!("cannot write the answers workbook: {e}"),
                ))
            })
        })?;
        sink.put(OutputFile::new(
            routes::ANSWER_LIBRARY,
            questionnaire::answer_library_json(isms),
            Audience::Public,
        ))?;
        sink.put(OutputFile::new(
            routes::ANSWER_RULES,
            crate::answer::text::RULES_JSON.as_bytes().to_vec(),
            Audience::Public,
        ))?;
        for file in index_files {
            sink.put(file)?;
        }
        for certification in &model.certifications {
            if let Some(path) = &certification.badge {
                sink.put(OutputFile::new(path.clone(), svg::badge(certification, locale), Audience::Public))?;
            }
        }
        for (name, bytes) in &theme.statics {
            sink.put(OutputFile::new(format!("assets/{name}"), bytes.clone(), Audience::Public))?;
        }
        if language::language_info(&isms.site, &options.base_url, locale).script_strings {
            sink.put(OutputFile::new(
                language::SCRIPT_STRINGS,
                language::script_strings(locale),
                Audience::Public,
            ))?;
        }
        if has_code {
            // The same for every build of this binary.
            made(routes::SYNTAX_STYLESHEET, page_key::file_key("syntax stylesheet", &()), &|| {
                Ok(markdown::highlight_css().into_bytes())
            })?;
        }
        let mut pages = sink.html_pages();
        if !bundle {
            // The site's downloads are copied in by the caller; an HTML one is a page too.
            pages.extend(downloads(isms).into_iter().map(|d| d.path).filter(|path| path.ends_with(".html")));
            pages.sort_unstable();
        }
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        for file in machine_files::machine_files(isms, options, &pages) {
            sink.put(file)?;
        }
        Ok(Rendered { files: sink.count(), templates })
    }
}

fn view_context<'a>(
    isms: &'a Isms,
    options: &RenderOptions,
    targets: &'a LinkTargets,
    sizes: &'a FileSizes,
    evidence_files: &'a [routes::FiledEvidence],
    locale: &'a crate::locale::Locale,
) -> ViewContext<'a> {
    ViewContext {
        isms,
        today: options.today,
        targets,
        explicit_index: options.target.explicit_index(),
        files: sizes,
        target: options.target,
        evidence_files,
        locale,
    }
}

/// Why a render stopped.
#[derive(Debug)]
pub enum RenderError {
    /// A template failed, or a file to copy could not be read.
    Content(Diagnostic),
    /// The sink refused a file or could not write it.
    Write(WriteError),
}

impl From<Diagnostic> for RenderError {
    fn from(diagnostic: Diagnostic) -> RenderError {
        RenderError::Content(diagnostic)
    }
}

impl From<WriteError> for RenderError {
    fn from(error: WriteError) -> RenderError {
        RenderError::Write(error)
    }
}

/// Passes files on to the real sink, noting the HTML pages (for the sitemap) and the count.
struct Recording<'a> {
    inner: &'a dyn Sink,
    html: Mutex<Vec<String>>,
    count: AtomicUsize,
}

impl<'a> Recording<'a> {
    fn new(inner: &'a dyn Sink) -> Recording<'a> {
        Recording { inner, html: Mutex::new(Vec::new()), count: AtomicUsize::new(0) }
    }

    fn html_pages(&self) -> Vec<String> {
        let mut pages = std::mem::take(&mut *self.html.lock().unwrap_or_else(PoisonError::into_inner));
        pages.sort_unstable();
        pages
    }

    fn count(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }
}

impl Sink for Recording<'_> {
    fn keeps_pages(&self) -> bool {
        self.inner.keeps_pages()
    }

    fn keep(&self, files: &[(String, Audience)], key: &PageKey) -> Option<bool> {
        let has_code = self.inner.keep(files, key)?;
        let html = files.iter().filter(|(path, _)| path.ends_with(".html")).map(|(path, _)| path.clone());
        self.html.lock().unwrap_or_else(PoisonError::into_inner).extend(html);
        self.count.fetch_add(files.len(), Ordering::Relaxed);
        Some(has_code)
    }

    fn kept_bytes(&self, path: &str, key: &PageKey) -> Option<Vec<u8>> {
        self.inner.kept_bytes(path, key)
    }

    fn put(&self, file: OutputFile) -> Result<(), WriteError> {
        if file.path.ends_with(".html") {
            self.html.lock().unwrap_or_else(PoisonError::into_inner).push(file.path.clone());
        }
        self.inner.put(file)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
