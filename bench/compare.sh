#!/usr/bin/env bash
# Two trustpress binaries on the same generated ISMS, run alternately: before and after a
# change that must not cost speed (the redesign's budget is 3%).
#
#   bash bench/compare.sh BEFORE AFTER            # corpora of 1,000 and 10,000 policies, 7 runs
#   RUNS=5 SIZES="1000" bash bench/compare.sh old/trustpress target/release/trustpress
#
# For each corpus size it builds the internal edition (every policy gets a page) into a fresh
# folder with each binary in turn, RUNS times; then it builds the example ISMS the same way,
# and runs `check --no-cache` on the largest corpus. It prints the median and min–max wall
# time of each binary and the ratio after/before. Build a binary of an older commit with `git worktree add /tmp/before <commit>` and
# `cargo build --release` there. Nothing is deleted while the clock runs (see run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

BEFORE=$(realpath "$1"); AFTER=$(realpath "$2")
RUNS=${RUNS:-7}
SIZES=${SIZES:-"1000 10000"}
WORK=${WORK:-$(mktemp -d)}
rm -rf "$WORK/runs"
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

. bench/lib.sh

summary() {
  python3 - "$1" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, seconds, kb = line.split()
    runs.setdefault(label, []).append(float(seconds))
parts = []
for label in ("before", "after"):
    t = sorted(runs[label])
    parts.append(f"{label}: median {statistics.median(t)*1000:.1f} ms (min {t[0]*1000:.1f}, max {t[-1]*1000:.1f})")
ratio = statistics.median(runs["after"]) / statistics.median(runs["before"])
parts.append(f"after/before {ratio:.3f}")
print(" | ".join(parts))
PY
}

echo "machine: $(nproc) cores; before $("$BEFORE" --version), after $("$AFTER" --version)"
for size in $SIZES; do
  corpus=$WORK/corpus-$size
  [ -d "$corpus/content" ] || python3 bench/generate.py "$size" "$corpus" >/dev/null
  results=$WORK/results-$size.txt
  : > "$results"
  for run in $(seq "$RUNS"); do
    for which in before after; do
      binary=$BEFORE; [ "$which" = after ] && binary=$AFTER
      sync
      measure "$which" "$results" -- "$binary" build --content "$corpus/content" \
        --out "$WORK/runs/$which-$size-$run" --audience internal --today 2026-11-21
    done
  done
  echo "size=$size $(summary "$results")"
done
results=$WORK/results-example.txt
: > "$results"
for run in $(seq "$RUNS"); do
  for which in before after; do
    binary=$BEFORE; [ "$which" = after ] && binary=$AFTER
    sync
    measure "$which" "$results" -- "$binary" build --content content --out "$WORK/runs/example-$which-$run" --today 2026-11-21
  done
done
echo "example $(summary "$results")"
# check on the largest corpus, cold (every file parsed: --no-cache).
largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
results=$WORK/results-check.txt
: > "$results"
for run in $(seq "$RUNS"); do
  for which in before after; do
    binary=$BEFORE; [ "$which" = after ] && binary=$AFTER
    sync
    measure "$which" "$results" -- "$binary" check --content "$WORK/corpus-$largest/content" --today 2026-11-21 --no-cache
  done
done
echo "check size=$largest $(summary "$results")"
rm -rf "$WORK/runs"
