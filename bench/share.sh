#!/usr/bin/env bash
# What `trustpress share` costs on a huge PDF (issue 20): the example content with its SOC 2
# report replaced by a PDF of SIZE_MIB MiB (one image drawn on PAGES pages,
# bench/huge_pdf.py), shared RUNS times to an age recipient. Prints each run's wall time and
# peak memory (GNU time's maximum resident set size), for docs/PERFORMANCE.md.
#
#   bash bench/share.sh                      # 100 MiB, 3 pages, 3 runs
#   SIZE_MIB=400 RUNS=1 bash bench/share.sh
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
SIZE_MIB=${SIZE_MIB:-100}
PAGES=${PAGES:-3}
WORK=${WORK:-$(mktemp -d)}

. bench/lib.sh
prepare
command -v age-keygen >/dev/null || { echo "bench/share.sh needs age-keygen (apt-get install age)"; exit 1; }

rm -rf "$WORK/content" "$WORK/out" "$WORK/key.txt" && mkdir -p "$WORK/out"
cp -r content "$WORK/content"
python3 bench/huge_pdf.py "$SIZE_MIB" "$PAGES" "$WORK/content/documents/soc2-type2-report-2026.pdf"
age-keygen -o "$WORK/key.txt" 2>/dev/null
recipient=$(sed -n 's/^# public key: //p' "$WORK/key.txt")
echo "machine: $(nproc) cores; trustpress $($TRUSTPRESS --version | cut -d' ' -f2); PDF $(du -m "$WORK/content/documents/soc2-type2-report-2026.pdf" | cut -f1) MiB, $PAGES pages"
results=$(mktemp)
for run in $(seq "$RUNS"); do
  rm -f "$WORK/out/acme.zip.age" "$WORK/content/access/shares.yaml"
  measure "share" "$results" -- "$TRUSTPRESS" share --content "$WORK/content" --to "Jo Tester <security@acme.example>" \
    --recipient "$recipient" --documents DOC-SOC2-2026 --out "$WORK/out/acme.zip.age"
  [ -s "$WORK/out/acme.zip.age" ] || { echo "share made no package"; exit 1; }
done
awk '{ printf "run %d: %.2f s, peak %.1f MiB\n", NR, $2, $3 / 1024 }' "$results"
rm -f "$results"
