# openum-under-load.sh - sourced by per-call-counts.sh and work-item-sources.sh: start_openum_load DURATION_S SPEC OUT
# starts `TARGETS=openum tls-side-by-side.sh DURATION_S SPEC` in the background, its output in OUT, and returns once
# the server runs: $bench is the script's PID, $pid the server's (from its SETUP line). Exits when there is none.
# DOTNET_TC_BackgroundWorkerTimeoutMs is set here as `openum serve` would set it by re-executing itself
# (src/OpenUM.Cli/ResidentTiering.cs): the re-executed runtime's diagnostics socket has the old one's name, and a
# diagnostics tool may find the stale one first.
start_openum_load() {
  local dur="$1" spec="$2" out="$3"
  DOTNET_TC_BackgroundWorkerTimeoutMs=FFFFFFFF TARGETS=openum "$(dirname "${BASH_SOURCE[0]}")/tls-side-by-side.sh" "$dur" "$spec" > "$out" 2>&1 &
  bench=$!
  pid=""
  for _ in $(seq 1 900); do
    pid="$(sed -n 's/^SETUP openum=[^(]*(pid \([0-9]*\)).*/\1/p' "$out")"
    [ -n "$pid" ] && return 0
    kill -0 "$bench" 2>/dev/null || { cat "$out" >&2; exit 1; }
    sleep 0.2
  done
  echo "no SETUP line" >&2
  exit 1
}
