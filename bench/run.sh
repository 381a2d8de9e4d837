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
# example ISMS and `trustpress check` on the largest corpus, without and with its cache
# (kept in the work folder, not in your home folder). Results go to stdout as a
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

. bench/lib.sh
prepare

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

# The example ISMS, and check on the largest corpus: cold (--no-cache: every file read and
# parsed), warm (the cache filled by an earlier check, nothing changed) and with one policy
# just edited (that file parsed again, the rest from the cache).
results=$WORK/results-small.txt
: > "$results"
largest=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
checked=$WORK/corpus-$largest/content
edited=$(find "$checked/policies" -name '*.md' | sort | sed -n 1p)
cp "$edited" "$WORK/edited.md"
export TRUSTPRESS_CACHE_DIR=$WORK/cache
rm -rf "$TRUSTPRESS_CACHE_DIR"
check=("$TRUSTPRESS" check --content "$checked" --today 2026-11-21)
"${check[@]}" >/dev/null
for run in $(seq "$RUNS"); do
  sync
  measure example "$results" -- "$TRUSTPRESS" build --content content --out "$WORK/runs/example-$run" --today 2026-11-21
  measure check-cold "$results" -- "${check[@]}" --no-cache
  measure check-warm "$results" -- "${check[@]}"
  printf '\nEdited in run %s.\n' "$run" >> "$edited"
  measure check-one-edited "$results" -- "${check[@]}"
done
cp "$WORK/edited.md" "$edited"
echo "small $(python3 bench/stats.py "$results")"
rm -rf "$WORK/runs"
echo "work folder: $WORK"
