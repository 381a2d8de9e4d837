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
#
# Nothing is deleted while the clock runs. Every run writes into a folder of its own, and
# all of them are removed at the end: on ext4 without a journal (this machine's disk),
# creating files within a minute of deleting tens of thousands makes the kernel skip over
# every recently deleted inode, which costs whichever tool runs next seconds of system
# time. Each run starts after `sync`, so neither tool pays for the other's writeback.
# WORK=/dev/shm/… measures both tools on a RAM disk, without the disk at all.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZES=${SIZES:-"100 1000 10000"}
WORK=${WORK:-$(mktemp -d)}
rm -rf "$WORK/runs"

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
  # A corpus is made again when the generator changed since it was made.
  stamp=$(sha256sum bench/generate.py | cut -d' ' -f1)
  if [ "$(cat "$corpus/GENERATOR" 2>/dev/null)" != "$stamp" ]; then
    python3 bench/generate.py "$size" "$corpus" >/dev/null
    echo "$stamp" > "$corpus/GENERATOR"
  fi
  results=$WORK/results-$size.txt
  : > "$results"
  for run in $(seq "$RUNS"); do
    rm -rf "$corpus/hugo/public" "$corpus/hugo/resources"
    sync
    # The internal edition: every policy gets a page, as every page does in Hugo.
    measure trustpress "$results" -- "$TRUSTPRESS" build --content "$corpus/content" \
      --out "$WORK/runs/tp-$size-$run" --audience internal --today 2026-11-21
    sync
    measure hugo "$results" -- hugo --quiet --source "$corpus/hugo" --destination "$WORK/runs/hugo-$size-$run"
  done
  echo "size=$size $(python3 bench/stats.py "$results")"
done

# The example ISMS, and check on the largest corpus.
results=$WORK/results-small.txt
: > "$results"
largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
for run in $(seq "$RUNS"); do
  sync
  measure example "$results" -- "$TRUSTPRESS" build --content content --out "$WORK/runs/example-$run" --today 2026-11-21
  measure check "$results" -- "$TRUSTPRESS" check --content "$WORK/corpus-$largest/content" --today 2026-11-21
done
echo "small $(python3 bench/stats.py "$results")"
rm -rf "$WORK/runs"
echo "work folder: $WORK"
