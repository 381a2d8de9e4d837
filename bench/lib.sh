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

# prepare: installs Hugo and GNU time from Debian when missing, and builds trustpress in
# release mode; TRUSTPRESS is then its path. A TRUSTPRESS already set names the binary to
# measure instead (one built earlier, say, to compare two commits): nothing is built.
prepare() {
  local need=()
  command -v hugo >/dev/null || need+=(hugo)
  [ -x /usr/bin/time ] || need+=(time)
  if ((${#need[@]})); then
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
  fi
  if [ -n "${TRUSTPRESS:-}" ]; then
    TRUSTPRESS=$(realpath "$TRUSTPRESS")
    return
  fi
  cargo build --release --locked -q
  TRUSTPRESS=${CARGO_TARGET_DIR:-$PWD/target}/release/trustpress
}
