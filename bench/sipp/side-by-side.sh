#!/usr/bin/env bash
# side-by-side.sh - OpenUM and the Kamailio reference under the same SIPp load, in one run.
#
# Usage: bench/sipp/side-by-side.sh DURATION_S RATE:MODE:LIMIT[:DURATION_S]...
#   e.g. side-by-side.sh 20 1000:t1:200 3000:t1:200 10000:t1:200:5 500:tn:50
# For each spec (its own DURATION_S overrides the first argument) it runs calls-per-second.sh against OpenUM, then with --reference kamailio
# (same scenario, same SIPp flags), and prints both BENCH lines. OpenUM is built once (Release, into
# $BENCH_ARTIFACTS, default /tmp/openum-bench-artifacts) unless OPENUM_DLL is set. Each run starts once
# fewer than 500 TCP sockets are in TIME_WAIT (at most 75 s wait). Prints the machine (nproc, CPU model)
# and the load average before and after.
set -u
[ $# -ge 2 ] || { sed -n '2,11p' "$0"; exit 2; }
dur="$1"; shift
here="$(cd "$(dirname "$0")" && pwd)"
if [ -z "${OPENUM_DLL:-}" ]; then
  art="${BENCH_ARTIFACTS:-/tmp/openum-bench-artifacts}"
  dotnet build "$here/../../src/OpenUM.Cli" -c Release --artifacts-path "$art" -nologo -v q > /dev/null 2>&1 \
    || { echo "build of src/OpenUM.Cli failed" >&2; exit 1; }
  OPENUM_DLL="$(ls "$art"/bin/OpenUM.Cli/release*/openum.dll | head -1)"
fi
export OPENUM_DLL
echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" kamailio=\"$(kamailio -v | sed -n 's/^version: //p')\" sipp=\"$(sipp -v 2>&1 | grep -o 'v[0-9][^ ]*' | head -1)\""
echo "START $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
# Client sockets closed by SIPp sit in TIME_WAIT for 60 s; with tn a run uses one client port per call, so a
# run must not inherit the previous run's TIME_WAIT sockets (it would run out of ephemeral ports first).
drain() { for _ in $(seq 1 75); do [ "$(ss -Htn state time-wait | wc -l)" -lt 500 ] && return; sleep 1; done; }
for spec in "$@"; do
  IFS=: read -r rate mode limit d <<< "$spec"
  drain; "$here/calls-per-second.sh" "$rate" "${d:-$dur}" "$mode" "$limit"
  drain; "$here/calls-per-second.sh" --reference kamailio "$rate" "${d:-$dur}" "$mode" "$limit"
done
echo "END $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
