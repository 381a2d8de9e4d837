//! The pages one build renders (from the site's page table, then one page per item) and
//! the rendering of one page.

use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{context, Environment, Value};

use crate::audience::Audience;
use crate::diagnostic::Diagnostic;
use crate::locale::Locale;
use crate::markdown::{self, LinkTargets};

use crate::model::{Isms, MarkdownRecord, Policy};
use crate::output::OutputFile;
use crate::render::environment::template_error;
use crate::render::health::health;
use crate::render::questionnaire::SearchEntry;
use crate::render::shared::{LazyList, NavKey, Shared};
use crate::render::view::{self, PolicyView, RecordPage, RecordPageVisitor, SiteModel};
use crate::site::pages::{self, MadeBy};
use crate::site::{routes, RenderTarget};

/// One HTML page to render.
pub(crate) struct Page<'a> {
    pub(crate) template: &'static str,
    pub(crate) path: String,
    pub(crate) title: String,
    pub(crate) audience: Audience,
    /// The item a detail page shows, under the name its template expects.
    pub(crate) item: Option<(&'static str, Item<'a>)>,
    pub(crate) has_code: bool,
    /// It names the search index's build id: it is rendered once the index is made.
    pub(crate) after_index: bool,
}

/// A detail page's item. A policy (thousands in a large ISMS) has its body rendered and
/// becomes a template value only when its page renders, so bodies are never all held at once.
/// Every other item but the health page's also becomes a value only then: a page a rebuild
/// keeps (see `crate::output::kept`) never converts its item.
pub(crate) enum Item<'a> {
    Value(Value),
    Lazy(Box<dyn LazyItem + 'a>),
    Policy(&'a PolicyView, &'a Policy),
    /// A "what changed" page: its texts are compared only when it renders.
    Changes(&'a view::ChangesPage, &'a Policy),
    /// A page of a paginated list that the build key holds whole (see [`Listing`]).
    Listing(Box<dyn ListingItem + 'a>),
}

impl<'a> Item<'a> {
    pub(crate) fn lazy(item: impl serde::Serialize + Send + Sync + 'a) -> Item<'a> {
        Item::Lazy(Box::new(item))
    }
}

/// An item made into a template value when its page renders, and written as JSON for its
/// page's key.
pub(crate) trait LazyItem: Send + Sync {
    fn value(&self) -> Value;
    fn write_json(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()>;
}

/// A page of a list ([`Listing`]): a template value when it renders, and, for its key, its
/// place in a list the build key already holds, not its items again.
pub(crate) trait ListingItem: LazyItem {
    fn write_place(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()>;
}

impl<T: serde::Serialize + Send + Sync> ListingItem for Listing<'_, T> {
    fn write_place(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        let Listing { list, items, first, page, pages, previous, next, index } = self;
        serde_json::to_writer(out, &(list, first, items.len(), page, pages, previous, next, index))
    }
}

impl<T: serde::Serialize + Send + Sync> LazyItem for T {
    fn value(&self) -> Value {
        Value::from(Serde(self))
    }
    fn write_json(&self, out: &mut dyn std::io::Write) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

impl<'a> Page<'a> {
    /// A policy's page: public when only its teaser is shown.
    pub(crate) fn policy(view: &'a PolicyView, policy: &'a Policy) -> Page<'a> {
        Page {
            template: Policy::TEMPLATE,
            path: view.path.clone(),
            title: view.title.clone(),
            audience: record_page_audience(policy),
            item: Some((Policy::ITEM, Item::Policy(view, policy))),
            // Known once its body renders.
            has_code: false,
            after_index: false,
        }
    }
}

/// One page of a paginated list (the policies, the questionnaire search): its items, its
/// number and the count (from 1), and the paths of the pages before and after it.
#[derive(serde::Serialize)]
pub(crate) struct Listing<'a, T> {
    /// Which of the lists every page's key holds whole its items come from: `model.policies`
    /// (`"policies"`) or the search entries (`"search"`), both hashed into the build key
    /// (`page_key::build_key`). Its page's key is then its place in that list.
    #[serde(skip)]
    list: &'static str,
    items: &'a [T],
    /// The number of its first item in the whole list (from 0).
    first: usize,
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
    /// The list's search index, when it has one.
    index: Option<IndexRef>,
}

/// Where a list's search index is (`search/index/`), and its build id.
#[derive(serde::Serialize, Clone)]
pub(crate) struct IndexRef {
    path: &'static str,
    build: IndexBuild,
}

/// The build id of the search index, known once the index is made, which is done beside the
/// other pages: the pages that name it are rendered after it (`Page::after_index`). Read
/// before it is set, it is an error, never an empty id.
#[derive(Clone, Default)]
pub(crate) struct IndexBuild(Arc<std::sync::OnceLock<String>>);

impl IndexBuild {
    /// Sets the id; the first one set stays.
    pub(crate) fn set(&self, build: String) {
        let _ = self.0.set(build);
    }
}

impl serde::Serialize for IndexBuild {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0.get() {
            Some(build) => serializer.serialize_str(build),
            None => Err(serde::ser::Error::custom("the search index's build id is not known yet")),
        }
    }
}

/// A list by the name its pages' keys give it (see [`Listing::list`]), and its items.
pub(crate) type NamedList<'a, T> = (&'static str, &'a [T]);

/// `items` (the list named `list`, see [`Listing::list`]) cut into pages of `per_page`, page
/// `n` at `path(n)`; one (empty) page when there are none.
pub(crate) fn listings<'a, T>(
    (list, items): NamedList<'a, T>,
    per_page: usize,
    path: fn(usize) -> String,
) -> Vec<Listing<'a, T>> {
    let chunks: Vec<&[T]> = if items.is_empty() { vec![items] } else { items.chunks(per_page).collect() };
    let pages = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(index, items)| {
            let page = index + 1;
            Listing {
                list,
                items,
                first: index * per_page,
                page,
                pages,
                previous: (page > 1).then(|| path(page - 1)),
                next: (page < pages).then(|| path(page + 1)),
                index: None,
            }
        })
        .collect()
}

/// How many search results a page of `target` holds: the site's pages are small, and its
/// script fetches the index and the pages it needs; the bundle, read from disk where a
/// page cannot fetch, has every result on one page and filters it in place.
pub(crate) fn search_per_page(target: RenderTarget) -> usize {
    match target {
        RenderTarget::Site => routes::SEARCH_PER_PAGE,
        RenderTarget::AuditorBundle => usize::MAX,
    }
}

/// The pages of a paginated list of `per_page` items to a page, page `n` at `path(n)`: the
/// first is the fixed page at `path(1)` (its template and audience), the others are added
/// after it, titled by `title_key`.
fn paginate<'a, T: serde::Serialize + Send + Sync>(
    pages: &mut Vec<Page<'a>>,
    (list, per_page, path): (NamedList<'a, T>, usize, fn(usize) -> String),
    index: Option<IndexRef>,
    title_key: &str,
    locale: &Locale,
) {
    let Some(at) = pages.iter().position(|page| page.path == path(1)) else { return };
    let (template, audience) = (pages[at].template, pages[at].audience);
    let after_index = index.is_some();
    pages[at].after_index = after_index;
    for mut listing in listings(list, per_page, path) {
        listing.index = index.clone();
        let (page, pages_count) = (listing.page, listing.pages);
        let item = Some(("listing", Item::Listing(Box::new(listing))));
        if page == 1 {
            pages[at].item = item;
            continue;
        }
        let values = [("page", page.to_string()), ("pages", pages_count.to_string())];
        pages.push(Page {
            template,
            path: path(page),
            title: locale.plain(title_key, None, &values),
            audience,
            item,
            has_code: false,
            after_index,
        });
    }
}

pub(crate) fn page_list<'a>(
    isms: &'a Isms,
    model: &'a SiteModel,
    search: &'a [SearchEntry],
    index_build: Option<&IndexBuild>,
    target: RenderTarget,
    locale: &Locale,
) -> Vec<Page<'a>> {
    let mut pages: Vec<Page> = pages::pages_of(isms.audience, target)
        .filter_map(|fixed| match fixed.made_by {
            MadeBy::Template(template) => Some(Page {
                template,
                path: fixed.route.to_string(),
                title: locale.text(fixed.title),
                audience: fixed.audience,
                // The health page's template gets its data as `health`.
                item: (fixed.route == routes::HEALTH).then(|| ("health", Item::Value(health(model, locale)))),
                has_code: false,
                after_index: false,
            }),
            MadeBy::File => None,
        })
        .collect();
    // The policies list and the questionnaire search, each a page per so many items: the
    // first is the fixed page.
    let per_policies = routes::POLICIES_PER_PAGE;
    // Each list by the name its pages' keys give it: the build key holds both whole.
    let policies =
        (("policies", &model.policies[..]), per_policies, routes::policies_page as fn(usize) -> String);
    paginate(&mut pages, policies, None, "title.policies_page", locale);
    // The site's search has an index its script fetches; the bundle's filters in place.
    let index = index_build.map(|build| IndexRef { path: routes::SEARCH_INDEX, build: build.clone() });
    let search = (("search", search), search_per_page(target), routes::search_page as fn(usize) -> String);
    paginate(&mut pages, search, index, "title.search_page", locale);
    for framework in &model.frameworks {
        pages.push(Page {
            template: "framework.html",
            path: framework.path.clone(),
            title: framework.name.clone(),
            audience: Audience::Public,
            item: Some(("framework", Item::lazy(framework))),
            has_code: false,
            after_index: false,
        });
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
            item: Some(("control", Item::lazy(control))),
            has_code: false,
            after_index: false,
        });
    }
    for changes in &model.policy_changes {
        // Made from this model's policies: each page's policy is there.
        let Some(policy) = isms.policies.get(&changes.head.policy_id) else { continue };
        pages.push(Page {
            template: "policy_changes.html",
            path: changes.head.path.clone(),
            title: locale.plain(
                "title.policy_changes",
                None,
                &[("title", changes.head.policy_title.clone())],
            ),
            audience: changes.head.audience,
            item: Some(("changes", Item::Changes(changes, policy))),
            has_code: false,
            after_index: false,
        });
    }
    model.records.visit(&mut RecordPageList { build: isms.audience, pages: &mut pages });
    pages
}

struct RecordPageList<'a, 'p> {
    build: Audience,
    pages: &'p mut Vec<Page<'a>>,
}

impl<'a> RecordPageVisitor<'a> for RecordPageList<'a, '_> {
    fn visit<K: MarkdownRecord>(&mut self, _field: &'static str, views: &'a [RecordPage<K>]) {
        self.pages.extend(record_pages(self.build, views));
    }
}

/// The pages of one markdown record kind: one per view, in the build that has its kind
/// (`PAGES_FROM`). A teaser's page is public; any other page is for its item's audience, and
/// never below its kind's.
fn record_pages<K: MarkdownRecord>(build: Audience, views: &[RecordPage<K>]) -> Vec<Page<'_>> {
    if !K::PAGES_FROM.visible_to(build) {
        return Vec::new();
    }
    views
        .iter()
        .map(|view| Page {
            template: K::TEMPLATE,
            path: view.path.clone(),
            title: view.record.title().to_string(),
            audience: record_page_audience(&view.record),
            item: Some((K::ITEM, Item::lazy(view))),
            has_code: view.has_code,
            after_index: false,
        })
        .collect()
}

/// Who a record's page is for: everyone for a teaser, else its item's audience, never below
/// its kind's.
pub(crate) fn record_page_audience<K: MarkdownRecord>(record: &K) -> Audience {
    if record.teaser_only() {
        Audience::Public
    } else {
        record.audience().max(K::PAGES_FROM)
    }
}

/// Renders one page; returns it and whether it shows code (and so needs the syntax stylesheet).
pub(crate) fn render_page(
    environment: &Environment<'static>,
    shared: &Shared,
    targets: &LinkTargets,
    mut page: Page,
) -> Result<(OutputFile, bool), Diagnostic> {
    let template = environment.get_template(page.template).map_err(template_error)?;
    let (item_name, item) = match page.item.take() {
        None => ("item", Value::UNDEFINED),
        Some((name, Item::Value(value))) => (name, value),
        Some((name, Item::Lazy(item))) => (name, item.value()),
        Some((name, Item::Listing(listing))) => (name, listing.value()),
        Some((name, Item::Changes(changes, policy))) => {
            let view = changes.view(policy).map_err(|message| {
                Diagnostic::error("history-text", format!("{}: {message}", changes.head.path))
            })?;
            (name, Value::from(Serde(view)))
        }
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
