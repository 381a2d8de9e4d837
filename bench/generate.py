#!/usr/bin/env python3
"""Generate a synthetic ISMS of N policies for the benchmarks, and the same markdown as a Hugo
site, so both tools build the same pages from the same text.

usage: generate.py N OUT_DIR

OUT_DIR/content/   the ISMS for trustpress: N policies (realistic front matter, ~3 KB bodies
                   with tables, lists and links to each other and to the SoA), the example's site.yaml and full SoA, 5,000 evidence
                   entries with their files, FAQ answers, checks and subprocessors.
OUT_DIR/hugo/      a Hugo site with the same N policy bodies as pages, a list page of all
                   policies, and one small layout set (base, list, single).
Deterministic: the same N gives the same bytes.
"""
import os
import random
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLE = os.path.join(HERE, "..", "content")

WORDS = ("access control review supplier encryption incident backup recovery logging monitoring "
         "vulnerability patch asset owner classification retention training awareness network "
         "segregation cloud endpoint identity authentication privileged change release testing "
         "continuity risk treatment audit evidence management approval customer data personal "
         "processing transfer contract register inventory laptop mobile device remote secure "
         "development code dependency secret key certificate rotation alert response escalation").split()

ANNEX_A = [line.split("\t")[0] for line in open(os.path.join(HERE, "..", "src", "catalogs", "iso27001-2022.tsv"))
           if line.startswith("A.")]


def sentence(rng, words=14):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def paragraph(rng, sentences=4):
    return " ".join(sentence(rng, rng.randint(9, 18)) for _ in range(sentences))


def related(rng, index, count):
    """Another policy of the same audience (every third one is internal), or None."""
    same = [j for j in rng.sample(range(count), min(count, 8)) if j != index and (j % 3 == 0) == (index % 3 == 0)]
    return same[0] if same else None


def policy_body(rng, index, count):
    # Policies link to each other and to the site, as real ones do; the links are checked
    # (`check`) and rewritten to page addresses (`build`).
    other = related(rng, index, count)
    see_also = f" It works with [policy {other}](policy-{other:05d}.md)." if other is not None else ""
    parts = [f"## Purpose\n\n{paragraph(rng)}\n",
             f"## Scope\n\n{paragraph(rng, 3)}{see_also} Controls are listed in the "
             f"[Statement of Applicability](/soa/).\n",
             "## Requirements\n"]
    for _ in range(6):
        parts.append(f"- **{rng.choice(WORDS).capitalize()}.** {sentence(rng)}")
    parts.append("\n## Responsibilities\n\n| Role | Responsibility | Frequency |\n|---|---|---|")
    for role in ("Owner", "Security team", "Managers", "All staff"):
        parts.append(f"| {role} | {sentence(rng, 8)} | {rng.choice(['Monthly', 'Quarterly', 'Yearly'])} |")
    parts.append(f"\n## Procedure\n\n{paragraph(rng, 5)}\n\n{paragraph(rng, 4)}\n")
    parts.append(f"## Exceptions\n\n{paragraph(rng, 3)}\n")
    return "\n".join(parts) + "\n"


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def main():
    count, out = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(count)
    if os.path.exists(out):
        shutil.rmtree(out)
    content = os.path.join(out, "content")
    hugo = os.path.join(out, "hugo")
    for name in ("site.yaml", "soa.yaml", "subprocessors.yaml", "risks.yaml"):
        shutil.copy(os.path.join(EXAMPLE, name), os.path.join(os.makedirs(content, exist_ok=True) or content, name))
    for folder in ("faq", "status", "brand"):
        shutil.copytree(os.path.join(EXAMPLE, folder), os.path.join(content, folder))
    # The corpus measures the default: no markdown copies for agents (the example asks for them).
    site = open(os.path.join(content, "site.yaml")).read().replace("markdown_copies: true\n", "")
    write(os.path.join(content, "site.yaml"), site)
    # The example's SoA names its own policies and evidence; the corpus has other ids.
    soa = open(os.path.join(content, "soa.yaml")).read()
    import re
    soa = re.sub(r"\n\s+policies: \[[^\]]*\]", "", soa)
    soa = re.sub(r"\n\s+evidence: \[[^\]]*\]", "", soa)
    write(os.path.join(content, "soa.yaml"), soa)
    faq = "".join(open(os.path.join(content, "faq", f)).read() for f in sorted(os.listdir(os.path.join(content, "faq"))))
    for f in os.listdir(os.path.join(content, "faq")):
        text = open(os.path.join(content, "faq", f)).read()
        text = re.sub(r"\n\s+policies: \[[^\]]*\]", "", text)
        text = re.sub(r"\]\(\.\./policies/[^)]*\)", "](/policies/)", text)
        write(os.path.join(content, "faq", f), text)
    del faq

    hugo_pages = []
    for index in range(count):
        pid = f"POL-{index:05d}"
        title = f"{rng.choice(WORDS).capitalize()} {rng.choice(WORDS)} policy {index}"
        controls = sorted(rng.sample(ANNEX_A, 4))
        body = policy_body(rng, index, count)
        audience = "public" if index % 3 else "internal"
        front = (f"---\nid: {pid}\ntitle: {title}\nversion: \"{rng.randint(1, 5)}.{rng.randint(0, 9)}\"\n"
                 f"owner: {rng.choice(['CISO', 'Head of IT', 'CTO', 'DPO'])}\napproved_by: Management Board\n"
                 f"approved: 2026-{rng.randint(1, 10):02d}-{rng.randint(1, 28):02d}\nreview_every: 12 months\n"
                 f"audience: {audience}\nsummary: {sentence(rng, 12)}\ncontrols: [{', '.join(controls)}]\n---\n")
        write(os.path.join(content, "policies", f"policy-{index:05d}.md"), front + body)
        hugo_pages.append((f"policy-{index:05d}", title, pid, body))

    evidence = ["# Evidence index (generated)"]
    for index in range(5000):
        name = f"ev-{index:05d}.txt"
        write(os.path.join(content, "evidence", "files", name), f"evidence record {index}\n")
        evidence.append(f"- id: EV-{index:05d}\n  title: Evidence record {index}\n  file: files/{name}\n"
                        f"  controls: [{rng.choice(ANNEX_A)}]\n  collected: 2026-10-01\n  max_age_days: 365")
    write(os.path.join(content, "evidence", "evidence.yaml"), "\n".join(evidence) + "\n")

    # The Hugo site: same bodies, same page count, a list page, minimal layouts.
    write(os.path.join(hugo, "hugo.toml"),
          'baseURL = "https://trust.example.org/"\ntitle = "Benchmark"\n'
          'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n'
          '[markup.goldmark.renderer]\nunsafe = false\n')
    write(os.path.join(hugo, "layouts", "_default", "baseof.html"),
          "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>"
          "<body><nav><a href=\"/\">Overview</a> <a href=\"/policies/\">Policies</a></nav>"
          "<main>{{ block \"main\" . }}{{ end }}</main></body></html>\n")
    write(os.path.join(hugo, "layouts", "_default", "single.html"),
          "{{ define \"main\" }}<article><h1>{{ .Title }}</h1><p>{{ .Params.id }} · version {{ .Params.version }} · "
          "{{ .Params.owner }}</p>{{ .Content }}</article>{{ end }}\n")
    write(os.path.join(hugo, "layouts", "_default", "list.html"),
          "{{ define \"main\" }}<h1>{{ .Title }}</h1><table>{{ range .Pages }}<tr><td><a href=\"{{ .RelPermalink }}\">"
          "{{ .Title }}</a></td><td>{{ .Params.version }}</td><td>{{ .Params.owner }}</td></tr>{{ end }}</table>{{ end }}\n")
    write(os.path.join(hugo, "layouts", "index.html"),
          "{{ define \"main\" }}<h1>Overview</h1><p>{{ len .Site.RegularPages }} policies</p>{{ end }}\n")
    write(os.path.join(hugo, "content", "policies", "_index.md"), "---\ntitle: Policies\n---\n")
    for slug, title, pid, body in hugo_pages:
        write(os.path.join(hugo, "content", "policies", f"{slug}.md"),
              f"---\ntitle: \"{title}\"\nid: {pid}\nversion: \"1.0\"\nowner: CISO\n---\n{body}")


if __name__ == "__main__":
    main()
