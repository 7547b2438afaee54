#!/usr/bin/env bash
# Compares two metrics.csv files (same columns, same rows) within a relative
# tolerance, ignoring timing columns: for checking that two backends give the
# same fit.   tests/compare_metrics.sh A.csv B.csv [rtol=1e-5]
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 A.csv B.csv [rtol]" >&2; exit 2; }
[ "$(wc -l < "$1")" -eq "$(wc -l < "$2")" ] || { echo "row counts differ" >&2; exit 1; }
paste -d'\n' "$1" "$2" | awk -F, -v rtol="${3:-1e-5}" '
  NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; header = $0; next }
  NR == 2 { if ($0 != header) { print "headers differ"; bad = 1 } next }
  NR % 2 == 1 { split($0, a, ","); next }
  {
    for (i = 1; i <= NF; i++) {
      if (name[i] == "seconds" || name[i] == "samples_per_s" || a[i] == $i) continue
      d = a[i] - $i; if (d < 0) d = -d
      s = a[i]; if (s < 0) s = -s
      if (d > rtol * s) { printf "row %d %s: %s vs %s\n", NR / 2 - 1, name[i], a[i], $i; bad = 1 }
    }
  }
  END { if (bad) exit 1; print "metrics agree within rtol " rtol }'
