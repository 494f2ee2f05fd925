#!/usr/bin/env bash
# per-call-counts.sh - what one call costs OpenUM in counts that do not depend on the machine's load: bytes allocated,
# exceptions thrown, thread-pool work items and lock contentions, per completed call, on one persistent mutual-TLS
# connection (tls-side-by-side.sh, OpenUM only).
#
# Usage: bench/sipp/per-call-counts.sh [DURATION_S] [RATE] [LIMIT]      defaults 10 1000 200
# Environment: OPENUM_DLL (the build to measure; as tls-side-by-side.sh), COUNTERS_CSV (keep the raw counters there).
# Needs dotnet-counters (dotnet tool install -g dotnet-counters) besides what tls-side-by-side.sh needs.
# dotnet-counters samples System.Runtime every second from before the warm-up on; the increments whose timestamps fall
# between the START and END lines (the warm-up comes before START) are summed and divided by the calls completed.
# Prints the TLSBENCH line of the run, then
#   PER_CALL calls=.. kb_allocated=.. exceptions=.. work_items=.. lock_contentions=.. gc_per_1000_calls=G0/G1/G2
#            gc_pause_us_per_call=.. jit_us_per_call=.. load1=..
# (collections by generation per 1,000 calls; the GC's pauses and the JIT's time are wall time, so they grow with the
# machine's load, unlike the counts.)
set -u
dur="${1:-10}" rate="${2:-1000}" limit="${3:-200}"
here="$(cd "$(dirname "$0")" && pwd)"
counters="$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")"
[ -x "$counters" ] || { echo "dotnet-counters missing: dotnet tool install -g dotnet-counters" >&2; exit 1; }
work="$(mktemp -d -t openum-percall.XXXXXX)"
cpid=""
trap '[ -n "$cpid" ] && kill "$cpid" 2>/dev/null; wait 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$work"' EXIT
csv="${COUNTERS_CSV:-$work/counters.csv}"

. "$here/openum-under-load.sh"
start_openum_load "$dur" "$rate:t1:$limit" "$work/bench.out"
# Attached once the server answers TLS (the HANDSHAKE line, before the warm-up); retried while it fails at once.
for _ in $(seq 1 600); do grep -q '^HANDSHAKE target=openum' "$work/bench.out" && break; sleep 0.2; done
for _ in 1 2 3 4 5; do
  "$counters" collect -p "$pid" --counters System.Runtime --refresh-interval 1 --format csv -o "$csv" > "$work/counters.log" 2>&1 &
  cpid=$!
  sleep 3
  kill -0 "$cpid" 2>/dev/null && break
  cpid=""
done
[ -n "$cpid" ] || { echo "dotnet-counters could not attach:" >&2; head -5 "$work/counters.log" >&2; exit 1; }
# Stopped at the END line, while the server still runs (dotnet-counters fails when its process is gone).
for _ in $(seq 1 3000); do grep -q "^END " "$work/bench.out" && break; kill -0 "$bench" 2>/dev/null || break; sleep 0.2; done
kill -TERM "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null; cpid=""
wait "$bench"
grep -E '^(TLSBENCH|START|END)' "$work/bench.out"
line="$(grep '^TLSBENCH' "$work/bench.out" | head -1)"
ok="$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$line")"
load1="$(sed -n 's/.* load1=\([0-9.]*\).*/\1/p' <<< "$line")"
from="$(sed -n 's/^START \([^ ]*\).*/\1/p' "$work/bench.out")"
to="$(sed -n 's/^END \([^ ]*\).*/\1/p' "$work/bench.out")"
[ -n "$ok" ] && [ "$ok" -gt 0 ] && [ -s "$csv" ] || { echo "no calls or no counters:" >&2; cat "$work/bench.out" "$work/counters.log" >&2; exit 1; }
# The CSV's timestamps are local time, month/day/year: turned into epoch seconds to compare with START/END (UTC).
python3 - "$csv" "$from" "$to" "$ok" "$load1" <<'EOF'
import csv, sys, datetime as dt
path, start, end, ok, load1 = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
utc = lambda s: dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc).timestamp()
t0, t1 = utc(start), utc(end)
sums = {}
with open(path) as f:
    for row in csv.DictReader(f):
        ts = dt.datetime.strptime(row["Timestamp"], "%m/%d/%Y %H:%M:%S").astimezone().timestamp()
        if t0 < ts <= t1 + 1 and row.get("Counter Type") == "Rate":
            name = row["Counter Name"]
            sums[name] = sums.get(name, 0.0) + float(row["Mean/Increment"] or 0)
def get(*keys):  # summed over the counter's tags (dotnet.exceptions has one per exception type)
    for k in keys:
        found = [v for name, v in sums.items() if name.startswith(k)]
        if found: return sum(found)
    return float("nan")
alloc = get("dotnet.gc.heap.total_allocated", "Allocation Rate")
exc = get("dotnet.exceptions", "Exception Count")
items = get("dotnet.thread_pool.work_item.count", "ThreadPool Completed Work Item Count")
locks = get("dotnet.monitor.lock_contentions", "Monitor Lock Contention Count")
gcs = [get(f"dotnet.gc.collections ({{collection}} / 1 sec)[gc.heap.generation=gen{g}]") for g in range(3)]
pause = get("dotnet.gc.pause.time")
jit = get("dotnet.jit.compilation.time")
print(f"PER_CALL calls={ok} kb_allocated={alloc / ok / 1024:.1f} exceptions={exc / ok:.2f} work_items={items / ok:.2f} "
      f"lock_contentions={locks / ok:.3f} gc_per_1000_calls={'/'.join(f'{1000 * g / ok:.2f}' for g in gcs)} "
      f"gc_pause_us_per_call={1e6 * pause / ok:.1f} jit_us_per_call={1e6 * jit / ok:.1f} load1={load1}")
EOF
