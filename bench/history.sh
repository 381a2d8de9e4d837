#!/usr/bin/env bash
# What git history costs a build: the example ISMS grown to POLICIES policies with COMMITS
# commits of history (bench/history_repo.py), built alternately, RUNS times each, as:
#   - without git (the same files, copied out of the repository): the baseline;
#   - with history, first read (its cache emptied before each run);
#   - with history, read again (cached by commit: what every later build pays);
#   - with history, after one new commit (read on from the cached tip's history);
#   - --at HEAD (exported from the object store, history cached).
# Each is rebuilt in place (its own output folder, built once first), as a user rebuilds;
# then the baseline and the cached history also build into a fresh folder (cold), where the
# history's own pages ("what changed") are written too. Prints the medians and each against
# its baseline, for docs/PERFORMANCE.md.
#
#   bash bench/history.sh                        # 200 policies, 2,000 commits, 7 runs
#   RUNS=3 POLICIES=50 COMMITS=500 bash bench/history.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-7}
POLICIES=${POLICIES:-200}
COMMITS=${COMMITS:-2000}
WORK=${WORK:-$(mktemp -d)}

. bench/lib.sh
prepare

python3 bench/history_repo.py "$WORK/repo" "$POLICIES" "$COMMITS"
rm -rf "$WORK/plain" && mkdir -p "$WORK/plain" && cp -r "$WORK/repo/content" "$WORK/plain/content"
export TRUSTPRESS_CACHE_DIR=$WORK/cache
echo "machine: $(nproc) cores; trustpress $($TRUSTPRESS --version | cut -d' ' -f2); $POLICIES policies, $COMMITS commits"

build=("$TRUSTPRESS" build --today 2026-11-21 --audience internal)
results=$WORK/history.txt; : > "$results"
# Rebuilt in place (what a user does every time): each kind into its own folder, built once first.
for kind in plain first cached at; do rm -rf "$WORK/out-$kind"; done
"${build[@]}" --content "$WORK/plain/content" --out "$WORK/out-plain" >/dev/null 2>&1
"${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-first" >/dev/null 2>&1
"${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-cached" >/dev/null 2>&1
"${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-at" --at HEAD >/dev/null 2>&1
for run in $(seq "$RUNS"); do
  measure no-git "$results" -- "${build[@]}" --content "$WORK/plain/content" --out "$WORK/out-plain"
  # Only the history's cache: each output's record of its pages stays, as on a user's machine.
  rm -f "$WORK"/cache/history-*
  measure history-first-read "$results" -- "${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-first"
  measure history-cached "$results" -- "${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-cached"
  # A new commit on top (empty: the same files): its history is read on from the cached tip's.
  git -C "$WORK/repo" -c user.name=Bench -c user.email=bench@example.org commit -q --allow-empty -m "bench run $run"
  measure history-new-commit "$results" -- "${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-cached"
  measure at-head "$results" -- "${build[@]}" --content "$WORK/repo/content" --out "$WORK/out-at" --at HEAD
  # Into a fresh folder: every page written, the history's pages included.
  rm -rf "$WORK"/cold-*
  measure cold-no-git "$results" -- "${build[@]}" --content "$WORK/plain/content" --out "$WORK/cold-plain"
  measure cold-history-cached "$results" -- "${build[@]}" --content "$WORK/repo/content" --out "$WORK/cold-cached"
done
python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, seconds, _ = line.split()
    runs.setdefault(label, []).append(float(seconds))
for label, times in runs.items():
    base = statistics.median(runs["cold-no-git" if label.startswith("cold") else "no-git"])
    median = statistics.median(times)
    print(f"{label:20} median {median * 1000:6.0f} ms (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})  {median / base:.2f}x its no-git")
PY
rm -rf "$WORK"/out-* "$WORK"/cold-*
echo "work folder: $WORK"
