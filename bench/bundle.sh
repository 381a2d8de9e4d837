#!/usr/bin/env bash
# Benchmark of `trustpress bundle` (not a test): generates a content folder with
# BENCH_MIB MiB of evidence (default 1024, a realistic mix of sizes and kinds), then times,
# over BENCH_RUNS runs each (default 3, median reported):
#   - trustpress bundle (release build), with its peak RSS,
#   - sha256sum over the same evidence files, then zip -r of them (the baseline:
#     hashing and compressing the same bytes with the usual tools, one after the other),
#   - trustpress verify of the bundle.
# Everything runs with a warm page cache, on the disk holding BENCH_DIR (default: a new
# temporary folder, removed afterwards). Prints a Markdown table for docs/PERFORMANCE.md.
#
#   bench/bundle.sh                       # 1 GiB, 3 runs
#   BENCH_MIB=64 BENCH_RUNS=1 bench/bundle.sh
#
# Needs: python3, zip, sha256sum, GNU time (/usr/bin/time). On Debian/Ubuntu:
#   apt-get install python3 zip coreutils time
set -euo pipefail
cd "$(dirname "$0")/.."

mib="${BENCH_MIB:-1024}"
runs="${BENCH_RUNS:-3}"
for tool in python3 zip sha256sum /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "error: $tool is needed (apt-get install python3 zip coreutils time)" >&2; exit 1; }
done

cargo build --release --locked --quiet
trustpress="$PWD/target/release/trustpress"

work="${BENCH_DIR:-$(mktemp -d)}"
cleanup() { [ -n "${BENCH_DIR:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
content="$work/content"
rm -rf "$content" && mkdir -p "$content/evidence"

# The content folder: site.yaml, a one-line SoA, and the evidence index with its files.
python3 - "$content" "$mib" <<'PY'
import os, random, sys

content, mib = sys.argv[1], int(sys.argv[2])
total = mib * 1024 * 1024
rng = random.Random(27001)
open(os.path.join(content, "site.yaml"), "w").write(
    "organization:\n  name: Bench Ltd\nbase_url: https://trust.bench.example\n"
    "contact:\n  security_email: security@bench.example\n")
open(os.path.join(content, "soa.yaml"), "w").write(
    "version: 1\ncontrols:\n  A.5.1:\n    applicable: true\n    status: implemented\n")

controls = [f"A.5.{n}" for n in range(1, 38)] + [f"A.8.{n}" for n in range(1, 35)]
words = ("alice bob carol dave erin frank grace heidi ivan judy login logout sudo deploy "
         "approve reject grant revoke export backup restore rotate scan patch ticket ok "
         "failed granted denied prod staging eu-west-1 us-east-1 mfa sso api admin").split()

def text_block(size):
    # Log- and CSV-like rows: compressible as real exports are, not trivially so.
    rows, length = [], 0
    while length < size:
        row = "%d-%02d-%02dT%02d:%02d:%02dZ,%s,%s,%s,10.%d.%d.%d,%08x\n" % (
            2026, rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23), rng.randint(0, 59),
            rng.randint(0, 59), rng.choice(words), rng.choice(words), rng.choice(words),
            rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255), rng.getrandbits(32))
        rows.append(row)
        length += len(row)
    return "".join(rows).encode()[:size]

# The mix, by share of bytes: a few large exports and recordings, many screenshots,
# PDFs and small logs. Text is compressible; the rest (PDF, PNG, MP4) already is compressed.
kinds = [  # (share, extension, text?, smallest, largest)
    (0.20, "csv", True, 32 << 20, 96 << 20),   # database and IdP exports
    (0.20, "json", True, 64 << 10, 4 << 20),   # API and config exports, scan results
    (0.05, "log", True, 4 << 10, 512 << 10),   # small logs
    (0.25, "mp4", False, 48 << 20, 128 << 20), # screen recordings of procedures
    (0.20, "pdf", False, 256 << 10, 8 << 20),  # signed reports
    (0.10, "png", False, 64 << 10, 2 << 20),   # screenshots
]
index = open(os.path.join(content, "evidence", "evidence.yaml"), "w")
number, written = 0, 0
for share, extension, is_text, smallest, largest in kinds:
    budget = int(total * share)
    while budget > 0:
        size = min(budget, rng.randint(min(smallest, budget), min(largest, max(budget, smallest))))
        number += 1
        name = f"ev-{number:04d}.{extension}"
        data = text_block(size) if is_text else rng.randbytes(size)
        open(os.path.join(content, "evidence", name), "wb").write(data)
        # One control per file: the bundle then holds each byte once, like the baseline.
        index.write(f"- id: EV-{number:04d}\n  title: Evidence {number}\n  file: {name}\n"
                    f"  controls: [{controls[number % len(controls)]}]\n")
        budget -= size
        written += size
print(f"generated {number} evidence files, {written / 1048576:.0f} MiB", file=sys.stderr)
PY

evidence_bytes=$(find "$content/evidence" -type f ! -name evidence.yaml -printf '%s\n' | awk '{s+=$1} END {print s}')
files=$(find "$content/evidence" -type f ! -name evidence.yaml | wc -l)
cat "$content"/evidence/* >/dev/null  # warm the page cache for every contender

# Runs "$@" under GNU time; prints "seconds peak_rss_kib".
measure() {
  local log="$work/time.log"
  /usr/bin/time -v -o "$log" "$@" >/dev/null 2>"$work/stderr.log" || { cat "$work/stderr.log" >&2; exit 1; }
  local elapsed rss
  elapsed=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  python3 -c "import sys; p=[float(x) for x in sys.argv[1].split(':')]; s=sum(v*60**i for i,v in enumerate(reversed(p))); print(f'{s:.2f} {sys.argv[2]}')" "$elapsed" "$rss"
}

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

bundle_times=(); bundle_rss=(); sha_times=(); zip_times=(); zip_rss=(); verify_times=(); verify_rss=()
for run in $(seq "$runs"); do
  rm -f "$work/audit.zip"
  read -r t r < <(SOURCE_DATE_EPOCH=1795219200 measure "$trustpress" bundle --content "$content" --out "$work/audit.zip")
  bundle_times+=("$t"); bundle_rss+=("$r")
  read -r t r < <(measure bash -c "cd '$content/evidence' && find . -type f ! -name evidence.yaml -print0 | sort -z | xargs -0 sha256sum")
  sha_times+=("$t")
  rm -f "$work/baseline.zip"
  read -r t r < <(measure bash -c "cd '$content' && zip -r -q '$work/baseline.zip' evidence -x evidence/evidence.yaml")
  zip_times+=("$t"); zip_rss+=("$r")
  read -r t r < <(measure "$trustpress" verify "$work/audit.zip")
  verify_times+=("$t"); verify_rss+=("$r")
  echo "run $run: bundle ${bundle_times[-1]} s (${bundle_rss[-1]} KiB), sha256sum ${sha_times[-1]} s, zip ${zip_times[-1]} s, verify ${verify_times[-1]} s" >&2
done

bundle_s=$(median "${bundle_times[@]}"); sha_s=$(median "${sha_times[@]}"); zip_s=$(median "${zip_times[@]}")
verify_s=$(median "${verify_times[@]}")
max_rss=$(printf '%s\n' "${bundle_rss[@]}" | sort -g | tail -1)
max_verify_rss=$(printf '%s\n' "${verify_rss[@]}" | sort -g | tail -1)
bundle_size=$(stat -c %s "$work/audit.zip"); zip_size=$(stat -c %s "$work/baseline.zip")

python3 - "$evidence_bytes" "$files" "$bundle_s" "$sha_s" "$zip_s" "$verify_s" "$max_rss" "$max_verify_rss" \
  "$bundle_size" "$zip_size" "$runs" <<'PY'
import sys
(evidence, files, bundle, sha, zipt, verify, rss, verify_rss, bundle_size, zip_size, runs) = sys.argv[1:]
evidence, bundle, sha, zipt, verify = int(evidence), float(bundle), float(sha), float(zipt), float(verify)
mib = evidence / 1048576
baseline = sha + zipt
print(f"Evidence: {mib:.0f} MiB in {files} files; {runs} runs each, median; warm page cache.\n")
print("| step | time (s) | throughput (MiB/s) | peak RSS (MiB) | output (MiB) |")
print("|---|---:|---:|---:|---:|")
print(f"| `trustpress bundle` | {bundle:.2f} | {mib / bundle:.0f} | {int(rss) / 1024:.1f} | {int(bundle_size) / 1048576:.0f} |")
print(f"| `sha256sum` | {sha:.2f} | {mib / sha:.0f} | | |")
print(f"| `zip -r` (level 6) | {zipt:.2f} | {mib / zipt:.0f} | | {int(zip_size) / 1048576:.0f} |")
print(f"| `sha256sum` + `zip -r` | {baseline:.2f} | {mib / baseline:.0f} | | |")
print(f"| `trustpress verify` | {verify:.2f} | {mib / verify:.0f} | {int(verify_rss) / 1024:.1f} | |")
print(f"\nbundle throughput / (sha256sum + zip) throughput = **{baseline / bundle:.2f}x** (target 0.8x); "
      f"peak RSS {int(rss) / 1024:.1f} MiB (target < 64 MiB)")
PY
