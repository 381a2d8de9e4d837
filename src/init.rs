//! `trustpress init DIR`: a starter ISMS that builds at once, and whose `check` output says
//! what to fill in next. The SoA skeleton is made from the built-in Annex A catalog, every
//! control `applicable: undecided`.

use std::fs;
use std::path::{Path, PathBuf};

use crate::catalog;
use crate::date::Date;

const FILES: &[(&str, &str)] = &[
    ("site.yaml", include_str!("starter/site.yaml")),
    ("README.md", include_str!("starter/README.md")),
    ("policies/information-security.md", include_str!("starter/policies/information-security.md")),
    ("policies/access-control.md", include_str!("starter/policies/access-control.md")),
    ("policies/incident-response.md", include_str!("starter/policies/incident-response.md")),
    ("certifications/iso27001.yaml", include_str!("starter/iso27001.yaml")),
    ("faq/general.yaml", include_str!("starter/faq.yaml")),
    ("subprocessors.yaml", include_str!("starter/subprocessors.yaml")),
    ("scope.yaml", include_str!("starter/scope.yaml")),
    ("objectives.yaml", include_str!("starter/objectives.yaml")),
];

#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error("`{0}` already exists and is not empty: init only writes into a new or empty folder, so nothing is overwritten")]
    NotEmpty(PathBuf),
    #[error("cannot write `{path}`: {source}")]
    Io { path: PathBuf, source: std::io::Error },
}

/// Writes the starter ISMS into `dir`, dated `today`. Returns the files written.
pub fn init(dir: &Path, today: Date) -> Result<Vec<PathBuf>, InitError> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(InitError::NotEmpty(dir.to_path_buf()));
        }
    }
    let fill = |text: &str| {
        text.replace("{{TODAY}}", &today.to_string())
            .replace("{{SECURITY_TXT_EXPIRES}}", &today.add_months(11).to_string())
            .replace("{{CERT_EXPIRES}}", &today.add_months(36).to_string())
    };
    let mut files: Vec<(String, String)> =
        FILES.iter().map(|(path, text)| (path.to_string(), fill(text))).collect();
    files.push(("soa.yaml".to_string(), soa_skeleton()));
    files.sort();

    let mut written = Vec::new();
    for (relative, text) in files {
        let path = dir.join(&relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|source| InitError::Io { path: parent.to_path_buf(), source })?;
        }
        fs::write(&path, text).map_err(|source| InitError::Io { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}

/// Writes the default theme's templates and static files into `dir` (new or empty), to
/// start a theme from: `theme: DIR` in site.yaml then uses it, and every file left as it
/// was behaves as the default. Returns the files written.
pub fn init_theme(dir: &Path) -> Result<Vec<PathBuf>, InitError> {
    if let Ok(mut entries) = fs::read_dir(dir) {
        if entries.next().is_some() {
            return Err(InitError::NotEmpty(dir.to_path_buf()));
        }
    }
    let mut written = Vec::new();
    for (relative, bytes) in crate::render::theme::Theme::default_files() {
        let path = dir.join(&relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .map_err(|source| InitError::Io { path: parent.to_path_buf(), source })?;
        }
        fs::write(&path, bytes).map_err(|source| InitError::Io { path: path.clone(), source })?;
        written.push(path);
    }
    Ok(written)
}

/// Every Annex A control, undecided, with its title as a comment.
fn soa_skeleton() -> String {
    let mut text = String::from(
        "# Statement of Applicability (ISO/IEC 27001 clause 6.1.3 d).\n\
         # For every control: `applicable: true` with a `status` (implemented, partial, planned,\n\
         # not-implemented) and the `policies` or `evidence` behind it, or `applicable: false` with\n\
         # a `justification`. `trustpress check` lists the controls still undecided.\n\
         # When management approves it, add `version`, `approved_by` and `approved` (the date).\n\
         controls:\n",
    );
    let annex_a = catalog::iso27001_2022();
    let mut theme = None;
    for control in &annex_a.controls {
        if control.theme != theme {
            theme = control.theme.clone();
            text.push_str(&format!("\n  # {}\n", theme.as_deref().unwrap_or("Controls")));
        }
        text.push_str(&format!("  {}:  # {}\n    applicable: undecided\n", control.id, control.title));
    }
    text
}
