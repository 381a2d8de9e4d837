//! The pages one build renders (from the site's page table, then one page per item) and
//! the rendering of one page.

use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{context, Environment, Value};

use crate::audience::Audience;
use crate::diagnostic::Diagnostic;
use crate::locale::Locale;
use crate::markdown::{self, LinkTargets};
use std::collections::BTreeMap;

use crate::model::{Isms, MarkdownRecord, Policy};
use crate::output::OutputFile;
use crate::render::environment::template_error;
use crate::render::health::health;
use crate::render::shared::{LazyList, NavKey, Shared};
use crate::render::view::{self, PolicyView, RecordView, SiteModel};
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
}

/// A detail page's item. A policy (thousands in a large ISMS) has its body rendered and
/// becomes a template value only when its page renders, so bodies are never all held at once.
pub(crate) enum Item<'a> {
    Value(Value),
    Policy(&'a PolicyView, &'a Policy),
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
        }
    }
}

/// One page of the policies list: its policies, its number and the count (from 1), and the
/// paths of the pages before and after it.
#[derive(serde::Serialize)]
pub(crate) struct PolicyListing<'a> {
    policies: &'a [PolicyView],
    page: usize,
    pages: usize,
    previous: Option<String>,
    next: Option<String>,
}

/// The policies list cut into pages of `POLICIES_PER_PAGE`; one (empty) page when there are
/// none.
pub(crate) fn policy_listings(policies: &[PolicyView]) -> Vec<PolicyListing<'_>> {
    let chunks: Vec<&[PolicyView]> = if policies.is_empty() {
        vec![policies]
    } else {
        policies.chunks(routes::POLICIES_PER_PAGE).collect()
    };
    let pages = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(index, policies)| {
            let page = index + 1;
            PolicyListing {
                policies,
                page,
                pages,
                previous: (page > 1).then(|| routes::policies_page(page - 1)),
                next: (page < pages).then(|| routes::policies_page(page + 1)),
            }
        })
        .collect()
}

pub(crate) fn page_list<'a>(
    isms: &'a Isms,
    model: &'a SiteModel,
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
            }),
            MadeBy::File => None,
        })
        .collect();
    // The policies list, a page per `POLICIES_PER_PAGE` policies: the first is the fixed page.
    if let Some(first) = pages.iter().position(|page| page.path == routes::POLICIES) {
        let listings = policy_listings(&model.policies);
        let mut listings = listings.into_iter();
        if let Some(listing) = listings.next() {
            pages[first].item = Some(("listing", Item::Value(Value::from(Serde(&listing)))));
        }
        for listing in listings {
            pages.push(Page {
                template: pages[first].template,
                path: routes::policies_page(listing.page),
                title: locale.plain(
                    "title.policies_page",
                    None,
                    &[("page", listing.page.to_string()), ("pages", listing.pages.to_string())],
                ),
                audience: Audience::Public,
                item: Some(("listing", Item::Value(Value::from(Serde(&listing))))),
                has_code: false,
            });
        }
    }
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
    for changes in &model.policy_changes {
        pages.push(Page {
            template: "policy_changes.html",
            path: changes.path.clone(),
            title: locale.plain("title.policy_changes", None, &[("title", changes.policy_title.clone())]),
            audience: changes.audience,
            item: Some(("changes", Item::Value(Value::from(Serde(changes))))),
            has_code: false,
        });
    }
    pages.extend(record_pages(isms.audience, &isms.updates, &model.updates));
    pages.extend(record_pages(isms.audience, &isms.audits, &model.audits));
    pages.extend(record_pages(isms.audience, &isms.reviews, &model.reviews));
    pages
}

/// The pages of one markdown record kind: one per view, in the build that has its kind
/// (`PAGES_FROM`). A teaser's page is public; any other page is for its item's audience, and
/// never below its kind's.
fn record_pages<'a, K: MarkdownRecord, V: RecordView>(
    build: Audience,
    records: &BTreeMap<String, K>,
    views: &'a [V],
) -> Vec<Page<'a>> {
    if !K::PAGES_FROM.visible_to(build) {
        return Vec::new();
    }
    views
        .iter()
        .filter_map(|view| {
            let record = records.get(view.id())?;
            Some(Page {
                template: K::TEMPLATE,
                path: view.path().to_string(),
                title: view.title().to_string(),
                audience: record_page_audience(record),
                item: Some((K::ITEM, Item::Value(Value::from(Serde(view))))),
                has_code: view.has_code(),
            })
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
