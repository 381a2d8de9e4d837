//! Every file has one audience. A file that items name is copied into the output of the
//! lowest audience that may see it, so a file named at two audiences (a public document that
//! is also an internal certification's report, or auditor evidence) would reach the lower
//! one byte for byte. Evidence files stay auditor-only whoever else names them: naming one
//! from any other item is an error, as is naming any file under `evidence/`, or a content
//! source file (a policy's markdown holds its withheld blocks).

use std::collections::HashMap;
use std::path::Path;

use crate::audience::Audience;
use crate::diagnostic::{display_path, Diagnostic, Diagnostics, Location};
use crate::model::Isms;

/// One item naming a file. What it is and where are written out only for an error: a large
/// ISMS names thousands of files, nearly all without conflict.
struct Naming<'a> {
    audience: Audience,
    what: What<'a>,
    evidence: bool,
}

/// The item that names a file.
enum What<'a> {
    Certification { id: &'a str, file: &'a Path, line: u32 },
    Document { id: &'a str, source: &'a Location },
    Evidence { id: &'a str, source: &'a Location },
    Brand { key: &'static str },
}

impl What<'_> {
    fn describe(&self) -> String {
        match self {
            What::Certification { id, .. } => format!("certification `{id}`"),
            What::Document { id, .. } => format!("document `{id}`"),
            What::Evidence { id, .. } => format!("evidence `{id}`"),
            What::Brand { key } => format!("site.yaml `brand.{key}`"),
        }
    }

    fn location(&self) -> Location {
        match self {
            What::Certification { file, line, .. } => Location::at(file, *line, 1),
            What::Document { source, .. } | What::Evidence { source, .. } => (*source).clone(),
            What::Brand { .. } => Location::file("site.yaml"),
        }
    }
}

/// `file-audience-conflict` errors: files named at more than one audience.
pub fn file_audiences(isms: &Isms) -> Diagnostics {
    let mut names: HashMap<&Path, Vec<Naming>> = HashMap::new();
    fn name<'a>(names: &mut HashMap<&'a Path, Vec<Naming<'a>>>, path: &'a Path, naming: Naming<'a>) {
        if !path.as_os_str().is_empty() {
            names.entry(path).or_default().push(naming);
        }
    }
    for certification in isms.certifications.values() {
        for document in &certification.documents {
            name(
                &mut names,
                &document.path,
                Naming {
                    audience: document.audience.max(certification.audience),
                    what: What::Certification {
                        id: &certification.id,
                        file: &certification.source.file,
                        line: document.line,
                    },
                    evidence: false,
                },
            );
        }
    }
    for document in isms.documents.values() {
        name(
            &mut names,
            &document.path,
            Naming {
                audience: document.audience,
                what: What::Document { id: &document.id, source: &document.source },
                evidence: false,
            },
        );
    }
    for evidence in isms.evidence.values() {
        name(
            &mut names,
            &evidence.path,
            Naming {
                audience: evidence.audience.max(Audience::Auditor),
                what: What::Evidence { id: &evidence.id, source: &evidence.source },
                evidence: true,
            },
        );
    }
    // The brand's files are on every page of every build: public, whatever else names them.
    for (file, path) in crate::brand::files(&isms.site.brand) {
        name(
            &mut names,
            Path::new(path),
            Naming { audience: Audience::Public, what: What::Brand { key: file.key }, evidence: false },
        );
    }
    let mut diagnostics = Diagnostics::default();
    let sources = isms.source_files();
    // In one order on every run (the report is sorted anyway).
    let mut names: Vec<(&Path, Vec<Naming>)> = names.into_iter().collect();
    names.sort_unstable_by(|a, b| a.0.as_os_str().as_encoded_bytes().cmp(b.0.as_os_str().as_encoded_bytes()));
    for (path, namings) in names {
        let in_evidence_folder = path.starts_with("evidence");
        let source = sources.contains(path);
        let evidence = namings.iter().find(|n| n.evidence);
        let highest = namings.iter().map(|n| n.audience).max().unwrap_or(Audience::Auditor);
        for naming in &namings {
            let conflict = if naming.evidence {
                None
            } else if let Some(evidence) = evidence {
                Some(format!(
                    "it is {}'s file, and evidence files are for auditors only",
                    evidence.what.describe()
                ))
            } else if in_evidence_folder {
                Some("files under evidence/ are for auditors only".to_string())
            } else if source {
                Some(
                    "it is a content source file: the site shows what it may of it, never the file as it is"
                        .to_string(),
                )
            } else if naming.audience < highest {
                let other = namings
                    .iter()
                    .find(|n| n.audience == highest)
                    .map_or(String::new(), |n| n.what.describe());
                Some(format!("{other} names it for the {highest} audience"))
            } else {
                None
            };
            if let Some(reason) = conflict {
                diagnostics.push(
                    Diagnostic::error(
                        "file-audience-conflict",
                        format!(
                            "{} names `{}` for the {} audience, but {reason}",
                            naming.what.describe(),
                            display_path(path),
                            naming.audience
                        ),
                    )
                    .at(naming.what.location())
                    .hint("every file has one audience: give this item a copy of its own with what that audience may see, or name the file at one audience only"),
                );
            }
        }
    }
    diagnostics
}
