#!/usr/bin/env bash
# `trustpress answer` timed on synthetic libraries and questionnaires: 300 questions against
# 200 answers, and 5,000 questions against 10,000 answers. Median of RUNS runs, with peak
# memory. Builds trustpress in release mode first.
#
#   bash bench/answer.sh            # RUNS=5
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
WORK=${WORK:-$(mktemp -d)}
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
cargo build --release --locked -q
TRUSTPRESS=${CARGO_TARGET_DIR:-$PWD/target}/release/trustpress
for size in "200 300" "10000 5000"; do
  set -- $size
  corpus=$WORK/answers-$1-$2
  python3 bench/answer_corpus.py "$1" "$2" "$corpus"
  times=()
  for run in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$TRUSTPRESS" answer "$corpus/questions.csv" \
      --content "$corpus/content" --out "$WORK/filled-$run.csv" --today 2026-11-21 --force >/dev/null
    times+=("$(cat "$WORK/time")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v a="$1" -v q="$2" -v runs="$RUNS" \
    '{t[NR]=$1; if ($2 > m) m=$2} END {printf "%s questions against %s answers: median %.3f s (min %.3f, max %.3f), peak RSS %.0f MiB\n", q, a, t[int((runs+1)/2)], t[1], t[runs], m/1024}'
done
