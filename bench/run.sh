#!/usr/bin/env bash
# trustpress against Hugo on the same generated ISMS, in one run, alternating.
#
#   bash bench/run.sh                 # corpora of 100, 1,000 and 10,000 policies, 5 runs each
#   RUNS=3 SIZES="100 1000" bash bench/run.sh
#
# Installs what it needs (Hugo and GNU time from Debian), builds trustpress in release mode,
# generates each corpus with bench/generate.py, then for each size runs trustpress and Hugo
# alternately RUNS times (cold: each into a fresh output folder) and prints the median and
# min–max wall time, the ratio, and the peak RSS of each. It also times trustpress on the
# example ISMS and `trustpress check` on the largest corpus. Results go to stdout as a
# markdown table, ready for docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZES=${SIZES:-"100 1000 10000"}
WORK=${WORK:-$(mktemp -d)}

need=()
command -v hugo >/dev/null || need+=(hugo)
[ -x /usr/bin/time ] || need+=(time)
if ((${#need[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
cargo build --release --locked -q
TRUSTPRESS=$PWD/target/release/trustpress

# measure LABEL OUTFILE -- COMMAND...: one run, appends "label wall_seconds peak_kb".
measure() {
  local label=$1 results=$2; shift 3
  local log; log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" >/dev/null 2>&1
  echo "$label $(cat "$log")" >> "$results"
  rm -f "$log"
}

echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(hugo version | cut -d' ' -f1-2); trustpress $($TRUSTPRESS --version | cut -d' ' -f2)"
echo
for size in $SIZES; do
  corpus=$WORK/corpus-$size
  [ -d "$corpus" ] || python3 bench/generate.py "$size" "$corpus" >/dev/null
  results=$WORK/results-$size.txt
  : > "$results"
  for run in $(seq "$RUNS"); do
    rm -rf "$WORK/out-tp" "$WORK/out-hugo" "$corpus/hugo/public" "$corpus/hugo/resources"
    # The internal edition: every policy gets a page, as every page does in Hugo.
    measure trustpress "$results" -- "$TRUSTPRESS" build --content "$corpus/content" --out "$WORK/out-tp" \
      --audience internal --today 2026-11-21
    measure hugo "$results" -- hugo --quiet --source "$corpus/hugo" --destination "$WORK/out-hugo"
  done
  echo "size=$size $(python3 bench/stats.py "$results")"
done

# The example ISMS, and check on the largest corpus.
results=$WORK/results-small.txt
: > "$results"
largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/out-example"
  measure example "$results" -- "$TRUSTPRESS" build --content content --out "$WORK/out-example" --today 2026-11-21
  measure check "$results" -- "$TRUSTPRESS" check --content "$WORK/corpus-$largest/content" --today 2026-11-21
done
echo "small $(python3 bench/stats.py "$results")"
echo "work folder: $WORK"
