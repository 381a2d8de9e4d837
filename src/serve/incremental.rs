//! The dev server's short way: after an edit of only the text of policies, re-render only
//! those policies' pages and check the content again, instead of building everything. It is
//! held to a full build, byte for byte, by `edits_of_policy_texts_equal_full_builds` below.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::build::{
    check_loaded, copy_downloads, load_content, ready, BuildError, Laps, Prepared, SiteOptions,
};
use crate::check;
use crate::cut::cut;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::{self, Loaded};
use crate::model::{BodyLink, Isms};
use crate::output::{self, OutputFile};
use crate::render::{Renderer, Rerendered};

/// Loads, checks and cuts the content for the dev server, which keeps the whole loaded model
/// beside the cut one, each policy body with the links found in it (the model is checked
/// again after every edit, and only edited bodies change).
fn prepare(options: &SiteOptions) -> Result<(Prepared, Loaded), BuildError> {
    let mut laps = Laps::start();
    let mut loaded = load_content(options)?;
    {
        use rayon::prelude::*;
        loaded.body_links = loaded
            .isms
            .policies
            .par_iter()
            .map(|(_, policy)| (policy.source.file.clone(), BodyLink::find(&policy.body.text)))
            .collect();
    }
    laps.lap("load");
    let diagnostics = check_loaded(options, &loaded, crate::check::Placing::KeyLine)?;
    laps.lap("check");
    let isms = cut(&loaded.isms, options.audience);
    let withheld = crate::withheld::Withheld::of(&loaded.isms, &loaded.root, isms.audience);
    laps.lap("cut");
    let prepared = ready(options, isms, withheld, loaded.root.clone(), diagnostics, laps)?;
    Ok((prepared, loaded))
}

/// A build the dev server keeps between rebuilds, so that an edit of a policy's text redoes
/// only what that text reaches: the policy's page and the warnings.
pub struct LiveBuild {
    options: SiteOptions,
    loaded: Loaded,
    isms: Isms,
    renderer: Renderer,
}

/// What a dev-server rebuild made.
pub struct Rebuilt {
    /// After a full build, every file, sorted by path; after an edit of policy texts, the
    /// pages to replace.
    pub files: Vec<OutputFile>,
    /// Every warning of the content, as a full build would report them.
    pub warnings: Vec<Diagnostic>,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Loads, checks, cuts and renders in memory, keeping what a later edit can reuse.
pub fn full_build(options: &SiteOptions) -> Result<(Rebuilt, LiveBuild), BuildError> {
    let (mut prepared, loaded) = prepare(options)?;
    let started = Instant::now();
    let sink = output::Memory::new(options.audience).withhold(std::mem::take(&mut prepared.withheld));
    let renderer = Renderer::new(&prepared.isms, &prepared.sizes, &prepared.theme, &prepared.render_options)
        .map_err(|d| BuildError::Content(vec![d]))?;
    renderer.render_all(&prepared.isms, &prepared.theme, &sink)?;
    copy_downloads(&prepared.isms, &prepared.root, &sink)?;
    prepared.timings.push(("render", started.elapsed()));
    let live = LiveBuild { options: options.clone(), loaded, isms: prepared.isms, renderer };
    let rebuilt =
        Rebuilt { files: sink.into_files(), warnings: prepared.warnings, timings: prepared.timings };
    Ok((rebuilt, live))
}

impl LiveBuild {
    /// After `files` were saved: when each is a policy this build loaded and only the text
    /// below its front matter changed, the pages to replace and the warnings. `None` when
    /// anything else changed, or anything is wrong: then build everything again (which also
    /// reports the problem). The test `edits_of_policy_texts_equal_full_builds` holds this
    /// to a full build, byte for byte.
    pub fn edit_policy_texts(mut self, files: &[PathBuf]) -> Option<(Rebuilt, LiveBuild)> {
        let started = Instant::now();
        let reader = self.options.audience.min(self.loaded.isms.audience);
        let mut pages = Vec::new();
        for file in files {
            let old = self.loaded.isms.policies.values().find(|policy| policy.source.file == *file)?;
            let (mut policy, body) = load::reparse_policy(&self.loaded.root, file)?;
            policy.body = old.body.clone();
            policy.source = old.source.clone();
            // History comes from commits, which a save does not change.
            policy.history = old.history.clone();
            // Front matter changes reach lists, links and indexes: those take a full build.
            if serde_json::to_value(&policy).ok()? != serde_json::to_value(old).ok()? {
                return None;
            }
            policy.body = body;
            self.loaded.body_links.insert(file.clone(), BodyLink::find(&policy.body.text));
            let id = policy.id.clone();
            let old_cut = match crate::cut::cut_one(&policy, reader) {
                // A fence left after the cut: the full build reports it.
                Some(cut) if crate::tripwire::leftover_in(&cut).is_some() => return None,
                Some(cut) => self.isms.policies.insert(id.clone(), cut),
                None => self.isms.policies.remove(&id),
            };
            self.loaded.isms.policies.insert(id.clone(), policy);
            match self.renderer.rerender_policy(&self.isms, &id, old_cut.as_ref()).ok()? {
                Rerendered::Pages(files) => pages.extend(files),
                Rerendered::Nothing => {}
                Rerendered::Everything => return None,
            }
        }
        let rendered = started.elapsed();
        let started = Instant::now();
        let mut diagnostics: Diagnostics = self.loaded.diagnostics.clone();
        let (references, quality) = rayon::join(
            || check::references(&self.loaded),
            || check::quality(&self.loaded, self.options.today, check::Placing::KeyLine),
        );
        diagnostics.extend(references);
        crate::build::for_audience(&mut diagnostics, self.options.audience);
        if diagnostics.has_errors() {
            return None;
        }
        diagnostics.extend(quality);
        crate::build::for_audience(&mut diagnostics, self.options.audience);
        let warnings = diagnostics.into_sorted().into_iter().map(Diagnostic::into_warning).collect();
        let gate = output::Gate::new(self.options.audience);
        pages.iter().try_for_each(|page| gate.admit(page)).ok()?;
        let timings = vec![("policy pages", rendered), ("check", started.elapsed())];
        Some((Rebuilt { files: pages, warnings, timings }, self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::Audience;
    use crate::build::render_site;
    use crate::date::Date;
    use crate::render::RenderTarget;
    use std::fs;
    use std::path::Path;

    fn copy_tree(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_tree(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), &target).unwrap();
            }
        }
    }

    /// One edit: files and their new text (replacing `from` with `to`).
    struct Edit {
        what: &'static str,
        changes: &'static [(&'static str, &'static str, &'static str)],
        /// Whether only policy texts changed, so the dev server may take the short way.
        text_only: bool,
    }

    const EDITS: &[Edit] = &[
        Edit {
            what: "a paragraph added to a public policy",
            changes: &[(
                "policies/access-control.md",
                "passwords within 24 hours",
                "passwords within 24 hours.\n\nA new closing paragraph",
            )],
            text_only: true,
        },
        Edit {
            what: "a change inside an internal block",
            changes: &[("policies/access-control.md", "break-glass", "emergency")],
            text_only: true,
        },
        Edit {
            what: "a new heading (the page's table of contents)",
            changes: &[(
                "policies/access-control.md",
                "A new closing paragraph",
                "## Exceptions\n\nNone are granted",
            )],
            text_only: true,
        },
        Edit {
            what: "a link to a file that does not exist (a warning)",
            changes: &[(
                "policies/cryptography.md",
                "\n## ",
                "\nSee [the old standard](retired-standard.md).\n\n## ",
            )],
            text_only: true,
        },
        Edit {
            what: "two policies at once",
            changes: &[
                ("policies/access-control.md", "None are granted", "None are granted, ever"),
                ("policies/incident-response.md", "\n## ", "\nA sentence added.\n\n## "),
            ],
            text_only: true,
        },
        Edit {
            what: "an auditor-only policy's text",
            changes: &[("policies/key-management.md", "\n## ", "\nAn auditor-only sentence.\n\n## ")],
            text_only: true,
        },
        Edit {
            what: "a first code block in a policy (the syntax stylesheet)",
            changes: &[("policies/access-control.md", "None are granted, ever", "```bash\necho hi\n```")],
            text_only: true,
        },
        Edit {
            what: "a changed title",
            changes: &[("policies/cryptography.md", "title: ", "title: Renamed ")],
            text_only: false,
        },
        Edit {
            what: "an unclosed audience block",
            changes: &[("policies/incident-response.md", "A sentence added.", "::: internal\nnever closed")],
            text_only: false,
        },
        Edit {
            what: "the block closed again",
            changes: &[(
                "policies/incident-response.md",
                "::: internal\nnever closed",
                "A sentence, changed.",
            )],
            text_only: true,
        },
    ];

    /// The dev server's short way (re-rendering only edited policies' pages) must give what a
    /// full build gives, byte for byte, warnings included — after every kind of edit, for
    /// each audience.
    #[test]
    fn edits_of_policy_texts_equal_full_builds() {
        for audience in [Audience::Public, Audience::Internal] {
            let dir = tempfile::tempdir().unwrap();
            let content = dir.path().join("content");
            copy_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"), &content);
            let options = SiteOptions {
                content: content.clone(),
                audience,
                base_url: None,
                today: Date::parse("2026-11-21").unwrap(),
                target: RenderTarget::Site,
                at: None,
                signer: None,
            };
            let (rebuilt, live) = full_build(&options).unwrap();
            let mut files = rebuilt.files;
            let mut live = Some(live);
            let mut short_ways = 0;
            for edit in EDITS {
                let mut saved = Vec::new();
                for (file, from, to) in edit.changes {
                    let path = content.join(file);
                    let text = fs::read_to_string(&path).unwrap();
                    assert!(text.contains(from), "{}: `{from}` not in {file}", edit.what);
                    fs::write(&path, text.replacen(from, to, 1)).unwrap();
                    saved.push(PathBuf::from(file));
                }
                let full = render_site(&options);
                match live.take().and_then(|live| live.edit_policy_texts(&saved)) {
                    Some((edited, kept)) => {
                        assert!(edit.text_only, "{}: took the short way", edit.what);
                        short_ways += 1;
                        for page in edited.files {
                            match files.binary_search_by(|file| file.path.cmp(&page.path)) {
                                Ok(index) => files[index] = page,
                                Err(index) => files.insert(index, page),
                            }
                        }
                        let full = full.unwrap_or_else(|_| panic!("{}: the full build failed", edit.what));
                        assert_eq!(edited.warnings, full.warnings, "{} ({audience})", edit.what);
                        assert_eq!(files.len(), full.files.len(), "{} ({audience})", edit.what);
                        for (short, full) in files.iter().zip(&full.files) {
                            assert!(short == full, "{} ({audience}): {} differs", edit.what, full.path);
                        }
                        live = Some(kept);
                    }
                    None => match full_build(&options) {
                        Ok((rebuilt, kept)) => {
                            files = rebuilt.files;
                            live = Some(kept);
                        }
                        Err(_) => assert!(full.is_err(), "{}", edit.what),
                    },
                }
            }
            // Public: the auditor-only edit changes nothing; the code block needs a full build.
            assert!(short_ways >= 6, "{audience}: the short way was taken {short_ways} times");
        }
    }
}
