//! Problems found in content, as values: a severity, a stable code, a message, where it is
//! (file, line, column) and a hint. The library never prints; `main` renders these.

pub mod report;
pub mod suggest;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// A place in a content file. Lines and columns are 1-based; 0 means "not known".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Location {
    /// Path relative to the content folder, with `/` separators.
    pub file: PathBuf,
    pub line: u32,
    pub column: u32,
}

impl Location {
    pub fn file(file: impl Into<PathBuf>) -> Location {
        Location { file: file.into(), line: 0, column: 0 }
    }

    pub fn at(file: impl Into<PathBuf>, line: u32, column: u32) -> Location {
        Location { file: file.into(), line, column }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", display_path(&self.file))?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.column > 0 {
                write!(f, ":{}", self.column)?;
            }
        }
        Ok(())
    }
}

/// Paths in messages always use `/`, whatever the platform, so messages are stable.
pub fn display_path(path: &Path) -> String {
    let mut shown = String::new();
    for component in path.components() {
        // The root is a separator already: `/tmp/a`, not `//tmp/a`.
        if !shown.is_empty() && !shown.ends_with('/') {
            shown.push('/');
        }
        shown.push_str(&component.as_os_str().to_string_lossy());
    }
    shown
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable, kebab-case: part of the contract for CI tooling.
    pub code: &'static str,
    pub message: String,
    pub location: Option<Location>,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Error, code, message: message.into(), location: None, hint: None }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, message) }
    }

    pub fn at(mut self, location: Location) -> Diagnostic {
        self.location = Some(location);
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn into_warning(mut self) -> Diagnostic {
        self.severity = Severity::Warning;
        self
    }

    /// The diagnostic as rustc shows one: the message, where, the source line with a caret
    /// under the offending token, and the hint. `source_line` is the text of the line.
    pub fn render(&self, source_line: Option<&str>) -> String {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut out = format!("{label}[{}]: {}", self.code, self.message);
        if let Some(location) = &self.location {
            let number = location.line.to_string();
            let gutter = " ".repeat(number.len());
            out.push_str(&format!("\n{gutter}--> {location}"));
            if let (Some(line), true) = (source_line, location.line > 0) {
                let (shown, column) = crop(line.trim_end(), (location.column.max(1) - 1) as usize);
                let prefix: String =
                    shown.chars().take(column).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                let token = shown
                    .chars()
                    .skip(column)
                    .take_while(|c| !c.is_whitespace() && !matches!(c, ':' | ',' | ']' | '}' | '…'))
                    .count()
                    .clamp(1, 60);
                out.push_str(&format!(
                    "\n{gutter} |\n{number} | {shown}\n{gutter} | {prefix}{}",
                    "^".repeat(token)
                ));
            }
            if let Some(hint) = &self.hint {
                out.push_str(&format!("\n{gutter} = hint: {hint}"));
            }
        } else if let Some(hint) = &self.hint {
            out.push_str(&format!("\n  = hint: {hint}"));
        }
        out
    }
}

/// A window of at most `WIDTH` characters of a long source line around `column`, with `…`
/// where it was cut; returns the window and the column within it.
fn crop(line: &str, column: usize) -> (String, usize) {
    const WIDTH: usize = 100;
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WIDTH {
        return (line.to_string(), column.min(chars.len()));
    }
    let start = column.saturating_sub(WIDTH / 3).min(chars.len().saturating_sub(WIDTH));
    let end = (start + WIDTH).min(chars.len());
    let mut shown = String::new();
    let mut column = column - start;
    if start > 0 {
        shown.push('…');
        column += 1;
    }
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, column)
}

/// The text of the line a location points at, read from the content folder.
pub fn source_line(content: &Path, location: &Location) -> Option<String> {
    if location.line == 0 {
        return None;
    }
    let bytes = std::fs::read(content.join(&location.file)).ok()?;
    let text = String::from_utf8_lossy(&bytes);
    text.lines().nth(location.line as usize - 1).map(|line| line.trim_start_matches('\u{feff}').to_string())
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(None))
    }
}

/// One diagnostic as `check --format json` writes it: flat, for CI tooling.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: Severity,
    pub code: &'a str,
    pub message: &'a str,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub hint: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for JsonDiagnostic<'a> {
    fn from(diagnostic: &'a Diagnostic) -> Self {
        let location = diagnostic.location.as_ref();
        JsonDiagnostic {
            severity: diagnostic.severity,
            code: diagnostic.code,
            message: &diagnostic.message,
            file: location.map(|l| display_path(&l.file)),
            line: location.map(|l| l.line).filter(|line| *line > 0),
            column: location.map(|l| l.column).filter(|column| *column > 0),
            hint: diagnostic.hint.as_deref(),
        }
    }
}

/// Everything found in one pass over the content. Loading goes on after a problem, so one
/// run reports every broken file, not just the first.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Sorted by file, line, column, then code: output does not depend on load order.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| (&a.location, a.code, &a.message).cmp(&(&b.location, b.code, &b.message)));
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

#[cfg(test)]
mod display_tests {
    use std::path::Path;

    /// A path is shown with one `/` between its parts, an absolute one too.
    #[test]
    fn a_path_is_shown_with_single_separators() {
        for (path, shown) in
            [("/tmp/a/b", "/tmp/a/b"), ("a/b", "a/b"), ("./a", "./a"), ("/", "/"), ("a", "a")]
        {
            assert_eq!(super::display_path(Path::new(path)), shown);
        }
    }
}
