//! The adversary's harness, shared by the hostile-content tests (`tests/e2e/adversary.rs`)
//! and the differential fuzzer (`fuzz/fuzz_targets/audience.rs`): write content on top of
//! the minimal fixture, build the public and the internal site in memory, and check that
//! each build either refuses the content or holds no byte of what it may not see.
//!
//! Markers: text holding [`INTERNAL`] may reach the internal site only, text holding
//! [`AUDITOR`] neither site. They are lower-case letters, so escaping, slugs and upper-
//! casing cannot hide them from the search (which ignores case).

#![allow(dead_code)]

use std::path::Path;

use trustpress::build::{render_site, BuildError, SiteOptions};
use trustpress::render::RenderTarget;
use trustpress::{Audience, Date};

pub const INTERNAL: &str = "zqxinternalmark";
pub const AUDITOR: &str = "zqxauditormark";

/// What one build made of the content.
#[derive(Debug)]
pub enum Outcome {
    /// The build refused the content: the diagnostics' codes.
    Refused(Vec<String>),
    /// The files it would write: path and bytes (archives opened).
    Built(Vec<(String, Vec<u8>)>),
}

/// Copies the minimal fixture into `dir`, then writes `files` (content-relative path, bytes).
pub fn write_content(dir: &Path, files: &[(&str, &[u8])]) {
    // From the project's tests, or from its fuzz crate one folder down.
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = [manifest.join("tests/fixtures/minimal"), manifest.join("../tests/fixtures/minimal")]
        .into_iter()
        .find(|path| path.is_dir())
        .expect("the minimal fixture is there");
    copy(&fixture, dir);
    for (path, bytes) in files {
        let target = dir.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Builds `content` for `audience` in memory.
pub fn build(content: &Path, audience: Audience) -> Outcome {
    let options = SiteOptions {
        content: content.to_path_buf(),
        audience,
        base_url: None,
        today: Date::parse("2026-11-21").unwrap(),
        target: RenderTarget::Site,
        at: None,
        signer: None,
    };
    match render_site(&options) {
        Ok(site) => Outcome::Built(site.files.into_iter().flat_map(|f| opened(f.path, f.bytes)).collect()),
        Err(BuildError::Content(diagnostics)) => {
            Outcome::Refused(diagnostics.iter().map(|d| d.code.to_string()).collect())
        }
        Err(other) => Outcome::Refused(vec![format!("other: {other}")]),
    }
}

/// A file, and for a zip (XLSX) its entries, each searched whole.
fn opened(path: String, bytes: Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    if bytes.starts_with(b"PK\x03\x04") {
        if let Ok(mut archive) = zip::ZipArchive::new(std::io::Cursor::new(&bytes)) {
            for index in 0..archive.len() {
                if let Ok(mut entry) = archive.by_index(index) {
                    let mut inner = Vec::new();
                    let _ = std::io::Read::read_to_end(&mut entry, &mut inner);
                    let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
                    files.push((format!("{path}!{name}"), inner));
                }
            }
        }
    }
    files.push((path, bytes));
    files
}

/// The first place a marker `audience` may not see is in `outcome`: `file: marker`.
pub fn leak(outcome: &Outcome, audience: Audience) -> Option<String> {
    let Outcome::Built(files) = outcome else { return None };
    let markers: &[&str] = match audience {
        Audience::Public => &[INTERNAL, AUDITOR],
        Audience::Internal => &[AUDITOR],
        Audience::Auditor => &[],
    };
    for (path, bytes) in files {
        let lower_path = path.to_lowercase();
        let lower = String::from_utf8_lossy(bytes).to_lowercase();
        for marker in markers {
            if lower_path.contains(marker) || lower.contains(marker) {
                return Some(format!("{path}: {marker}"));
            }
        }
    }
    None
}

/// Builds `files` over the minimal fixture for both audiences; `Err` names the first leak.
pub fn probe(files: &[(&str, &[u8])]) -> Result<[Outcome; 2], String> {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    write_content(&content, files);
    let public = build(&content, Audience::Public);
    if let Some(leak) = leak(&public, Audience::Public) {
        return Err(format!("public build shows {leak}"));
    }
    let internal = build(&content, Audience::Internal);
    if let Some(leak) = leak(&internal, Audience::Internal) {
        return Err(format!("internal build shows {leak}"));
    }
    Ok([public, internal])
}

/// Content made from fuzz bytes: markdown around one audience block holding a marker,
/// placed in one of the fields that carry markdown. Every choice comes from the bytes, so a
/// crash or leak reproduces from its input.
///
/// The marker is only ever written between an opening fence and a later closing fence as
/// the author meant them (each possibly mangled: containers, indentation, odd spaces,
/// colons, line endings). The text before the block never leaves a code block open, and the
/// text inside it never holds an exact closing line: so a build that shows the marker has
/// shown what its author withheld.
pub fn generate(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut bytes = Bytes(data, 0);
    let ending = bytes.pick(&["\n", "\n", "\n", "\r\n", "\r"]);
    let (level, marker) = bytes.pick(&[("internal", INTERNAL), ("auditor", AUDITOR)]);
    let mut body = String::new();
    for _ in 0..bytes.below(4) {
        body.push_str(bytes.pick(OUTSIDE));
    }
    // Sometimes the block sits after a code fence that only looks closed at the end: the
    // fence runs to the end of the text, so an author reading the closing line as a fence
    // believes the block is cut.
    let fake_close = match bytes.below(4) {
        0 => {
            let (open, close) = bytes.pick(FAKE_FENCES);
            body.push_str(open);
            Some(close)
        }
        _ => None,
    };
    body.push_str(bytes.pick(LINE_PREFIXES));
    body.push_str(bytes.pick(&[":::", ":::", ":::", "::::", "::\u{200b}:", "\u{ff1a}\u{ff1a}\u{ff1a}"]));
    body.push_str(bytes.pick(&[" ", " ", " ", "  ", "\t", "\u{a0}"]));
    body.push_str(level);
    body.push_str(bytes.pick(&["", "", " ", "\t"]));
    body.push('\n');
    // Inside a fake fence, a piece that would really close it would make the marker code
    // its author can see: those pieces are left out there.
    let inside = |piece: &&str| fake_close.is_none() || !matches!(*piece, "```\n" | "~~~\n");
    let inside: Vec<&str> = INSIDE.iter().copied().filter(inside).collect();
    for _ in 0..bytes.below(5) {
        body.push_str(bytes.pick(&inside));
    }
    body.push_str(bytes.pick(LINE_PREFIXES));
    body.push_str(marker);
    body.push('\n');
    for _ in 0..bytes.below(4) {
        body.push_str(bytes.pick(&inside));
    }
    body.push_str(bytes.pick(LINE_PREFIXES));
    body.push_str(bytes.pick(&[":::", ":::", "::::", "::: "]));
    body.push('\n');
    match fake_close {
        Some(close) => body.push_str(close),
        None => {
            for _ in 0..bytes.below(3) {
                body.push_str(bytes.pick(OUTSIDE));
            }
        }
    }
    let body = body.replace('\n', ending);
    let place = bytes.below(6);
    let yaml_block = |indent: &str| -> String {
        body.split_inclusive(['\n', '\r']).map(|line| format!("{indent}{line}")).collect::<String>()
    };
    let (path, text) = match place {
        0 => ("policies/fuzz.md", format!("---\nid: POL-FUZZ\ntitle: Fuzz\naudience: public\n---\n{body}")),
        1 => (
            "updates/2026-11-03-fuzz.md",
            format!("---\ntitle: Fuzz\ndate: 2026-11-03\naudience: public\n---\n{body}"),
        ),
        2 => (
            "faq/fuzz.yaml",
            format!(
                "- id: FAQ-FUZZ\n  question: Fuzz?\n  audience: public\n  answer: |\n{}",
                yaml_block("    ")
            ),
        ),
        3 => (
            "faq/fuzz.yaml",
            format!(
                "- id: FAQ-FUZZ\n  question: Fuzz?\n  audience: public\n  answer: >\n{}",
                yaml_block("    ")
            ),
        ),
        4 => (
            "faq/fuzz.yaml",
            format!(
                "- id: FAQ-FUZZ\n  question: Fuzz?\n  audience: public\n  answer: \"{}\"\n",
                body.replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
                    .replace('\r', "\\r")
                    .replace('\t', "\\t")
            ),
        ),
        _ => (
            "policies/fuzz.md",
            format!(
                "---\nid: POL-FUZZ\ntitle: Fuzz\naudience: public\nsummary: |\n{}---\nBody.\n",
                yaml_block("  ")
            ),
        ),
    };
    vec![(path.to_string(), text.into_bytes())]
}

/// What may stand before a fence line, on its line.
const LINE_PREFIXES: &[&str] =
    &["", "", "", "", " ", "   ", "    ", "\t", "> ", "- ", "1. ", "\u{a0}", "\u{feff}", "| "];

/// Whole pieces that leave no code block open.
const OUTSIDE: &[&str] = &[
    "Text.\n",
    "\n",
    "# Heading\n",
    "```\ncode\n```\n",
    "~~~ yaml\nk: v\n~~~\n",
    "    indented code\n\n",
    "> quote\n",
    "- item\n",
    "1. item\n",
    "<div>\n",
    "<!-- note -->\n",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[ref]: https://example.com\n",
    "Note[^1].\n\n[^1]: The note.\n",
    "Setext\n---\n",
    "*emphasis\n",
    "`span\n",
    "Café —\u{a0}text.\n",
];

/// A code fence, and a last line that looks like its closing fence to a reader but is not
/// one to CommonMark.
const FAKE_FENCES: &[(&str, &str)] = &[
    ("```\n", "    ```\n"),
    ("```\n", "\t```\n"),
    ("```\n", "> ```\n"),
    ("```\n", "```>\n"),
    ("```\n", "``\n"),
    ("~~~\n", "```\n"),
    ("````\n", "```\n"),
    ("```\n", "```x\n"),
    ("```\n", "\u{a0}```\n"),
];

/// Pieces inside the block: anything but a line that closes it exactly.
const INSIDE: &[&str] = &[
    "Text.\n",
    "\n",
    "```\n",
    "    ```\n",
    "\t```\n",
    "```a`b\n",
    "~~~\n",
    "> quote\n",
    "- item\n",
    "  continued\n",
    "<div>\n",
    "</div>\n",
    "`\n",
    "| x |\n|---|\n",
    "> :::\n",
    " :::\n",
    ":::: \n",
    "::: internal\n",
    "::: auditor\n",
    "---\n",
    "===\n",
    "[^2]: ",
    "\r",
];

/// A reader of fuzz bytes that gives zeros once they run out.
struct Bytes<'a>(&'a [u8], usize);

impl Bytes<'_> {
    fn next(&mut self) -> u8 {
        let byte = self.0.get(self.1).copied().unwrap_or(0);
        self.1 += 1;
        byte
    }
    fn below(&mut self, n: usize) -> usize {
        usize::from(self.next()) % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// The fuzzer's property: the content `generate` makes from `data` is refused, or no build
/// shows the marker.
pub fn check_generated(data: &[u8]) -> Result<(), String> {
    let files = generate(data);
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    probe(&files).map(|_| ()).map_err(|leak| format!("{leak}\ncontent: {:?}", files[0]))
}
