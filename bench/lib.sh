# Shared by bench/run.sh and bench/compare.sh (sourced, not run).

# measure LABEL OUTFILE -- COMMAND...: one run, appends "label wall_seconds peak_kb". The wall
# time is taken around /usr/bin/time (whose own clock has 10 ms steps), to the millisecond.
measure() {
  local label=$1 results=$2; shift 3
  local log; log=$(mktemp)
  local start=$EPOCHREALTIME
  /usr/bin/time -f "%M" -o "$log" "$@" >/dev/null 2>&1
  local end=$EPOCHREALTIME
  echo "$label $(awk "BEGIN { printf \"%.4f\", $end - $start }") $(cat "$log")" >> "$results"
  rm -f "$log"
}
