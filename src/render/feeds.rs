//! The Atom feeds: security updates, and subprocessor changes.

use minijinja::value::Serde;
use minijinja::{context, Environment, Value};
use serde::Serialize;

use crate::audience::Audience;
use crate::diagnostic::Diagnostic;
use crate::locale::Locale;
use crate::markdown::{self, LinkBase, LinkTargets};
use crate::model::Isms;
use crate::output::OutputFile;
use crate::render::environment::template_error;
use crate::render::view::SiteModel;
use crate::render::RenderOptions;
use crate::site::routes;

pub(crate) fn render_feed(
    environment: &Environment<'static>,
    isms: &Isms,
    model: &SiteModel,
    options: &RenderOptions,
    targets: &LinkTargets,
    locale: &Locale,
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
        .records
        .updates
        .iter()
        .filter_map(|page| Some((page, page.record.date?)))
        .map(|(page, date)| {
            let update = &page.record;
            let html = if update.teaser_only {
                String::new()
            } else {
                markdown::render(&update.body.text, &update.source.file, targets, &base).html
            };
            Entry {
                title: &update.title,
                url: base.link_to(&page.path),
                date: date.rfc3339_midnight(),
                summary: update.summary.as_deref(),
                html,
            }
        })
        .collect();
    let updated =
        model.records.updates.first().and_then(|u| u.record.date).unwrap_or(options.today).rfc3339_midnight();
    let template = environment.get_template("feed.xml").map_err(template_error)?;
    let xml = template
        .render(context! {
            name => isms.site.organization.name.clone(),
            feed_url => base.link_to(routes::UPDATES_FEED),
            page_url => base.link_to(routes::UPDATES),
            updated => updated,
            language => locale.language.as_str(),
            entries => Value::from(Serde(&entries)),
        })
        .map_err(template_error)?;
    Ok(OutputFile::new(routes::UPDATES_FEED, xml, Audience::Public))
}

pub(crate) fn render_subprocessor_feed(
    environment: &Environment<'static>,
    isms: &Isms,
    model: &SiteModel,
    options: &RenderOptions,
    locale: &Locale,
) -> Result<OutputFile, Diagnostic> {
    let base = LinkBase::Absolute { base_url: options.base_url.clone() };
    let template = environment.get_template("subprocessors-feed.xml").map_err(template_error)?;
    let updated = model.subprocessors_updated.unwrap_or(options.today).rfc3339_midnight();
    let entries: Vec<Value> = model
        .subprocessor_changes
        .iter()
        .map(|change| {
            Value::from(Serde(context! {
                // The default theme's feed words its titles with `t()`; kept for themes that
                // print `entry.title`.
                title => locale.plain(
                    &format!("feed.subprocessors.entry_{}", if change.change == "added" { "added" } else { "removed" }),
                    None,
                    &[("name", change.name.clone())],
                ),
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
            language => locale.language.as_str(),
            entries => entries,
        })
        .map_err(template_error)?;
    Ok(OutputFile::new(routes::SUBPROCESSORS_FEED, xml, Audience::Public))
}
