#!/usr/bin/env bash
# The questionnaire page at 10,000 policies (issue 22): the bytes of its first load and the
# time to a search's first results, in Chromium (bench/search_page.mjs). Installs what it
# needs as the test script does (Chromium, the browser suite's npm packages).
#
#   bash bench/search_page.sh [SIZE]        # default 10000
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-10000}
cargo build --release --locked -q
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if ! [ -x "$chromium" ] || ! command -v node >/dev/null; then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium nodejs npm >/dev/null
fi
if ! [ tests/browser/node_modules/.package-lock.json -nt tests/browser/package-lock.json ]; then
  (cd tests/browser && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
corpus=${TMPDIR:-/tmp}/trustpress-search-$SIZE
[ -d "$corpus/content" ] || python3 bench/generate.py "$SIZE" "$corpus" >/dev/null
site=$(mktemp -d)
trap 'rm -rf "$site"' EXIT
target/release/trustpress build --content "$corpus/content" --out "$site/public" --audience public --today 2026-11-21 >/dev/null 2>&1
echo "search/index.html: $(($(stat -c %s "$site/public/search/index.html") / 1024)) KB; index files: $(ls "$site/public/search/index" | wc -l), $(($(cat "$site/public/search/index/"* | wc -c) / 1024)) KB in all"
CHROMIUM_PATH=$chromium node bench/search_page.mjs "$site/public"
