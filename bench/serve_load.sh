#!/usr/bin/env bash
# Load test of `trustpress serve` (issue 22; a benchmark, not a test): for SECONDS (30), 50
# clients request every page of the site in turn, each request on a new connection, while 20
# live-reload streams stay open and a policy is edited every second. Reports failed requests,
# latency p50/p99/max, and whether every edit reached every open stream. Everything binds to
# 127.0.0.1 and stops by itself. Results are recorded in docs/PERFORMANCE.md.
#
#   bench/serve_load.sh
#   SECONDS_LOAD=10 CONNECTIONS=20 STREAMS=5 bench/serve_load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --locked --bin trustpress --example serve_bench
echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
./target/release/examples/serve_bench --load --seconds "${SECONDS_LOAD:-30}" \
  --connections "${CONNECTIONS:-50}" --streams "${STREAMS:-20}" --policies "${POLICIES:-15}"
