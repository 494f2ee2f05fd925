#!/usr/bin/env bash
# before-after.sh - the same SIPp load against OpenUM built from an older commit and from this tree, alternating
# in one window, so that a change's cost per call is measured against what it replaced.
#
# Usage: bench/sipp/before-after.sh BEFORE_REV [ROUNDS] [RATE] [DURATION_S] [MODE] [LIMIT]
#   BEFORE_REV  the commit to compare with (built in a temporary git worktree, removed at the end)
#   ROUNDS      before/after pairs, default 3; the order alternates so neither side always runs first
#   RATE, DURATION_S, MODE, LIMIT  as for calls-per-second.sh; defaults 1000 20 t1 200
# Before each run it waits for TIME_WAIT sockets to drain (as side-by-side.sh) and for the 1-minute load average to
# fall below 1.0 (at most 3 min; the load is printed either way). Prints each BENCH line, then
#   CPU_PER_CALL side=before|after ms=..   server CPU time / successful calls, per run
#   SUMMARY side=.. runs=.. median_ms=.. min_ms=.. max_ms=..
set -u
[ $# -ge 1 ] || { sed -n '2,14p' "$0"; exit 2; }
before_rev="$1" rounds="${2:-3}" rate="${3:-1000}" dur="${4:-20}" mode="${5:-t1}" limit="${6:-200}"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
cleanup() { git -C "$repo" worktree remove --force "$work/before-tree" > /dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT

git -C "$repo" worktree add --detach "$work/before-tree" "$before_rev" > /dev/null 2>&1 \
  || { echo "cannot check out $before_rev" >&2; exit 1; }
build() {
  dotnet build "$1/src/OpenUM.Cli" -c Release --artifacts-path "$2" -nologo -v q > "$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; exit 1; }
  ls "$2"/bin/OpenUM.Cli/release*/openum.dll | head -1
}
before_dll="$(build "$work/before-tree" "$work/art-before")" || exit 1
after_dll="$(build "$repo" "$work/art-after")" || exit 1
dotnet build-server shutdown > /dev/null 2>&1

drain() { for _ in $(seq 1 75); do [ "$(ss -Htn state time-wait | wc -l)" -lt 500 ] && return; sleep 1; done; }
quiet() { for _ in $(seq 1 36); do awk '{ exit !($1 < 1.0) }' /proc/loadavg && return; sleep 5; done; }
echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" before=$(git -C "$repo" rev-parse --short "$before_rev") after=$(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet || echo +changes)"
for round in $(seq 1 "$rounds"); do
  order="before after"; [ $((round % 2)) -eq 0 ] && order="after before"
  for side in $order; do
    dll="$before_dll"; [ "$side" = after ] && dll="$after_dll"
    drain; quiet
    echo "RUN side=$side round=$round loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
    OPENUM_DLL="$dll" "$here/calls-per-second.sh" "$rate" "$dur" "$mode" "$limit" | tee "$work/run.txt"
    awk -v side="$side" '/^BENCH/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      gsub(/%/, "", v["server_cpu"]); gsub(/s$/, "", v["elapsed"])
      if (v["ok"] > 0) printf "CPU_PER_CALL side=%s ms=%.3f\n", side, v["server_cpu"] / 100 * v["elapsed"] * 1000 / v["ok"] }' \
      "$work/run.txt" | tee -a "$work/cpu.txt"
  done
done
for side in before after; do
  sed -n "s/^CPU_PER_CALL side=$side ms=//p" "$work/cpu.txt" | sort -n | awk -v side="$side" '
    { x[NR] = $1 } END { if (NR == 0) { print "SUMMARY side=" side " runs=0"; exit }
      m = (NR % 2) ? x[(NR + 1) / 2] : (x[NR / 2] + x[NR / 2 + 1]) / 2
      printf "SUMMARY side=%s runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f\n", side, NR, m, x[1], x[NR] }'
done
