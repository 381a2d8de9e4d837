#!/usr/bin/env bash
# Two trustpress binaries side by side on the synthetic history of bench/history.sh: each
# round, each binary rebuilds in place the same files without git, then with their history
# (cached), alternating; prints each binary's medians and their ratio. For measuring one
# change against the binary before it, where the run-to-run noise of separate runs of
# bench/history.sh would hide it.
#
#   WORK=/some/folder bash bench/history.sh       # makes $WORK/repo and $WORK/plain
#   WORK=/some/folder ROUNDS=30 bash bench/history_ab.sh OLD_BINARY NEW_BINARY
set -euo pipefail
WORK=${WORK:?set WORK to the folder bench/history.sh used}
ROUNDS=${ROUNDS:-30}
(($# == 2)) || { echo "usage: bench/history_ab.sh OLD_BINARY NEW_BINARY" >&2; exit 2; }
build() { # binary index, content kind
  TRUSTPRESS_CACHE_DIR=$WORK/ab-cache-$1 "${bins[$1]}" build --today 2026-11-21 --audience internal \
    --content "$WORK/$2/content" --out "$WORK/ab-out-$1-$2" >/dev/null 2>&1
}
bins=("$1" "$2")
results=$WORK/ab.txt; : > "$results"
for i in 0 1; do for kind in plain repo; do build $i $kind; build $i $kind; done; done
for _ in $(seq "$ROUNDS"); do
  for i in 0 1; do
    for kind in plain repo; do
      start=$EPOCHREALTIME; build $i $kind; end=$EPOCHREALTIME
      echo "$i $kind $(awk "BEGIN { print ($end - $start) * 1000 }")" >> "$results"
    done
  done
done
python3 - "$results" "$1" "$2" <<'PY'
import statistics, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    i, kind, ms = line.split()
    runs[(int(i), kind)].append(float(ms))
for i, name in enumerate(sys.argv[2:]):
    plain, cached = statistics.median(runs[(i, "plain")]), statistics.median(runs[(i, "repo")])
    print(f"{name}: without git {plain:.1f} ms, history cached {cached:.1f} ms, {cached / plain:.3f}x")
PY
rm -rf "$WORK"/ab-out-* "$WORK"/ab-cache-*
