#!/usr/bin/env bash
# Two trustpress binaries rebuilding in place with nothing changed, alternately, without
# anything else running between them: before and after a change to a rebuild's speed.
#
#   bash bench/compare_rebuild.sh BEFORE AFTER               # 10,000 policies, 11 runs
#   RUNS=7 SIZE=1000 bash bench/compare_rebuild.sh old/trustpress target/release/trustpress
#   AFTER_HUGO=1 bash bench/compare_rebuild.sh BEFORE AFTER   # as bench/rebuild.sh runs them
#
# With AFTER_HUGO=1, each measured build follows a Hugo rebuild of the same corpus and a
# `sync`, as in bench/rebuild.sh: a change to how the binary takes memory can be fast alone
# and slow right after another large process freed a gigabyte (session 28: huge pages, 247
# against 280 ms alone, 399 against 277 after Hugo).
#
# Each binary has its own output folder and its own cache folder (a page record and a listing
# are per binary), both built twice before the clock starts. Prints each binary's median and
# sorted runs, and the ratio after/before. Build a binary of an older commit with
# `git worktree add /tmp/before <commit>` and `cargo build --release` there.
set -euo pipefail
cd "$(dirname "$0")/.."

BEFORE=$(realpath "$1"); AFTER=$(realpath "$2")
RUNS=${RUNS:-11}
SIZE=${SIZE:-10000}
WORK=${WORK:-$(mktemp -d)}

if [ -n "${AFTER_HUGO:-}" ] && ! command -v hugo >/dev/null; then
  echo "AFTER_HUGO needs hugo: run bench/rebuild.sh once (it installs it) or apt-get install hugo" >&2
  exit 2
fi

corpus=$WORK/corpus-$SIZE
stamp=$(sha256sum bench/generate.py | cut -d' ' -f1)
if [ "$(cat "$corpus/GENERATOR" 2>/dev/null)" != "$stamp" ]; then
  python3 bench/generate.py "$SIZE" "$corpus" >/dev/null
  echo "$stamp" > "$corpus/GENERATOR"
fi

build() { # KIND: before or after
  local bin=$BEFORE; [ "$1" = after ] && bin=$AFTER
  mkdir -p "$WORK/cache-$1"; chmod 700 "$WORK/cache-$1"
  TRUSTPRESS_CACHE_DIR=$WORK/cache-$1 "$bin" build --content "$corpus/content" --out "$WORK/out-$1" \
    --audience internal --today 2026-11-21 >/dev/null 2>&1
}
for kind in before after; do build "$kind"; build "$kind"; done
for _ in $(seq "$RUNS"); do
  for kind in before after; do
    if [ -n "${AFTER_HUGO:-}" ]; then
      hugo --quiet --source "$corpus/hugo" --destination "$WORK/hugo" >/dev/null 2>&1; sync
    fi
    start=$(date +%s%N); build "$kind"; end=$(date +%s%N)
    echo "$kind $(( (end - start) / 1000000 ))"
  done
done | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    kind, ms = line.split()
    runs.setdefault(kind, []).append(int(ms))
before, after = statistics.median(runs["before"]), statistics.median(runs["after"])
print("before: median", before, "ms", sorted(runs["before"]))
print("after:  median", after, "ms", sorted(runs["after"]))
print(f"after/before: {after / before:.3f}")'
echo "work folder: $WORK"
