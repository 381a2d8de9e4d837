//! The audience rules, checked on content: no page links to something its readers may not
//! see; teasers have something to show; public items say when their documents are withheld.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

use super::Sources;
use crate::audience::Audience;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::load::Loaded;
use crate::markdown::{self, LinkTargets};
use crate::model::{Isms, Markdown, MarkdownRecord, RecordVisitor};
use crate::site::targets::link_targets_for;
use crate::site::RenderTarget;

/// A markdown body and the lowest audience that reads it.
struct Body<'a> {
    what: String,
    file: &'a Path,
    markdown: &'a Markdown,
    audience: Audience,
}

pub fn check(loaded: &Loaded, targets: &Targets, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let isms = &loaded.isms;
    links(loaded, targets, diagnostics);
    teasers(isms, sources, diagnostics);
    withheld_documents(isms, sources, diagnostics);
}

fn bodies(isms: &Isms) -> Vec<Body<'_>> {
    struct Bodies<'a>(Vec<Body<'a>>);
    impl<'a> RecordVisitor<'a> for Bodies<'a> {
        fn visit<K: MarkdownRecord>(&mut self, records: &'a BTreeMap<String, K>) {
            self.0.extend(records.values().map(|record| Body {
                what: format!("{} {}", K::NAME, record.id()),
                file: &record.source().file,
                markdown: record.body(),
                audience: record.audience(),
            }));
        }
    }
    let mut bodies = Bodies(Vec::new());
    isms.visit_records(&mut bodies);
    let mut bodies = bodies.0;
    for answer in isms.faq.values() {
        bodies.push(Body {
            what: format!("FAQ answer {}", answer.id),
            file: &answer.source.file,
            markdown: &answer.answer,
            audience: answer.audience,
        });
    }
    bodies
}

/// Each link must reach its target for every reader of the line it is on: the item's
/// audience, raised by any `::: audience` block around the line. Bodies are checked in
/// parallel; their problems are reported in body order.
fn links(loaded: &Loaded, targets: &Targets, diagnostics: &mut Diagnostics) {
    use rayon::prelude::*;
    let isms = &loaded.isms;
    let found: Vec<Vec<Diagnostic>> =
        bodies(isms).par_iter().map(|body| body_links(loaded, body, targets)).collect();
    for diagnostic in found.into_iter().flatten() {
        diagnostics.push(diagnostic);
    }
}

fn body_links(loaded: &Loaded, body: &Body, targets: &Targets) -> Vec<Diagnostic> {
    let isms = &loaded.isms;
    let mut diagnostics = Vec::new();
    for link in loaded.links_of(body.file, body.markdown).iter() {
        let (destination, line) = (&link.destination, link.line);
        let reader = link.audience.max(body.audience);
        let at_reader = targets.of(isms, reader).reaches(destination, body.file);
        let location = Location::at(body.file, body.markdown.first_line.max(1) + line as u32, 1);
        // The FAQ page is there, but the answer its fragment names may not be: the link
        // would name that answer, and lead nowhere, to these readers. Read against the
        // auditor's targets, where every answer has its anchor.
        let answer = withheld_answer(isms, targets, destination, body.file, reader);
        if at_reader != Some(false) || answer.is_some() {
            if let Some(answer) = answer {
                diagnostics.push(
                    Diagnostic::error(
                        "link-to-withheld",
                        format!(
                            "{} ({reader}) links to `{destination}`, the FAQ answer {answer}, which {reader} readers cannot see",
                            body.what
                        ),
                    )
                    .hint(format!(
                        "remove the link, move it inside a `::: {}` block, or share the answer with {reader} readers",
                        higher(reader)
                    ))
                    .at(location),
                );
            }
            continue;
        }
        let anywhere = targets.of(isms, Audience::Auditor).reaches(destination, body.file);
        let diagnostic = if anywhere == Some(true) {
            Diagnostic::error(
                "link-to-withheld",
                format!("{} ({reader}) links to `{destination}`, which {reader} readers cannot see", body.what),
            )
            .hint(format!(
                "remove the link, move it inside a `::: {}` block, or share the target with {reader} readers; the build shows the link text without the link",
                higher(reader)
            ))
        } else if markdown::content_path(destination, body.file)
            .is_some_and(|path| loaded.root.join(&path).exists())
        {
            // The target exists but did not load (its own error says why), or is a
            // file no page or download offers.
            continue;
        } else {
            Diagnostic::error("broken-link", format!("{} links to `{destination}`, which does not exist", body.what))
                .hint("link to a content file relative to this one (`incident-response.md`, `../documents/x.pdf`) or a site path (`/faq/`)")
        };
        diagnostics.push(diagnostic.at(location));
    }
    diagnostics
}

/// The FAQ answer a link to the FAQ page names by its fragment (`/faq/#faq-012`: an answer's
/// anchor is its id in lower case), when `reader` may not read it.
fn withheld_answer<'a>(
    isms: &'a Isms,
    targets: &Targets,
    destination: &str,
    file: &Path,
    reader: Audience,
) -> Option<&'a str> {
    // Only a fragment names an answer; a link without one (most) needs no targets made.
    if !destination.contains('#') {
        return None;
    }
    let targets = targets.of(isms, Audience::Auditor);
    // An answer's link to a place on its own page is a link into the FAQ page.
    let (path, fragment) = match destination.strip_prefix('#') {
        Some(anchor) if file.starts_with(markdown::FAQ_FOLDER) => {
            (crate::site::routes::FAQ.to_string(), format!("#{anchor}"))
        }
        _ => targets.site_target(destination, file)?,
    };
    let anchor = fragment.split_once('#')?.1;
    if path != crate::site::routes::FAQ || anchor.is_empty() {
        return None;
    }
    let anchor = markdown::percent_decode(anchor).to_lowercase();
    let answer = isms.faq.values().find(|answer| answer.id.to_lowercase() == anchor)?;
    (answer.audience > reader).then_some(answer.id.as_str())
}

/// The link targets of each audience's build, made on first use (and once for all the
/// checks that read them).
#[derive(Default)]
pub struct Targets {
    public: OnceLock<LinkTargets>,
    internal: OnceLock<LinkTargets>,
    auditor: OnceLock<LinkTargets>,
}

impl Targets {
    pub fn of(&self, isms: &Isms, audience: Audience) -> &LinkTargets {
        let cell = match audience {
            Audience::Public => &self.public,
            Audience::Internal => &self.internal,
            Audience::Auditor => &self.auditor,
        };
        cell.get_or_init(|| link_targets_for(isms, audience, RenderTarget::Site))
    }
}

fn higher(audience: Audience) -> Audience {
    match audience {
        Audience::Public => Audience::Internal,
        _ => Audience::Auditor,
    }
}

fn teasers(isms: &Isms, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    let items =
        isms.policies
            .values()
            .map(|p| (format!("policy {}", p.id), p.teaser, p.audience, p.summary.is_some(), &p.source))
            .chain(isms.certifications.values().map(|c| {
                (format!("certification `{}`", c.name), c.teaser, c.audience, c.summary.is_some(), &c.source)
            }))
            .chain(isms.documents.values().map(|d| {
                (format!("document {}", d.id), d.teaser, d.audience, d.summary.is_some(), &d.source)
            }))
            .chain(
                isms.records.updates.values().map(|u| {
                    (format!("update {}", u.id), u.teaser, u.audience, u.summary.is_some(), &u.source)
                }),
            );
    for (what, teaser, audience, has_summary, source) in items {
        if !teaser {
            continue;
        }
        let location = sources.key(source, "teaser");
        if audience == Audience::Public {
            diagnostics.push(
                Diagnostic::warning("teaser-has-no-effect", format!("{what} is public, so `teaser: true` changes nothing"))
                    .at(location)
                    .hint("a teaser shows title and summary to audiences below the item's: set `audience: internal` to show it as a teaser publicly"),
            );
        } else if !has_summary {
            diagnostics.push(
                Diagnostic::warning(
                    "teaser-without-summary",
                    format!("{what} is a teaser but has no summary"),
                )
                .at(location)
                .hint("readers below its audience see only the title and summary: add `summary:`"),
            );
        }
    }
}

fn withheld_documents(isms: &Isms, sources: &mut Sources, diagnostics: &mut Diagnostics) {
    for certification in isms.certifications.values() {
        for document in &certification.documents {
            if document.audience > certification.audience {
                diagnostics.push(
                    Diagnostic::warning(
                        "withheld-document",
                        format!(
                            "{} certification `{}` names {} document `{}`",
                            certification.audience, certification.name, document.audience, document.title
                        ),
                    )
                    .at(sources.value(&certification.source, &document.file))
                    .hint(format!(
                        "{} readers see that further reports are available on request, without its name",
                        certification.audience
                    )),
                );
            }
        }
    }
}
