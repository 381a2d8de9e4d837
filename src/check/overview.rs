//! The overview's "security at a glance" cards (site.yaml `overview:`): each must lead to a
//! page every reader of the public site can open, since the cards are on it.

use crate::audience::Audience;
use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::load::Loaded;
use crate::site::targets::{destination, Destination};

pub fn check(loaded: &Loaded, targets: &super::links::Targets, diagnostics: &mut Diagnostics) {
    let isms = &loaded.isms;
    if isms.site.overview.is_empty() {
        return;
    }
    let targets = targets.of(isms, Audience::Public);
    let text = loaded.root.read_text(std::path::Path::new("site.yaml")).unwrap_or_default();
    let mut lines = link_lines(&text).into_iter();
    for card in &isms.site.overview {
        let line = lines.next().unwrap_or(1);
        let column = text
            .lines()
            .nth(line as usize - 1)
            .and_then(|l| l.find(card.link.trim()))
            .map_or(1, |c| c as u32 + 1);
        let location = Location::at("site.yaml", line, column);
        match destination(isms, targets, Audience::Public, &card.link) {
            Destination::Page(_) => {}
            Destination::Withheld(audience) => diagnostics.push(
                Diagnostic::error(
                    "overview-link-withheld",
                    format!(
                        "the overview card \"{}\" links to `{}`, which is {audience}: public readers cannot open it",
                        card.title, card.link
                    ),
                )
                .at(location)
                .hint("link the card to something public (a policy, control, answer or certification), or make the target public"),
            ),
            Destination::Unknown => {
                let ids = isms.policies.keys().chain(isms.faq.keys()).chain(isms.certifications.keys());
                let hint = match crate::diagnostic::suggest::closest(&card.link, ids.map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "a policy id (POL-…), a control id (A.8.24), an answer id (FAQ-…), a certification id, or a page's path such as `subprocessors/` (no `#fragment`: link an answer by its id)".to_string(),
                };
                diagnostics.push(
                    Diagnostic::error(
                        "overview-link-unknown",
                        format!(
                            "the overview card \"{}\" links to `{}`, which is no policy, control, answer, certification or page",
                            card.title, card.link
                        ),
                    )
                    .at(location)
                    .hint(hint),
                );
            }
        }
    }
}

/// The line of each `link:` under `overview:`, in order (a card's location).
fn link_lines(text: &str) -> Vec<u32> {
    let mut in_overview = false;
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if !line.starts_with([' ', '-', '#']) && !line.trim().is_empty() {
            in_overview = line.starts_with("overview:");
        }
        let item = line.trim_start().trim_start_matches("- ");
        if in_overview && item.starts_with("link:") {
            lines.push(index as u32 + 1);
        }
    }
    lines
}
