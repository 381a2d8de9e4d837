//! Content written to break the audience guarantee. Every case is built for the public and
//! the internal audience in memory; each build must refuse the content or hold no byte of a
//! marker it may not see (pages, search, feeds, CSV and the XLSX's inner files, trust.json,
//! sitemap, copied files, file names). The first group reproduces what an attacker found
//! with the tests unread; the rest walk every CommonMark container and code-block rule,
//! every YAML scalar style and tag, every item kind and field.

#[path = "../adversary/harness.rs"]
mod harness;

use harness::{probe, Outcome, AUDITOR, INTERNAL};

/// The minimal fixture's evidence index, which its SoA names.
const MINIMAL_EVIDENCE: &str = include_str!("../fixtures/minimal/evidence/evidence.yaml");

fn policy(body: &str) -> Vec<u8> {
    format!("---\nid: POL-ADV\ntitle: Adversary policy\naudience: public\nsummary: Public summary.\n---\nPublic intro.\n\n{body}")
        .into_bytes()
}

fn faq(yaml: &str) -> Vec<u8> {
    format!("- id: FAQ-ADV\n  question: Adversary question?\n  audience: public\n{yaml}").into_bytes()
}

fn update(body: &str) -> Vec<u8> {
    format!("---\ntitle: Adversary update\ndate: 2026-11-01\naudience: public\n---\n{body}").into_bytes()
}

/// Builds each case; panics naming every case that leaked. Returns the outcomes.
fn each(cases: &[(&str, &str, Vec<u8>)]) -> Vec<(String, [Outcome; 2])> {
    let mut leaks = Vec::new();
    let mut outcomes = Vec::new();
    for (name, path, bytes) in cases {
        match probe(&[(path, bytes)]) {
            Ok(built) => outcomes.push((name.to_string(), built)),
            Err(leak) => leaks.push(format!("`{name}`: {leak}")),
        }
    }
    assert!(leaks.is_empty(), "{} of {} cases leaked:\n{}", leaks.len(), cases.len(), leaks.join("\n"));
    outcomes
}

fn refused(outcome: &Outcome) -> Option<&[String]> {
    match outcome {
        Outcome::Refused(codes) => Some(codes),
        Outcome::Built(_) => None,
    }
}

fn bodies(template: fn(&str) -> Vec<u8>, path: &'static str) -> Vec<(String, &'static str, Vec<u8>)> {
    let i = INTERNAL;
    let a = AUDITOR;
    [
        ("4-space-indented fence", format!("    ```\n::: internal\n{i}\n:::\n    ```\n")),
        ("tab before the backticks", format!("\t```\n::: internal\n{i}\n:::\n\t```\n")),
        ("no-break space before the backticks", format!("\u{a0}```\n::: internal\n{i}\n:::\n\u{a0}```\n")),
        ("backtick in the info string", format!("```a`b\n::: internal\n{i}\n:::\n```\n")),
        (
            "fence in a list item, next line not indented",
            format!("- item\n  ```\n::: internal\n{i}\n:::\n  ```\n"),
        ),
        ("bare CR between two fences", format!("```\n::: x\r:::\n```\n::: internal\n{i}\n:::\n")),
        ("bare CR line endings", format!("```\rcode\r```\r::: internal\r{i}\r:::\r")),
        ("blockquote", format!("> ::: internal\n> {i}\n> :::\n")),
        ("lazy blockquote line", format!("> quote\n::: internal\n{i}\n:::\n")),
        ("list, lazy lines", format!("- a\n::: internal\n{i}\n:::\n")),
        ("ordered list, indented block", format!("1. a\n\n   ::: internal\n   {i}\n   :::\n")),
        ("HTML block", format!("<div>\n::: internal\n{i}\n:::\n</div>\n")),
        ("HTML comment", format!("<!--\n::: internal\n{i}\n:::\n-->\n")),
        ("table", format!("| a |\n|---|\n::: internal\n{i}\n:::\n")),
        ("indented by one space", format!(" ::: internal\n{i}\n :::\n")),
        ("indented by three spaces", format!("   ::: internal\n{i}\n:::\n")),
        ("four colons", format!(":::: internal\n{i}\n::::\n")),
        ("two spaces", format!(":::  internal\n{i}\n:::\n")),
        ("tab after the colons", format!(":::\tinternal\n{i}\n:::\n")),
        ("mid-line", format!("Text ::: internal {i} :::\n")),
        ("code block left open", format!("```yaml\nkey: value\n\n::: internal\n{i}\n:::\n")),
        ("code block 'closed' by an indented fence", format!("```\n::: internal\n{i}\n:::\n    ```\n")),
        ("code block 'closed' by a tabbed fence", format!("```\n::: internal\n{i}\n:::\n\t```\n")),
        ("code block 'closed' by a quoted fence", format!("```\n::: internal\n{i}\n:::\n> ```\n")),
        ("code block 'closed' by a fence with text after it", format!("```\n::: internal\n{i}\n:::\n```>\n")),
        (
            "Lisu letters for colons",
            format!("\u{a4fd}\u{a4fd}\u{a4fd} internal\n{i}\n\u{a4fd}\u{a4fd}\u{a4fd}\n"),
        ),
        (
            "modifier letters for colons",
            format!("\u{2f8}\u{2f8}\u{2f8} internal\n{i}\n\u{2f8}\u{2f8}\u{2f8}\n"),
        ),
        ("a direction isolate inside the colons", format!("::\u{2066}: internal\n{i}\n:::\n")),
        ("a tag character inside the colons", format!("::\u{e0020}: internal\n{i}\n:::\n")),
        ("code span over lines", format!("`x\n::: internal\n{i}\n:::\n`\n")),
        ("setext heading underline", format!("::: internal\n---\n{i}\n:::\n")),
        ("footnote definition", format!("Note[^1].\n\n[^1]: text\n    ::: internal\n    {i}\n    :::\n")),
        ("zero-width space in the fence", format!("::\u{200b}: internal\n{i}\n:::\n")),
        ("fullwidth colons", format!("\u{ff1a}\u{ff1a}\u{ff1a} internal\n{i}\n\u{ff1a}\u{ff1a}\u{ff1a}\n")),
        ("byte-order mark before the fence", format!("\u{feff}::: internal\n{i}\n:::\n")),
        ("unknown audience word", format!("::: interal\n{i}\n:::\n")),
        ("never closed", format!("::: internal\n{i}\n")),
        ("nested auditor block", format!("::: internal\n{i}\n\n::: auditor\n{a}\n:::\n:::\n")),
        (
            "auditor block with a link reference",
            format!("::: auditor\n[x]: https://{a}.example\n:::\n\nSee [x].\n"),
        ),
        ("CRLF block", format!("::: internal\r\n{i}\r\n:::\r\n")),
        ("heading inside a block", format!("::: internal\n## {i}\n\ntext\n:::\n")),
        ("image inside a block", format!("::: internal\n![{i}](https://example.com/{i}.png)\n:::\n")),
    ]
    .into_iter()
    .map(|(name, body)| (name.to_string(), path, template(&body)))
    .collect()
}

#[test]
fn hostile_policy_bodies_never_leak() {
    let cases = bodies(policy, "policies/adversary.md");
    let cases: Vec<(&str, &str, Vec<u8>)> =
        cases.iter().map(|(n, p, b)| (n.as_str(), *p, b.clone())).collect();
    let outcomes = each(&cases);
    // The findings the parser rule or the tripwire refuse, not only hide.
    for (name, [public, _]) in &outcomes {
        if ["blockquote", "list, lazy lines", "HTML block", "table", "mid-line", "four colons", "two spaces"]
            .contains(&name.as_str())
        {
            let codes = refused(public).unwrap_or_else(|| panic!("`{name}` should be refused"));
            assert!(codes.iter().any(|c| c == "audience-block"), "{name}: {codes:?}");
        }
    }
}

#[test]
fn hostile_update_bodies_never_leak_into_pages_or_feeds() {
    let cases = bodies(update, "updates/2026-11-01-adversary.md");
    let cases: Vec<(&str, &str, Vec<u8>)> =
        cases.iter().map(|(n, p, b)| (n.as_str(), *p, b.clone())).collect();
    each(&cases);
}

#[test]
fn hostile_faq_answers_never_leak_in_any_yaml_style() {
    let i = INTERNAL;
    let mut cases: Vec<(String, &str, Vec<u8>)> = bodies(
        |body| {
            let indented: String = body.lines().map(|l| format!("    {l}\n")).collect();
            faq(&format!("  answer: |\n{indented}"))
        },
        "faq/adversary.yaml",
    );
    for (name, yaml) in [
        ("folded", format!("  answer: >\n    Yes.\n    ::: internal\n    {i}\n    :::\n")),
        ("plain over lines", format!("  answer: Yes.\n    ::: internal\n    {i}\n    :::\n")),
        ("single-quoted over lines", format!("  answer: 'Yes.\n    ::: internal\n    {i}\n    :::'\n")),
        ("double-quoted over lines", format!("  answer: \"Yes.\n    ::: internal\n    {i}\n    :::\"\n")),
        ("double-quoted with escapes", format!("  answer: \"Yes.\\n::: internal\\n{i}\\n:::\\n\"\n")),
        ("literal, keep chomping", format!("  answer: |+\n    Yes.\n    ::: internal\n    {i}\n    :::\n\n")),
        (
            "category with a block",
            format!("  answer: Yes.\n  category: |\n    ::: internal\n    {i}\n    :::\n"),
        ),
        (
            "a list item with a block",
            format!("  answer: Yes.\n  caiq:\n    - |\n      ::: internal\n      {i}\n      :::\n"),
        ),
    ] {
        cases.push((name.to_string(), "faq/adversary.yaml", faq(&yaml)));
    }
    let cases: Vec<(&str, &str, Vec<u8>)> =
        cases.iter().map(|(n, p, b)| (n.as_str(), *p, b.clone())).collect();
    each(&cases);
}

#[test]
fn yaml_tags_cannot_choose_an_audience() {
    let i = INTERNAL;
    let cases = [
        ("FAQ", "faq/adversary.yaml", format!("- id: FAQ-TAG\n  question: {i}?\n  answer: {i}\n  audience: !public internal\n")),
        (
            "policy front matter",
            "policies/adversary.md",
            format!("---\nid: POL-TAG\ntitle: {i}\naudience: !public internal\n---\n{i}\n"),
        ),
        (
            "subprocessor",
            "subprocessors.yaml",
            format!("- name: {i}\n  purpose: {i}\n  audience: !public internal\n"),
        ),
        ("verbatim tag", "faq/adversary.yaml", format!("- id: FAQ-TAG\n  question: q\n  answer: {i}\n  audience: !<public> internal\n")),
        ("tag on a status", "risks.yaml", format!("- id: R-TAG\n  title: {i}\n  likelihood: 1\n  impact: 1\n  treatment: !accept mitigate\n  audience: !public internal\n")),
    ];
    for (name, path, text) in cases {
        let outcomes = probe(&[(path, text.as_bytes())]).unwrap_or_else(|leak| panic!("{name}: {leak}"));
        let codes = refused(&outcomes[0]).unwrap_or_else(|| panic!("`{name}` should be refused"));
        assert!(codes.iter().any(|c| c == "yaml-tag"), "{name}: {codes:?}");
    }
    // The standard tags that say what a scalar already is stay allowed.
    let text = "- id: FAQ-STD\n  question: !!str q\n  answer: Plain.\n  audience: !!str public\n  teaser: !!bool false\n";
    let outcomes = probe(&[("faq/adversary.yaml", text.as_bytes())]).unwrap();
    assert!(refused(&outcomes[0]).is_none(), "{:?}", outcomes[0]);
}

#[test]
fn every_text_field_goes_through_the_cut() {
    let i = INTERNAL;
    let a = AUDITOR;
    let block = |indent: &str, marker: &str, level: &str| {
        format!("|\n{indent}Shown.\n{indent}::: {level}\n{indent}{marker}\n{indent}:::\n")
    };
    let cases = [
        (
            "policy summary",
            "policies/adversary.md",
            format!(
                "---\nid: POL-S\ntitle: T\naudience: public\nsummary: {}---\nBody.\n",
                block("  ", i, "internal")
            ),
        ),
        (
            "certification summary and scope",
            "certifications/adversary.yaml",
            format!(
                "name: Adv\naudience: public\nsummary: {}scope: {}",
                block("  ", i, "internal"),
                block("  ", i, "internal")
            ),
        ),
        (
            "document summary",
            "documents/documents.yaml",
            format!(
                "- id: DOC-A\n  title: A\n  file: whitepaper.pdf\n  audience: public\n  summary: {}",
                block("    ", i, "internal")
            ),
        ),
        (
            "subprocessor purpose",
            "subprocessors.yaml",
            format!("- name: Adv\n  audience: public\n  purpose: {}", block("    ", i, "internal")),
        ),
        (
            "update summary",
            "updates/2026-11-02-adv.md",
            format!(
                "---\ntitle: T\ndate: 2026-11-02\naudience: public\nsummary: {}---\nBody.\n",
                block("  ", i, "internal")
            ),
        ),
        (
            "risk description (internal item, auditor block)",
            "risks.yaml",
            format!(
                "- id: R-A\n  title: T\n  likelihood: 2\n  impact: 2\n  description: {}",
                block("    ", a, "auditor")
            ),
        ),
        (
            "a title cannot hold a block",
            "policies/adversary.md",
            format!("---\nid: POL-T\ntitle: {}audience: public\n---\nBody.\n", block("  ", i, "internal")),
        ),
    ];
    for (name, path, text) in cases {
        probe(&[(path, text.as_bytes())]).unwrap_or_else(|leak| panic!("{name}: {leak}"));
    }
}

#[test]
fn teasers_show_their_title_summary_and_nothing_else() {
    let i = INTERNAL;
    let faq = format!(
        "- id: FAQ-TEASE\n  question: Teased question?\n  answer: {i}\n  category: {i}\n  caiq: [{i}]\n  audience: internal\n  teaser: true\n"
    );
    let certification = format!("name: Teased certificate\nissuer: {i}\naudience: internal\nteaser: true\nsummary: On request.\ndocuments:\n  - title: {i}\n    file: ../documents/teased.txt\n    audience: internal\n");
    let update = format!("---\ntitle: Teased update\ndate: 2024-02-29\naudience: internal\nteaser: true\nsummary: On request.\n---\n{i}\n");
    let files: Vec<(String, Vec<u8>)> = vec![
        ("faq/tease.yaml".into(), faq.into_bytes()),
        ("documents/teased.txt".into(), format!("{i} report").into_bytes()),
        (format!("certifications/{i}.yaml"), certification.into_bytes()),
        (format!("updates/2024-02-29-{i}.md"), update.into_bytes()),
    ];
    let files: Vec<(&str, &[u8])> = files.iter().map(|(p, b)| (p.as_str(), b.as_slice())).collect();
    let [public, _] = probe(&files).unwrap_or_else(|leak| panic!("{leak}"));
    let Outcome::Built(public) = public else { panic!("the public build failed: {public:?}") };
    let all: String = public.iter().map(|(_, b)| String::from_utf8_lossy(b).to_string()).collect();
    assert!(
        all.contains("Teased question?")
            && all.contains("Teased certificate")
            && all.contains("Teased update")
    );
    // The teaser update's date is withheld too.
    for date in ["2024-02-29", "29 February 2024", "Feb 29, 2024", "2024-02-29T00:00:00Z"] {
        assert!(!all.contains(date), "the teaser's date {date} is shown");
    }
}

#[test]
fn a_file_has_one_audience() {
    let a = AUDITOR;
    let evidence_index = format!(
        "{MINIMAL_EVIDENCE}- id: EV-ADV\n  title: Secret evidence\n  file: secret.txt\n  controls: [A.5.1]\n"
    );
    let public_document =
        "- id: DOC-ADV\n  title: Public paper\n  file: ../evidence/secret.txt\n  audience: public\n";
    let files: [(&str, &[u8]); 3] = [
        ("evidence/secret.txt", a.as_bytes()),
        ("evidence/evidence.yaml", evidence_index.as_bytes()),
        ("documents/documents.yaml", public_document.as_bytes()),
    ];
    let [public, _] = probe(&files).unwrap_or_else(|leak| panic!("{leak}"));
    let codes = refused(&public).expect("a public document naming evidence is refused");
    assert!(codes.iter().any(|c| c == "file-audience-conflict"), "{codes:?}");

    // A file under evidence/ that no evidence names is still not for the public.
    let unlisted = public_document.replace("secret", "unlisted");
    let files: [(&str, &[u8]); 2] =
        [("evidence/unlisted.txt", a.as_bytes()), ("documents/documents.yaml", unlisted.as_bytes())];
    let [public, _] = probe(&files).unwrap_or_else(|leak| panic!("{leak}"));
    assert!(refused(&public).is_some_and(|codes| codes.iter().any(|c| c == "file-audience-conflict")));

    // A public and an internal certification naming one file.
    let public_cert = "name: P\naudience: public\ndocuments:\n  - title: R\n    file: ../documents/report.txt\n    audience: public\n";
    let internal_cert = "name: I\naudience: internal\ndocuments:\n  - title: R\n    file: ../documents/report.txt\n    audience: internal\n";
    let files: [(&str, &[u8]); 3] = [
        ("documents/report.txt", b"report"),
        ("certifications/p.yaml", public_cert.as_bytes()),
        ("certifications/i.yaml", internal_cert.as_bytes()),
    ];
    let [public, _] = probe(&files).unwrap_or_else(|leak| panic!("{leak}"));
    assert!(refused(&public).is_some_and(|codes| codes.iter().any(|c| c == "file-audience-conflict")));
}

/// A content source file is never a document: a policy's markdown holds its withheld blocks.
#[test]
fn a_content_source_file_is_never_copied_as_a_document() {
    let i = INTERNAL;
    let policy = format!(
        "---\nid: POL-SRC\ntitle: Source\naudience: public\n---\nPublic.\n\n::: internal\n{i}\n:::\n"
    );
    for file in ["../policies/source.md", "../policies/./source.md", "../risks.yaml"] {
        let documents = format!("- id: DOC-SRC\n  title: Source\n  file: {file}\n  audience: public\n");
        let files: [(&str, &[u8]); 2] =
            [("policies/source.md", policy.as_bytes()), ("documents/documents.yaml", documents.as_bytes())];
        let [public, _] = probe(&files).unwrap_or_else(|leak| panic!("{file}: {leak}"));
        assert!(
            refused(&public).is_some_and(|codes| codes.iter().any(|c| c == "file-audience-conflict")),
            "{file}"
        );
    }
    // A copy of the policy's source under another name: only its bytes give it away.
    let documents = "- id: DOC-SRC\n  title: Source\n  file: copy.md\n  audience: public\n";
    let files: [(&str, &[u8]); 3] = [
        ("policies/source.md", policy.as_bytes()),
        ("documents/copy.md", policy.as_bytes()),
        ("documents/documents.yaml", documents.as_bytes()),
    ];
    let [public, _] = probe(&files).unwrap_or_else(|leak| panic!("{leak}"));
    assert!(
        refused(&public).is_some_and(|codes| codes.iter().any(|c| c.contains("source.md"))),
        "{public:?}"
    );
}

/// Two names for one file (a copy, or a hard link): no rule about names can see it, the
/// sink's hash check does.
#[test]
fn the_sink_refuses_the_bytes_of_a_withheld_file_under_any_name() {
    let evidence_index = format!(
        "{MINIMAL_EVIDENCE}- id: EV-ADV\n  title: Secret evidence\n  file: secret.txt\n  controls: [A.5.1]\n"
    );
    let public_document = "- id: DOC-ADV\n  title: Public paper\n  file: copy.txt\n  audience: public\n";
    let secret = format!("{AUDITOR} key ceremony transcript");
    let files: [(&str, &[u8]); 4] = [
        ("evidence/secret.txt", secret.as_bytes()),
        ("evidence/evidence.yaml", evidence_index.as_bytes()),
        ("documents/copy.txt", secret.as_bytes()),
        ("documents/documents.yaml", public_document.as_bytes()),
    ];
    let [public, internal] = probe(&files).unwrap_or_else(|leak| panic!("{leak}"));
    for outcome in [public, internal] {
        let codes = refused(&outcome).expect("refused");
        assert!(codes.iter().any(|c| c.contains("secret.txt")), "{codes:?}");
    }
}

/// The differential fuzzer's seeds and every input it ever found a problem with
/// (`fuzz/audience-seeds`, `fuzz/audience-regressions`), then a fixed-seed sample of
/// generated content: each is refused or shows no marker.
#[test]
fn the_differential_fuzzers_inputs_never_leak() {
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for folder in ["fuzz/audience-seeds", "fuzz/audience-regressions"] {
        let Ok(entries) = std::fs::read_dir(crate::common::repo().join(folder)) else { continue };
        for entry in entries.flatten() {
            inputs.push(std::fs::read(entry.path()).unwrap());
        }
    }
    assert!(inputs.len() >= 8, "the seeds are there ({} inputs)", inputs.len());
    // A fixed-seed sample beyond the seeds (xorshift: the same inputs on every run).
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..80 {
        let input: Vec<u8> = (0..24)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 24) as u8
            })
            .collect();
        inputs.push(input);
    }
    let leaks: Vec<String> =
        inputs.iter().filter_map(|input| harness::check_generated(input).err()).collect();
    assert!(leaks.is_empty(), "{} of {} inputs leaked:\n{}", leaks.len(), inputs.len(), leaks.join("\n\n"));
}

/// A literal block's fences in the SoA's own fields and in a custom framework catalog's texts
/// were neither cut nor caught: an attacker with the tests unread had both published (session
/// 36). The tripwire now names every part of the model, so a part cannot be left out; these
/// are the parts it once missed, each refused for both audiences.
#[test]
fn fences_in_the_soa_head_and_a_custom_framework_are_refused_not_published() {
    let block =
        |indent: &str| format!("|\n{indent}Shown\n\n{indent}::: internal\n{indent}{INTERNAL}\n{indent}:::\n");
    let soa = include_str!("../fixtures/minimal/soa.yaml");
    let site =
        format!("{}frameworks: [iso27001-2022, zzfw]\n", include_str!("../fixtures/minimal/site.yaml"));
    let framework = |name: &str, description: &str, title: &str, theme: &str| {
        format!(
            "id: zzfw\nname: {name}description: {description}coverage: mapping\ncontrols:\n  - id: ZZ-1\n    title: {title}    theme: {theme}    maps_to: [A.5.1]\n"
        )
    };
    let plain = "Plain\n";
    let cases: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "SoA version",
            vec![("soa.yaml", soa.replacen("version: 2\n", &format!("version: {}", block("  ")), 1))],
        ),
        (
            "SoA approver",
            vec![(
                "soa.yaml",
                soa.replacen("approved_by: Board\n", &format!("approved_by: {}", block("  ")), 1),
            )],
        ),
        (
            "framework name",
            vec![
                ("site.yaml", site.clone()),
                ("frameworks/zz.yaml", framework(&block("  "), plain, plain, plain)),
            ],
        ),
        (
            "framework description",
            vec![
                ("site.yaml", site.clone()),
                ("frameworks/zz.yaml", framework(plain, &block("  "), plain, plain)),
            ],
        ),
        (
            "framework control title",
            vec![
                ("site.yaml", site.clone()),
                ("frameworks/zz.yaml", framework(plain, plain, &block("      "), plain)),
            ],
        ),
        (
            "framework control theme",
            vec![
                ("site.yaml", site.clone()),
                ("frameworks/zz.yaml", framework(plain, plain, plain, &block("      "))),
            ],
        ),
    ];
    // The same files without the fence build, and show the framework: the cases are read.
    let clean = framework("Shown\n", plain, plain, plain);
    match probe(&[("site.yaml", site.as_bytes()), ("frameworks/zz.yaml", clean.as_bytes())]) {
        Ok([harness::Outcome::Built(files), _]) => {
            assert!(files.iter().any(
                |(path, bytes)| path.contains("zzfw") && String::from_utf8_lossy(bytes).contains("Shown")
            ));
        }
        other => panic!("the clean framework builds: {other:?}"),
    }
    for (name, files) in cases {
        let files: Vec<(&str, &[u8])> = files.iter().map(|(path, text)| (*path, text.as_bytes())).collect();
        let outcomes = probe(&files).unwrap_or_else(|leak| panic!("`{name}`: {leak}"));
        for outcome in &outcomes {
            let codes = refused(outcome).unwrap_or_else(|| panic!("`{name}` should be refused"));
            assert!(codes.iter().any(|c| c == "audience-leftover"), "{name}: {codes:?}");
        }
    }
}

/// Nesting thousands deep (quotes in quotes, lists in lists, quotes in a footnote, emphasis in
/// emphasis) aborted the public build and killed the dev server: the markdown copy for agents
/// walks the page recursively (found by attackers with the tests unread). The converter is
/// never given a page deeper than it can follow: each builds, for both audiences, and its copy
/// holds the text.
#[test]
fn content_nested_thousands_deep_builds_with_its_copy_for_agents() {
    let emphasis = (0..1500).map(|i| if i % 2 == 1 { "*a " } else { "**b " }).collect::<String>()
        + "deepest"
        + &(0..1500).map(|i| if i % 2 == 1 { "*" } else { "**" }).collect::<String>();
    let cases = [
        ("2,000 quotes", format!("{} deepest\n", ">".repeat(2000))),
        (
            "1,000 lists",
            (0..1000).map(|i| format!("{}- x\n", "  ".repeat(i))).collect::<String>() + "\n\ndeepest\n",
        ),
        ("quotes in a footnote", format!("See[^a].\n\n[^a]: {} deepest\n", ">".repeat(3000))),
        ("emphasis in emphasis", format!("{emphasis}\n")),
    ];
    // The public build makes the copies when the site asks for them.
    let site = format!("{}markdown_copies: true\n", include_str!("../fixtures/minimal/site.yaml"));
    for (name, body) in cases {
        let body = policy(&body);
        let files = [("site.yaml", site.as_bytes()), ("policies/adversary.md", body.as_slice())];
        let [public, internal] = probe(&files).unwrap_or_else(|leak| panic!("{name}: {leak}"));
        assert!(refused(&internal).is_none(), "`{name}` builds for the internal audience");
        let harness::Outcome::Built(files) = public else { panic!("`{name}` builds: {public:?}") };
        let copy = files.iter().find(|(path, _)| path.ends_with("pol-adv/index.md"));
        let (_, copy) = copy.unwrap_or_else(|| panic!("{name}: the policy's markdown copy"));
        assert!(String::from_utf8_lossy(copy).contains("deepest"), "{name}: the copy holds the text");
    }
}

/// What would stop `build` stops `check` too: CI catches it before anyone publishes.
#[test]
fn check_fails_where_the_tripwire_would_stop_the_build() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content");
    let policy = format!(
        "---\nid: POL-T\ntitle: |\n  ::: internal\n  {INTERNAL}\n  :::\naudience: public\n---\nBody.\n"
    );
    harness::write_content(&content, &[("policies/adversary.md", policy.as_bytes())]);
    let output = crate::common::trustpress()
        .args(["check", "--today", crate::common::TODAY, "--content"])
        .arg(&content)
        .output()
        .unwrap();
    let stderr =
        String::from_utf8_lossy(&output.stderr).to_string() + &String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("audience-leftover") && stderr.contains("`title`"), "{stderr}");
}
