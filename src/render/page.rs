//! The pages one build renders (from the site's page table, then one page per item) and
//! the rendering of one page.

use std::sync::Arc;

use minijinja::value::Serde;
use minijinja::{context, Environment, Value};

use crate::audience::Audience;
use crate::diagnostic::Diagnostic;
use crate::markdown::{self, LinkTargets};
use crate::model::{Isms, Policy};
use crate::output::OutputFile;
use crate::render::environment::template_error;
use crate::render::health::health;
use crate::render::shared::{LazyList, NavKey, Shared};
use crate::render::view::{self, PolicyView, SiteModel};
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
            template: "policy.html",
            path: view.path.clone(),
            title: view.title.clone(),
            audience: if policy.teaser_only { Audience::Public } else { policy.audience },
            item: Some(("policy", Item::Policy(view, policy))),
            // Known once its body renders.
            has_code: false,
        }
    }
}

pub(crate) fn page_list<'a>(isms: &'a Isms, model: &'a SiteModel, target: RenderTarget) -> Vec<Page<'a>> {
    let mut pages: Vec<Page> = pages::pages_of(isms.audience, target)
        .filter_map(|fixed| match fixed.made_by {
            MadeBy::Template(template) => Some(Page {
                template,
                path: fixed.route.to_string(),
                title: fixed.title.to_string(),
                audience: fixed.audience,
                // The health page's template gets its data as `health`.
                item: (fixed.route == routes::HEALTH).then(|| ("health", Item::Value(health(model)))),
                has_code: false,
            }),
            MadeBy::File => None,
        })
        .collect();
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
    if isms.audience >= Audience::Internal {
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
