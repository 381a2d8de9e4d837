#!/usr/bin/env bash
# Benchmark of `trustpress serve` (not a test): the time from writing a one-policy edit to
# the reload event on the live-reload stream, on the example content and on a generated
# corpus of 10,000 policies. Prints median, min and max over RUNS runs (default 15) and
# where the server spent its time. Results are recorded in docs/PERFORMANCE.md.
#
#   bench/serve.sh            # both corpora
#   RUNS=31 bench/serve.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${RUNS:-15}"
cargo build --release --locked --bin trustpress --example serve_bench
echo "machine: $(nproc) cores, $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
./target/release/examples/serve_bench --runs "$runs"
./target/release/examples/serve_bench --policies 10000 --runs "$runs"
