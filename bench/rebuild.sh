#!/usr/bin/env bash
# Issue 22's four speed targets in one run: trustpress against Hugo on the same generated
# ISMS, alternating, RUNS times each. A cold build into a fresh folder, a rebuild into the
# same folder (as a user does on every build) with nothing changed and with one policy
# edited, and the example ISMS rebuilt in place.
#
#   bash bench/rebuild.sh                  # 10,000 policies, 5 runs
#   RUNS=3 SIZE=1000 bash bench/rebuild.sh
#
# Each tool first builds its output once; then, alternately and after `sync`, each rebuilds
# into that same folder with nothing changed, then with one policy edited (the same file in
# both tools' content). Also the example ISMS rebuilt in place. Prints the medians, min–max
# and the ratio, for docs/PERFORMANCE.md. Installs Hugo and GNU time from Debian if missing.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
SIZE=${SIZE:-10000}
WORK=${WORK:-$(mktemp -d)}

. bench/lib.sh
prepare

corpus=$WORK/corpus-$SIZE
stamp=$(sha256sum bench/generate.py | cut -d' ' -f1)
if [ "$(cat "$corpus/GENERATOR" 2>/dev/null)" != "$stamp" ]; then
  python3 bench/generate.py "$SIZE" "$corpus" >/dev/null
  echo "$stamp" > "$corpus/GENERATOR"
fi
echo "machine: $(nproc) cores; $(hugo version | cut -d' ' -f1-2); trustpress $($TRUSTPRESS --version | cut -d' ' -f2); $SIZE policies"

tp=("$TRUSTPRESS" build --content "$corpus/content" --out "$WORK/tp" --audience internal --today 2026-11-21)
hugo=(hugo --quiet --source "$corpus/hugo" --destination "$WORK/hugo")
"${tp[@]}" >/dev/null 2>&1
"${hugo[@]}" >/dev/null

# The first policy of each tool's content, edited in every run.
tp_policy=$(find "$corpus/content/policies" -name '*.md' | sort | sed -n 1p)
hugo_policy=$(find "$corpus/hugo/content/policies" -name 'policy-*.md' | sort | sed -n 1p)
cp "$tp_policy" "$WORK/tp-policy.md"
cp "$hugo_policy" "$WORK/hugo-policy.md"

unchanged=$WORK/unchanged.txt; edited=$WORK/edited.txt; example=$WORK/example.txt; cold=$WORK/cold.txt
: > "$unchanged"; : > "$edited"; : > "$example"; : > "$cold"
# A cold build writes into a folder no run has used: deleting the previous run's 10,000
# folders just before would leave the file system busy freeing them during the next.
cold_out() { echo "$WORK/cold-$1-$2"; }
"$TRUSTPRESS" build --content content --out "$WORK/example" --today 2026-11-21 >/dev/null 2>&1
for run in $(seq "$RUNS"); do
  sync; measure trustpress "$unchanged" -- "${tp[@]}"
  sync; measure hugo "$unchanged" -- "${hugo[@]}"
  printf '\nEdited in run %s.\n' "$run" >> "$tp_policy"
  printf '\nEdited in run %s.\n' "$run" >> "$hugo_policy"
  sync; measure trustpress "$edited" -- "${tp[@]}"
  sync; measure hugo "$edited" -- "${hugo[@]}"
  measure example "$example" -- "$TRUSTPRESS" build --content content --out "$WORK/example" --today 2026-11-21
  sync; measure trustpress "$cold" -- "$TRUSTPRESS" build --content "$corpus/content" --out "$(cold_out tp "$run")" --audience internal --today 2026-11-21
  sync; measure hugo "$cold" -- hugo --quiet --source "$corpus/hugo" --destination "$(cold_out hugo "$run")"
done
cp "$WORK/tp-policy.md" "$tp_policy"
cp "$WORK/hugo-policy.md" "$hugo_policy"
echo "nothing changed: $(python3 bench/stats.py "$unchanged")"
echo "one policy edited: $(python3 bench/stats.py "$edited")"
echo "example in place: $(python3 bench/stats.py "$example")"
echo "cold, into a fresh folder: $(python3 bench/stats.py "$cold")"
rm -rf "$WORK/tp" "$WORK/hugo" "$WORK/example" "$WORK"/cold-*
echo "work folder: $WORK"
