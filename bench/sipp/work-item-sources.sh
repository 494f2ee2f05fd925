#!/usr/bin/env bash
# work-item-sources.sh - which code queues OpenUM's thread-pool work items during the persistent-TLS call load of
# per-call-counts.sh: every enqueue of the pool, grouped by the stack that queued it (bench/WorkItemSources).
#
# Usage: bench/sipp/work-item-sources.sh [RATE] [TRACE_S] [DEPTH]      defaults 1000 5 7
# Environment: OPENUM_DLL (the build to trace; as tls-side-by-side.sh), KEEP=1 (keep the trace in the work dir).
# Needs dotnet-trace (dotnet tool install -g dotnet-trace) besides what tls-side-by-side.sh needs.
# SIPp offers RATE calls/s for TRACE_S+10 s; dotnet-trace records the pool's enqueue events (FrameworkEventSource,
# keywords ThreadPool|ThreadTransfer, with stacks) for TRACE_S seconds from 3 s after START. The per-call figures divide
# by RATE x TRACE_S, the calls offered in that window (the TLSBENCH line shows whether the server kept up).
set -u
rate="${1:-1000}" secs="${2:-5}" depth="${3:-7}"
here="$(cd "$(dirname "$0")" && pwd)"
tracer="$(command -v dotnet-trace || echo "$HOME/.dotnet/tools/dotnet-trace")"
[ -x "$tracer" ] || { echo "dotnet-trace missing: dotnet tool install -g dotnet-trace" >&2; exit 1; }
work="$(mktemp -d -t openum-workitems.XXXXXX)"
trap 'kill "${bench:-}" 2>/dev/null; wait 2>/dev/null; [ "${KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"' EXIT
dotnet build "$here/../WorkItemSources" -c Release --artifacts-path "$work/tool" -nologo -v quiet > "$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; exit 1; }

. "$here/openum-under-load.sh"
start_openum_load "$((secs + 10))" "$rate:t1:200" "$work/bench.out"
for _ in $(seq 1 1500); do grep -q '^START ' "$work/bench.out" && break; kill -0 "$bench" 2>/dev/null || break; sleep 0.2; done
grep -q '^START ' "$work/bench.out" || { cat "$work/bench.out" >&2; exit 1; }
sleep 3
"$tracer" collect -p "$pid" --providers 'System.Diagnostics.Eventing.FrameworkEventSource:0x12:5' \
  --duration "00:00:00:$(printf '%02d' "$secs")" -o "$work/trace.nettrace" > "$work/trace.log" 2>&1 ||
  { cat "$work/trace.log" >&2; exit 1; }
wait "$bench"; bench=""
grep '^TLSBENCH' "$work/bench.out"
dotnet "$work/tool/bin/WorkItemSources/release/work-item-sources.dll" "$work/trace.nettrace" "$((rate * secs))" "$depth"
