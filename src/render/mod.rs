//! Rendering is pure: a cut model and a theme in, a list of `OutputFile`s out. Markdown is
//! rendered in parallel once, templates are parsed once, every page gets the shared model
//! by reference (minijinja values are reference-counted), and pages render in parallel.

pub mod formats;
pub mod routes;
pub mod self_service;
pub mod svg;
pub mod theme;
pub mod view;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use minijinja::value::{Enumerator, Object, ObjectRepr, Serde};
use minijinja::{context, Environment, State, Value};
use rayon::prelude::*;
use serde::Serialize;

use crate::audience::Audience;
use crate::date::Date;
use crate::diagnostic::{display_path, Diagnostic, Location};
use crate::load::ContentRoot;
use crate::markdown::{self, LinkBase, LinkTargets};
use crate::model::{Isms, Policy};
use crate::output::{OutputFile, Sink, WriteError};
use theme::Theme;

use view::{PolicyView, SiteModel, ViewContext};

/// What a render is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RenderTarget {
    /// A trust-center site: downloads are read into the output, evidence is shown by id.
    #[default]
    Site,
    /// The auditor bundle: control pages link each evidence file at its bundle path, policy
    /// pages link their markdown source, an evidence index page is added, and files from the
    /// content folder (downloads, evidence, sources) are left to the bundle, which streams
    /// them from disk instead of holding them in memory.
    AuditorBundle,
}

#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// The date "expired", "overdue" and "stale" are computed against.
    pub today: Date,
    /// Absolute base URL of the published site (feeds, sitemap, canonical links).
    pub base_url: String,
    /// Folder links end in `index.html`, for browsing from disk without a server.
    pub explicit_index: bool,
    pub target: RenderTarget,
}

#[derive(Debug, Clone, Serialize)]
struct NavItem {
    path: &'static str,
    label: &'static str,
}

#[derive(Debug, Clone, Serialize)]
struct SiteInfo<'a> {
    name: &'a str,
    legal_name: Option<&'a str>,
    description: Option<&'a str>,
    website: Option<&'a str>,
    base_url: String,
    security_email: &'a str,
    contact_website: Option<&'a str>,
    request_access_url: String,
    audience: Audience,
    internal: bool,
    /// Rendering the auditor bundle (the banner and the evidence index depend on it).
    bundle: bool,
    today: Date,
    generator: String,
    nav: Vec<NavItem>,
    frameworks: Vec<String>,
    has_logo: bool,
}

/// Renders every file of the site for the cut model `isms` into `sink`, each as soon as it
/// is made; returns the number of files.
pub fn render_site(
    isms: &Isms,
    root: &ContentRoot,
    theme: &Theme,
    options: &RenderOptions,
    sink: &dyn Sink,
) -> Result<Rendered, RenderError> {
    let renderer = Renderer::new(isms, root, theme, options)?;
    let rendered = renderer.render_all(isms, root, theme, sink);
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
    environment: Environment<'static>,
    shared: Shared,
    model: SiteModel,
    targets: LinkTargets,
    /// The site's own targets where they differ from `targets` (the bundle's).
    site_targets: Option<LinkTargets>,
    evidence_files: Vec<routes::FiledEvidence>,
}

/// What a changed policy text means for the output.
pub enum Rerendered {
    /// Only this page changed (or may have).
    Page(OutputFile),
    /// Nothing this audience sees changed (a withheld policy, a teaser, a withheld block).
    Nothing,
    /// More than the policy's page may have changed: render everything.
    Everything,
}

impl Renderer {
    pub fn new(
        isms: &Isms,
        root: &ContentRoot,
        theme: &Theme,
        options: &RenderOptions,
    ) -> Result<Renderer, Diagnostic> {
        let bundle = options.target == RenderTarget::AuditorBundle;
        let evidence_files = if bundle { routes::evidence_files(isms) } else { Vec::new() };
        // Two independent starts: the templates parsed, every link target listed.
        let (environment, mut targets) = rayon::join(|| environment(theme), || link_targets(isms));
        let environment = environment?;
        // Feeds are read on the web, so their links use the site's targets even in the bundle.
        let site_targets = bundle.then(|| targets.clone());
        if bundle {
            // A policy may link an evidence file; in the bundle that link can be kept.
            for filed in &evidence_files {
                targets.pages.insert(filed.path.clone());
                targets.sources.entry(filed.source.clone()).or_insert_with(|| filed.path.clone());
            }
            targets.pages.insert(routes::EVIDENCE.to_string());
        }
        let size_of = file_size(root);
        let model = view::build(&view_context(isms, options, &targets, &size_of, &evidence_files));
        let site = site_info(isms, options);
        let search = self_service::search_entries(isms, &model);
        let shared = Shared {
            // Read by one page (search.html), item by item, on whichever thread renders it.
            search: Value::from_object(LazyList(Arc::from(search))),
            nav_paths: site.nav.iter().map(|item| item.path).collect(),
            navs: Mutex::default(),
            site: Value::from(Serde(&site)),
            model: model_value(&model),
            explicit_index: options.explicit_index,
            base_path: base_path(&options.base_url),
        };
        Ok(Renderer {
            options: options.clone(),
            environment,
            shared,
            model,
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
        root: &ContentRoot,
        id: &str,
        old: Option<&Policy>,
    ) -> Result<Rerendered, Diagnostic> {
        let (Some(policy), Some(index)) =
            (isms.policies.get(id), self.model.policies.iter().position(|view| view.id == id))
        else {
            return Ok(Rerendered::Nothing);
        };
        let Some(old) = old else { return Ok(Rerendered::Everything) };
        let explicit_index = self.options.explicit_index;
        let body = view::policy_body(&self.targets, explicit_index, policy);
        let old_body = view::policy_body(&self.targets, explicit_index, old);
        if body == old_body {
            return Ok(Rerendered::Nothing);
        }
        let size_of = file_size(root);
        let context = view_context(isms, &self.options, &self.targets, &size_of, &self.evidence_files);
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
        Ok(Rerendered::Page(render_page(&self.environment, &self.shared, &self.targets, page)?.0))
    }

    /// Renders every file of the site into `sink`.
    pub fn render_all(
        &self,
        isms: &Isms,
        root: &ContentRoot,
        theme: &Theme,
        sink: &dyn Sink,
    ) -> Result<Rendered, RenderError> {
        let (options, environment, shared, model) =
            (&self.options, &self.environment, &self.shared, &self.model);
        let bundle = options.target == RenderTarget::AuditorBundle;
        let site_targets = self.site_targets.as_ref().unwrap_or(&self.targets);
        let mut pages = page_list(isms, model, options.target);
        sink.expect_folders(
            pages
                .iter()
                .filter_map(|page| Some(routes::output_file(&page.path).rsplit_once('/')?.0.to_string()))
                .collect(),
        );
        let sink = Recording::new(sink);
        let page_has_code = AtomicBool::new(false);
        let times = Mutex::new(std::collections::BTreeMap::<&'static str, TemplateTime>::new());
        // trust.json lists every policy too: it is made beside the pages, not after them.
        // Pages go in runs of at most 16, so a thread that finishes early always finds a run
        // to take over (rayon otherwise leaves long runs unsplit once no thread steals).
        let (rendered, trust_json) = rayon::join(
            || {
                pages.par_drain(..).with_max_len(16).try_for_each(|page| -> Result<(), RenderError> {
                    let (template, started) = (page.template, std::time::Instant::now());
                    let (file, has_code) = render_page(environment, shared, &self.targets, page)?;
                    let time = started.elapsed();
                    if has_code {
                        page_has_code.store(true, Ordering::Relaxed);
                    }
                    let mut times = times.lock().unwrap_or_else(PoisonError::into_inner);
                    let entry = times.entry(template).or_insert(TemplateTime {
                        template,
                        pages: 0,
                        time: Default::default(),
                    });
                    entry.pages += 1;
                    entry.time += time;
                    drop(times);
                    sink.put(file)?;
                    Ok(())
                })
            },
            || formats::trust_json_file(isms, model, options),
        );
        rendered?;
        sink.put(trust_json)?;
        let mut templates: Vec<TemplateTime> =
            times.into_inner().unwrap_or_else(PoisonError::into_inner).into_values().collect();
        templates.sort_by(|a, b| b.time.cmp(&a.time).then(a.template.cmp(b.template)));
        // Every policy has a page, so the pages' flag covers the policies.
        let has_code = page_has_code.into_inner()
            || model.updates.iter().any(|u| u.has_code)
            || model.audits.iter().any(|a| a.has_code)
            || model.reviews.iter().any(|r| r.has_code)
            || model.faq.iter().any(|a| a.html.contains("<pre class=\"code\""));

        sink.put(render_feed(environment, isms, model, options, site_targets)?)?;
        sink.put(render_subprocessor_feed(environment, isms, model, options)?)?;
        let answer_rows = self_service::answer_rows(isms, model);
        sink.put(OutputFile::new(
            routes::ANSWERS_CSV,
            self_service::answers_csv(&answer_rows),
            Audience::Public,
        ))?;
        let xlsx = self_service::answers_xlsx(isms, &answer_rows, options.today)
            .map_err(|e| Diagnostic::error("io-error", format!("cannot write the answers workbook: {e}")))?;
        sink.put(OutputFile::new(routes::ANSWERS_XLSX, xlsx, Audience::Public))?;
        for certification in &model.certifications {
            if let Some(path) = &certification.badge {
                sink.put(OutputFile::new(path.clone(), svg::badge(certification), Audience::Public))?;
            }
        }
        for (name, bytes) in &theme.statics {
            sink.put(OutputFile::new(format!("assets/{name}"), bytes.clone(), Audience::Public))?;
        }
        if has_code {
            sink.put(OutputFile::new(
                routes::SYNTAX_STYLESHEET,
                markdown::highlight_css(),
                Audience::Public,
            ))?;
        }
        if !bundle {
            copy_files(isms, root, &sink)?;
        }
        let pages = sink.html_pages();
        let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
        for file in formats::machine_files(isms, options, &pages) {
            sink.put(file)?;
        }
        Ok(Rendered { files: sink.count(), templates })
    }
}

/// What the views read of the content folder: a file's size, for download links.
fn file_size(root: &ContentRoot) -> impl Fn(&Path) -> u64 + Sync + '_ {
    |path: &Path| std::fs::metadata(root.join(path)).map(|m| m.len()).unwrap_or(0)
}

fn view_context<'a>(
    isms: &'a Isms,
    options: &RenderOptions,
    targets: &'a LinkTargets,
    size_of: &'a (dyn Fn(&Path) -> u64 + Sync),
    evidence_files: &'a [routes::FiledEvidence],
) -> ViewContext<'a> {
    ViewContext {
        isms,
        today: options.today,
        targets,
        explicit_index: options.explicit_index,
        files: view::FileFacts { size_of },
        target: options.target,
        evidence_files,
    }
}

/// The model as templates see it. Policies are the one list that grows with the ISMS:
/// templates get them item by item.
fn model_value(model: &SiteModel) -> Value {
    context! {
        policies => Value::from_object(LazyList(Arc::clone(&model.policies))),
        ..Value::from(Serde(model))
    }
}

/// A list handed to templates item by item: each item becomes a template value when a
/// template reads it, so a list of thousands is never converted whole, nor held twice.
#[derive(Debug)]
struct LazyList<T>(Arc<[T]>);

impl<T: Serialize + fmt::Debug + Send + Sync + 'static> Object for LazyList<T> {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Seq
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let index = i64::try_from(key.clone()).ok()?;
        let len = i64::try_from(self.0.len()).ok()?;
        let index = usize::try_from(if index < 0 { index + len } else { index }).ok()?;
        self.0.get(index).map(|item| Value::from(Serde(item)))
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Seq(self.0.len())
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
    fn put(&self, file: OutputFile) -> Result<(), WriteError> {
        if file.path.ends_with(".html") {
            self.html.lock().unwrap_or_else(PoisonError::into_inner).push(file.path.clone());
        }
        self.inner.put(file)?;
        self.count.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

struct Shared {
    search: Value,
    site: Value,
    model: Value,
    explicit_index: bool,
    base_path: String,
    /// The paths of `site.nav`'s items.
    nav_paths: Vec<&'static str>,
    /// `nav.html` as rendered for each [`NavKey`] met so far.
    navs: Mutex<std::collections::HashMap<NavKey, Value>>,
}

/// Everything `nav.html` sees of a page. Pages that agree on it share one rendering of the
/// navigation: a few dozen renderings for a site of any size, instead of one per page.
#[derive(Clone, PartialEq, Eq, Hash)]
struct NavKey {
    /// What `url()` puts before a site path: `../` once per folder of the page's path.
    url_prefix: String,
    /// The 404 page's root, which its links start from instead.
    absolute_root: Option<String>,
    /// The page's first folder (`policies/`), empty for the overview.
    section: String,
    /// The page's path when the page itself is in the navigation.
    current: Option<String>,
}

impl Shared {
    /// The site navigation for a page, rendered from `nav.html` on first use of its key.
    fn nav(&self, environment: &Environment<'static>, key: &NavKey) -> Result<Value, Diagnostic> {
        if let Some(nav) = self.navs.lock().unwrap_or_else(PoisonError::into_inner).get(key) {
            return Ok(nav.clone());
        }
        let template = environment.get_template("nav.html").map_err(template_error)?;
        let html = template
            .render(context! {
                site => self.site.clone(),
                section => key.section.as_str(),
                current => key.current.as_deref(),
                url_prefix => key.url_prefix.as_str(),
                absolute_root => key.absolute_root.as_deref(),
                explicit_index => self.explicit_index,
            })
            .map_err(template_error)?;
        let nav = Value::from_safe_string(html);
        // Two threads may render the same key at once: both results are the same bytes.
        self.navs.lock().unwrap_or_else(PoisonError::into_inner).insert(key.clone(), nav.clone());
        Ok(nav)
    }
}

/// One HTML page to render.
struct Page<'a> {
    template: &'static str,
    path: String,
    title: String,
    audience: Audience,
    /// The item a detail page shows, under the name its template expects.
    item: Option<(&'static str, Item<'a>)>,
    has_code: bool,
}

/// A detail page's item. A policy (thousands in a large ISMS) has its body rendered and
/// becomes a template value only when its page renders, so bodies are never all held at once.
enum Item<'a> {
    Value(Value),
    Policy(&'a PolicyView, &'a Policy),
}

impl<'a> Page<'a> {
    /// A policy's page: public when only its teaser is shown.
    fn policy(view: &'a PolicyView, policy: &'a Policy) -> Page<'a> {
        Page {
            template: "policy.html",
            path: view.path.clone(),
            title: view.title.clone(),
            audience: if policy.teaser_only { Audience::Public } else { policy.audience },
            item: Some(("policy", Item::Policy(view, policy))),
            // Known once its body renders.
            has_code: false,
        }
    }

    fn list(template: &'static str, path: &str, title: &str, audience: Audience) -> Page<'static> {
        Page {
            template,
            path: path.to_string(),
            title: title.to_string(),
            audience,
            item: None,
            has_code: false,
        }
    }
}

fn page_list<'a>(isms: &'a Isms, model: &'a SiteModel, target: RenderTarget) -> Vec<Page<'a>> {
    let internal = isms.audience >= Audience::Internal;
    let mut pages = vec![
        Page::list("overview.html", routes::OVERVIEW, "Overview", Audience::Public),
        Page::list("policies.html", routes::POLICIES, "Policies", Audience::Public),
        Page::list("soa.html", routes::SOA, "Statement of Applicability", Audience::Public),
        Page::list("certifications.html", routes::CERTIFICATIONS, "Certifications", Audience::Public),
        Page::list("documents.html", routes::DOCUMENTS, "Documents", Audience::Public),
        Page::list("subprocessors.html", routes::SUBPROCESSORS, "Subprocessors", Audience::Public),
        Page::list("faq.html", routes::FAQ, "Security FAQ", Audience::Public),
        Page::list("updates.html", routes::UPDATES, "Security updates", Audience::Public),
        Page::list("search.html", routes::SEARCH, "Answer a security questionnaire", Audience::Public),
        Page::list("frameworks.html", routes::FRAMEWORKS, "Frameworks", Audience::Public),
    ];
    for framework in &model.frameworks {
        pages.push(Page {
            template: "framework.html",
            path: framework.path.clone(),
            title: framework.name.clone(),
            audience: Audience::Public,
            item: Some(("framework", Item::Value(Value::from(Serde(framework))))),
            has_code: false,
        });
    }
    // The 404 page is for a web server; its links are absolute, which a bundle opened from
    // disk cannot follow.
    if target == RenderTarget::Site {
        pages.push(Page::list("404.html", routes::NOT_FOUND, "Page not found", Audience::Public));
    }
    for (view, policy) in model.policies.iter().zip(isms.policies.values()) {
        pages.push(Page::policy(view, policy));
    }
    for control in &model.controls {
        pages.push(Page {
            template: "control.html",
            path: control.path.clone(),
            title: format!("{} {}", control.id, control.title),
            audience: Audience::Public,
            item: Some(("control", Item::Value(Value::from(Serde(control))))),
            has_code: false,
        });
    }
    for update in &model.updates {
        let audience = isms.updates.get(&update.id).map_or(Audience::Auditor, |u| {
            if u.teaser_only {
                Audience::Public
            } else {
                u.audience
            }
        });
        pages.push(Page {
            template: "update.html",
            path: update.path.clone(),
            title: update.title.clone(),
            audience,
            item: Some(("update", Item::Value(Value::from(Serde(update))))),
            has_code: update.has_code,
        });
    }
    if target == RenderTarget::AuditorBundle {
        pages.push(Page::list("evidence.html", routes::EVIDENCE, "Evidence", Audience::Auditor));
    }
    if internal {
        pages.push(Page {
            template: "health.html",
            path: routes::HEALTH.to_string(),
            title: "ISMS health".to_string(),
            audience: Audience::Internal,
            item: Some(("health", Item::Value(health(model)))),
            has_code: false,
        });
        pages.push(Page::list("risks.html", routes::RISKS, "Risk register", Audience::Internal));
        pages.push(Page::list("audits.html", routes::AUDITS, "Internal audits", Audience::Internal));
        pages.push(Page::list("reviews.html", routes::REVIEWS, "Management reviews", Audience::Internal));
        for audit in &model.audits {
            let audience =
                isms.audits.get(&audit.id).map_or(Audience::Auditor, |a| a.audience.max(Audience::Internal));
            pages.push(Page {
                template: "audit.html",
                path: audit.path.clone(),
                title: audit.title.clone(),
                audience,
                item: Some(("audit", Item::Value(Value::from(Serde(audit))))),
                has_code: audit.has_code,
            });
        }
        for review in &model.reviews {
            let audience = isms
                .reviews
                .get(&review.id)
                .map_or(Audience::Auditor, |r| r.audience.max(Audience::Internal));
            pages.push(Page {
                template: "review.html",
                path: review.path.clone(),
                title: review.title.clone(),
                audience,
                item: Some(("review", Item::Value(Value::from(Serde(review))))),
                has_code: review.has_code,
            });
        }
    }
    pages
}

/// The internal health page: what needs attention, with its pictures.
fn health(model: &SiteModel) -> Value {
    #[derive(Serialize)]
    struct OpenFinding<'a> {
        audit_title: &'a str,
        audit_path: &'a str,
        finding: &'a crate::model::Finding,
        overdue: bool,
    }
    let today = model.today;
    let mut findings: Vec<OpenFinding> = model
        .audits
        .iter()
        .flat_map(|audit| {
            audit.findings.iter().filter(|f| f.status != Some(crate::model::FindingStatus::Closed)).map(
                move |finding| OpenFinding {
                    audit_title: &audit.title,
                    audit_path: &audit.path,
                    finding,
                    overdue: finding.due.is_some_and(|due| due < today),
                },
            )
        })
        .collect();
    findings.sort_by(|a, b| (a.finding.due, &a.finding.id).cmp(&(b.finding.due, &b.finding.id)));
    let overdue: Vec<_> = model.policies.iter().filter(|p| p.review_overdue).collect();
    let failing: Vec<_> =
        model.checks.iter().filter(|c| c.result == crate::model::CheckResult::Fail).collect();
    let stale: Vec<_> = model.checks.iter().filter(|c| c.stale).collect();
    let certifications: Vec<_> =
        model.certifications.iter().filter(|c| c.state == "expiring" || c.state == "expired").collect();
    context! {
        overdue_policies => Value::from(Serde(overdue)),
        open_findings => Value::from(Serde(findings)),
        heat_map => svg::heat_map(&model.risks),
        progress => svg::progress(&model.coverage),
        failing_checks => Value::from(Serde(failing)),
        stale_checks => Value::from(Serde(stale)),
        certifications => Value::from(Serde(certifications)),
        risks_high => model.risks.iter().filter(|r| r.score >= 10).count(),
    }
}

/// Renders one page; returns it and whether it shows code (and so needs the syntax stylesheet).
fn render_page(
    environment: &Environment<'static>,
    shared: &Shared,
    targets: &LinkTargets,
    mut page: Page,
) -> Result<(OutputFile, bool), Diagnostic> {
    let template = environment.get_template(page.template).map_err(template_error)?;
    let (item_name, item) = match page.item.take() {
        None => ("item", Value::UNDEFINED),
        Some((name, Item::Value(value))) => (name, value),
        Some((name, Item::Policy(view, policy))) => {
            let body = view::policy_body(targets, shared.explicit_index, policy);
            page.has_code = body.has_code;
            // The table of contents: the headings down to level 3, ready made (a filter
            // chain over every heading cost more than the rest of the page's markup).
            let toc: Vec<&markdown::Heading> = body.headings.iter().filter(|h| h.level <= 3).collect();
            let value = context! {
                html => Value::from_safe_string(body.html),
                toc => Value::from(Serde(&toc)),
                headings => Value::from_object(LazyList(Arc::from(body.headings))),
                has_code => body.has_code,
                ..Value::from(Serde(view))
            };
            (name, value)
        }
    };
    // The 404 page is served at any depth, so its links are absolute from the site root.
    let absolute_root = (page.template == "404.html").then(|| shared.base_path.clone());
    let key = NavKey {
        url_prefix: markdown::relative_prefix(&page.path),
        absolute_root,
        section: page.path.split_inclusive('/').next().unwrap_or("").to_string(),
        current: shared.nav_paths.contains(&page.path.as_str()).then(|| page.path.clone()),
    };
    let nav = shared.nav(environment, &key)?;
    let NavKey { url_prefix, absolute_root, section, .. } = key;
    let page_value = context! { path => page.path.clone(), title => page.title, has_code => page.has_code };
    // One flat map: every variable lookup of the page is one map lookup.
    let html = template
        .render(Value::from_object(std::collections::BTreeMap::from([
            ("site", shared.site.clone()),
            ("model", shared.model.clone()),
            ("search", shared.search.clone()),
            ("page", page_value),
            ("nav", nav),
            ("url_prefix", Value::from(url_prefix)),
            ("section", Value::from(section)),
            ("explicit_index", Value::from(shared.explicit_index)),
            ("absolute_root", Value::from(absolute_root)),
            (item_name, item),
        ])))
        .map_err(template_error)?;
    Ok((OutputFile::new(routes::output_file(&page.path), html, page.audience), page.has_code))
}

fn render_feed(
    environment: &Environment<'static>,
    isms: &Isms,
    model: &SiteModel,
    options: &RenderOptions,
    targets: &LinkTargets,
) -> Result<OutputFile, Diagnostic> {
    #[derive(Serialize)]
    struct Entry<'a> {
        title: &'a str,
        url: String,
        date: String,
        summary: Option<&'a str>,
        html: String,
    }
    let base = LinkBase::Absolute { base_url: options.base_url.clone() };
    // A teaser has no date to give, and a feed entry needs one: the feed lists dated
    // updates only; the updates page lists the teasers.
    let entries: Vec<Entry> = model
        .updates
        .iter()
        .filter_map(|update| Some((update, update.date?)))
        .map(|(update, date)| {
            let html = match isms.updates.get(&update.id) {
                Some(source) if !update.teaser_only => {
                    markdown::render(&source.body.text, &source.source.file, targets, &base).html
                }
                _ => String::new(),
            };
            Entry {
                title: &update.title,
                url: base.link_to(&update.path),
                date: date.rfc3339_midnight(),
                summary: update.summary.as_deref(),
                html,
            }
        })
        .collect();
    let updated = model.updates.first().and_then(|u| u.date).unwrap_or(options.today).rfc3339_midnight();
    let template = environment.get_template("feed.xml").map_err(template_error)?;
    let xml = template
        .render(context! {
            name => isms.site.organization.name.clone(),
            feed_url => base.link_to(routes::UPDATES_FEED),
            page_url => base.link_to(routes::UPDATES),
            updated => updated,
            entries => Value::from(Serde(&entries)),
        })
        .map_err(template_error)?;
    Ok(OutputFile::new(routes::UPDATES_FEED, xml, Audience::Public))
}

fn render_subprocessor_feed(
    environment: &Environment<'static>,
    isms: &Isms,
    model: &SiteModel,
    options: &RenderOptions,
) -> Result<OutputFile, Diagnostic> {
    let base = LinkBase::Absolute { base_url: options.base_url.clone() };
    let template = environment.get_template("subprocessors-feed.xml").map_err(template_error)?;
    let updated = model.subprocessors_updated.unwrap_or(options.today).rfc3339_midnight();
    let entries: Vec<Value> = model
        .subprocessor_changes
        .iter()
        .map(|change| {
            Value::from(Serde(context! {
                title => format!("{} {}", if change.change == "added" { "Added:" } else { "Removed:" }, change.name),
                id => format!("{}#{}", base.link_to(routes::SUBPROCESSORS), change.anchor),
                url => base.link_to(routes::SUBPROCESSORS),
                date => change.date.rfc3339_midnight(),
                change => change.change,
                name => change.name.clone(),
                purpose => change.purpose.clone(),
                location => change.location.clone(),
            }))
        })
        .collect();
    let xml = template
        .render(context! {
            name => isms.site.organization.name.clone(),
            feed_url => base.link_to(routes::SUBPROCESSORS_FEED),
            page_url => base.link_to(routes::SUBPROCESSORS),
            updated => updated,
            entries => entries,
        })
        .map_err(template_error)?;
    Ok(OutputFile::new(routes::SUBPROCESSORS_FEED, xml, Audience::Public))
}

/// A file copied from the content folder into the output as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Download {
    /// Its path in the output.
    pub path: String,
    /// Its content-relative path.
    pub source: PathBuf,
    /// The lowest audience allowed to see it.
    pub audience: Audience,
}

/// Downloads: documents and certification documents this audience may see, sorted by
/// output path. A file named twice at the same output path is listed once.
pub fn downloads(isms: &Isms) -> Vec<Download> {
    let mut copies: Vec<Download> = Vec::new();
    for document in isms.documents.values().filter(|d| !d.teaser_only) {
        copies.push(Download {
            path: routes::document_file(&view::file_name(&document.path)),
            source: document.path.clone(),
            audience: document.audience,
        });
    }
    for certification in isms.certifications.values() {
        for document in &certification.documents {
            copies.push(Download {
                path: routes::certification_file(&certification.id, &view::file_name(&document.path)),
                source: document.path.clone(),
                audience: document.audience,
            });
        }
    }
    copies.sort_by(|a, b| a.path.cmp(&b.path));
    copies.dedup_by(|a, b| a.path == b.path && a.source == b.source);
    copies
}

/// The downloads of a site, read into memory (they are small; the bundle streams them).
fn copy_files(isms: &Isms, root: &ContentRoot, sink: &dyn Sink) -> Result<(), RenderError> {
    downloads(isms).into_par_iter().try_for_each(|download| {
        let absolute = root.ensure_inside(&download.source)?;
        let bytes = std::fs::read(&absolute).map_err(|error| {
            Diagnostic::error(
                "io-error",
                format!("cannot read `{}`: {error}", display_path(&download.source)),
            )
            .at(Location::file(&download.source))
        })?;
        sink.put(OutputFile::new(download.path, bytes, download.audience))?;
        Ok(())
    })
}

/// Every page and file of the build, and where each content source file is shown.
pub fn link_targets(isms: &Isms) -> LinkTargets {
    link_targets_for(isms, isms.audience)
}

/// The link targets of `reader`'s build, from a model that may hold more than `reader` sees
/// (`check` uses this on the full model, instead of cutting it once per audience). On a cut
/// model it gives what `link_targets` does: the rules below are the cut's rules for what
/// has a page or a file.
pub fn link_targets_for(isms: &Isms, reader: Audience) -> LinkTargets {
    let reader = reader.min(isms.audience);
    let visible = |audience: Audience| audience.visible_to(reader);
    let mut targets = LinkTargets::default();
    for path in [
        routes::OVERVIEW,
        routes::POLICIES,
        routes::SOA,
        routes::CERTIFICATIONS,
        routes::DOCUMENTS,
        routes::SUBPROCESSORS,
        routes::FAQ,
        routes::UPDATES,
        routes::UPDATES_FEED,
        routes::TRUST_JSON,
        routes::SECURITY_TXT,
        routes::SEARCH,
        routes::FRAMEWORKS,
        routes::SUBPROCESSORS_FEED,
        routes::ANSWERS_CSV,
        routes::ANSWERS_XLSX,
    ] {
        targets.pages.insert(path.to_string());
    }
    if reader >= Audience::Internal {
        for path in [routes::RISKS, routes::AUDITS, routes::REVIEWS, routes::HEALTH] {
            targets.pages.insert(path.to_string());
        }
        for audit in isms.audits.values().filter(|a| visible(a.audience)) {
            targets.pages.insert(routes::audit(&audit.id));
            targets.sources.insert(audit.source.file.clone(), routes::audit(&audit.id));
        }
        for review in isms.reviews.values().filter(|r| visible(r.audience)) {
            targets.pages.insert(routes::review(&review.id));
            targets.sources.insert(review.source.file.clone(), routes::review(&review.id));
        }
    }
    // Teasers have a page (title and summary) for readers below them.
    for policy in isms.policies.values().filter(|p| visible(p.audience) || p.teaser) {
        targets.pages.insert(routes::policy(&policy.id));
        targets.sources.insert(policy.source.file.clone(), routes::policy(&policy.id));
    }
    let teasers =
        crate::cut::teaser_ids(isms.updates.values().map(|u| (&u.id, u.audience, u.teaser)), reader);
    for update in isms.updates.values().filter(|u| visible(u.audience) || u.teaser) {
        let id = teasers.get(update.id.as_str()).unwrap_or(&update.id);
        targets.pages.insert(routes::update(id));
        targets.sources.insert(update.source.file.clone(), routes::update(id));
    }
    for catalog in isms.catalogs.soa_catalogs() {
        for control in &catalog.controls {
            targets.pages.insert(routes::control(&control.id));
        }
    }
    for catalog in isms.catalogs.mapped_catalogs() {
        targets.pages.insert(routes::framework(&catalog.id));
    }
    // A teaser document has no file for readers below it.
    for document in isms.documents.values().filter(|d| visible(d.audience) && !d.teaser_only) {
        let site_path = routes::document_file(&view::file_name(&document.path));
        targets.pages.insert(site_path.clone());
        targets.sources.insert(document.path.clone(), site_path);
    }
    for certification in isms.certifications.values().filter(|c| visible(c.audience)) {
        for document in certification.documents.iter().filter(|d| visible(d.audience)) {
            let site_path = routes::certification_file(&certification.id, &view::file_name(&document.path));
            targets.pages.insert(site_path.clone());
            targets.sources.insert(document.path.clone(), site_path);
        }
    }
    targets
}

fn site_info<'a>(isms: &'a Isms, options: &RenderOptions) -> SiteInfo<'a> {
    let site = &isms.site;
    let internal = isms.audience >= Audience::Internal;
    let mut nav = vec![
        NavItem { path: routes::OVERVIEW, label: "Overview" },
        NavItem { path: routes::POLICIES, label: "Policies" },
        NavItem { path: routes::SOA, label: "Controls" },
        NavItem { path: routes::CERTIFICATIONS, label: "Certifications" },
        NavItem { path: routes::DOCUMENTS, label: "Documents" },
        NavItem { path: routes::SUBPROCESSORS, label: "Subprocessors" },
        NavItem { path: routes::SEARCH, label: "Questionnaire" },
        NavItem { path: routes::UPDATES, label: "Updates" },
    ];
    let bundle = options.target == RenderTarget::AuditorBundle;
    if bundle {
        nav.push(NavItem { path: routes::EVIDENCE, label: "Evidence" });
    }
    if internal {
        nav.push(NavItem { path: routes::HEALTH, label: "Health" });
        nav.push(NavItem { path: routes::RISKS, label: "Risks" });
        nav.push(NavItem { path: routes::AUDITS, label: "Audits" });
        nav.push(NavItem { path: routes::REVIEWS, label: "Reviews" });
    }
    SiteInfo {
        name: &site.organization.name,
        legal_name: site.organization.legal_name.as_deref(),
        description: site.organization.description.as_deref(),
        website: site.organization.website.as_deref(),
        base_url: options.base_url.clone(),
        security_email: &site.contact.security_email,
        contact_website: site.contact.website.as_deref(),
        request_access_url: site.request_access_url(),
        audience: isms.audience,
        internal,
        bundle,
        today: options.today,
        generator: format!("trustpress {}", env!("CARGO_PKG_VERSION")),
        nav,
        frameworks: isms.catalogs.soa_catalogs().map(|c| c.name.clone()).collect(),
        has_logo: false,
    }
}

/// The path part of the base URL, with a trailing slash (`https://x.example/trust` → `/trust/`).
fn base_path(base_url: &str) -> String {
    let without_scheme = base_url.split_once("://").map_or(base_url, |(_, rest)| rest);
    let path = without_scheme.find('/').map_or("", |index| &without_scheme[index..]);
    format!("{}/", path.trim_end_matches('/'))
}

fn template_error(error: minijinja::Error) -> Diagnostic {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(inner) = source {
        message.push_str(&format!(": {inner}"));
        source = inner.source();
    }
    let location = match (error.name(), error.line()) {
        (Some(name), Some(line)) => {
            Some(Location::at(format!("templates/{name}"), u32::try_from(line).unwrap_or(0), 0))
        }
        _ => None,
    };
    let diagnostic = Diagnostic::error("template-error", message).hint("check the theme's template");
    match location {
        Some(location) => diagnostic.at(location),
        None => diagnostic,
    }
}

fn environment(theme: &Theme) -> Result<Environment<'static>, Diagnostic> {
    let mut environment = Environment::new();
    environment.set_undefined_behavior(minijinja::UndefinedBehavior::SemiStrict);
    environment.set_auto_escape_callback(|name| {
        if name.ends_with(".html") || name.ends_with(".xml") {
            minijinja::AutoEscape::Html
        } else {
            minijinja::AutoEscape::None
        }
    });
    for (name, source) in &theme.templates {
        environment.add_template_owned(name.clone(), source.clone()).map_err(template_error)?;
    }
    environment.set_formatter(escape_minimal);
    environment.add_function("url", url_function);
    environment.add_filter("long_date", |value: String| -> String {
        Date::parse(&value).map(Date::long).unwrap_or(value)
    });
    environment.add_filter("filesize", |bytes: u64| -> String { human_size(bytes) });
    Ok(environment)
}

/// Escapes `& < > " '` in HTML and XML output, and nothing else: every attribute in the theme
/// is quoted, so this is sufficient, and URLs stay readable (minijinja's default also escapes
/// `/`, which bloats every link and confuses naive feed readers).
fn escape_minimal(
    out: &mut minijinja::Output,
    state: &mut State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if let (minijinja::AutoEscape::Html, Some(text), false) =
        (state.auto_escape(), value.as_str(), value.is_safe())
    {
        return markdown::escape_into(text, true, out).map_err(|_| {
            minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "could not write template output")
        });
    }
    minijinja::escape_formatter(out, state, value)
}

/// `url("policies/")`: a link from the page being rendered to a site path.
/// A route may end in a fragment after a folder (`frameworks/soc2-2017/#cc6-1`); file names
/// may hold `#` themselves, so only `/#` starts a fragment.
fn url_function(state: &mut State, path: &str) -> String {
    if let Some(base) = state.get_extension::<UrlBase>() {
        return base.url(path);
    }
    let base = UrlBase::of(state);
    let url = base.url(path);
    state.get_or_insert_extension(base);
    url
}

/// What `url()` needs of the page being rendered, looked up once per render rather than
/// once per link.
struct UrlBase {
    /// The 404 page's links are absolute from this root.
    absolute_root: Option<String>,
    /// `../` once per folder of the page's path.
    prefix: String,
    explicit_index: bool,
}

impl UrlBase {
    fn of(state: &State) -> UrlBase {
        let absolute_root = state
            .lookup("absolute_root")
            .filter(|v| !v.is_none() && !v.is_undefined())
            .map(|root| root.as_str().unwrap_or("/").to_string());
        let prefix = state.lookup("url_prefix").and_then(|v| v.as_str().map(str::to_string));
        UrlBase {
            absolute_root,
            prefix: prefix.unwrap_or_default(),
            explicit_index: state.lookup("explicit_index").is_some_and(|v| v.is_true()),
        }
    }

    fn url(&self, path: &str) -> String {
        // Only `/#` starts a fragment; a `#` elsewhere is part of a file name.
        let (path, fragment) = match path.match_indices('#').find(|&(i, _)| path[..i].ends_with('/')) {
            Some((index, _)) => path.split_at(index),
            None => (path, ""),
        };
        let start = self.absolute_root.as_deref().unwrap_or(&self.prefix);
        let mut link = String::with_capacity(start.len() + path.len() + fragment.len() + 10);
        link.push_str(start);
        push_encoded_path(&mut link, path);
        if self.absolute_root.is_none() {
            if self.explicit_index && (link.is_empty() || link.ends_with('/')) {
                link.push_str("index.html");
            }
            if link.is_empty() {
                link.push_str("./");
            }
        }
        link.push_str(fragment);
        link
    }
}

/// Appends a site path made safe for `href`: the characters that would end or alter the
/// path part of a URL (`%`, `#`, `?`, found in real evidence and document file names) are
/// percent-encoded; everything else is left as written.
fn push_encoded_path(link: &mut String, path: &str) {
    if !path.contains(['%', '#', '?']) {
        link.push_str(path);
        return;
    }
    for c in path.chars() {
        match c {
            '%' => link.push_str("%25"),
            '#' => link.push_str("%23"),
            '?' => link.push_str("%3F"),
            _ => link.push(c),
        }
    }
}

fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["bytes", "KB", "MB", "GB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_at(prefix: &str) -> UrlBase {
        UrlBase { absolute_root: None, prefix: prefix.to_string(), explicit_index: false }
    }

    #[test]
    fn links_encode_only_what_would_break_a_url() {
        let base = page_at("../");
        assert_eq!(base.url("evidence/A.5.15/Q3 review.csv"), "../evidence/A.5.15/Q3 review.csv");
        assert_eq!(base.url("documents/50%#2?.pdf"), "../documents/50%25%232%3F.pdf");
    }

    #[test]
    fn only_a_hash_after_a_slash_starts_a_fragment() {
        let base = page_at("../../");
        assert_eq!(base.url("frameworks/soc2-2017/#cc6-1"), "../../frameworks/soc2-2017/#cc6-1");
        assert_eq!(base.url("documents/a#b/#c"), "../../documents/a%23b/#c");
        let root = UrlBase { absolute_root: Some("/trust/".to_string()), ..page_at("") };
        assert_eq!(root.url("soa/#a-5-1"), "/trust/soa/#a-5-1");
        let index = UrlBase { explicit_index: true, ..page_at("") };
        assert_eq!(index.url(""), "index.html");
        assert_eq!(index.url("soa/#a-5-1"), "soa/index.html#a-5-1");
        assert_eq!(page_at("").url(""), "./");
    }
}
