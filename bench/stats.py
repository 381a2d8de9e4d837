#!/usr/bin/env python3
"""Summarise `label seconds peak_kb` lines: median and min-max per label, ratio, peak RSS."""
import statistics
import sys

runs = {}
for line in open(sys.argv[1]):
    label, seconds, kb = line.split()
    runs.setdefault(label, []).append((float(seconds), int(kb)))

parts = []
for label, values in runs.items():
    times = sorted(t for t, _ in values)
    peak = max(kb for _, kb in values) / 1024
    parts.append(f"{label}: median {statistics.median(times):.3f} s (min {times[0]:.3f}, max {times[-1]:.3f}), peak RSS {peak:.0f} MiB")
if "trustpress" in runs and "hugo" in runs:
    ratio = statistics.median(t for t, _ in runs["trustpress"]) / statistics.median(t for t, _ in runs["hugo"])
    parts.append(f"ratio trustpress/hugo {ratio:.2f}")
print(" | ".join(parts))
