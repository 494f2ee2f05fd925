#!/usr/bin/env bash
# cli-startup.sh [-n RUNS] [--installed PATH] - start-up time of the `openum` CLI: the installed binary
# (the Debian package's self-contained ReadyToRun build, default /usr/bin/openum) beside
# `dotnet run --no-build --project src/OpenUM.Cli --`, in one run, on the same throwaway data directory
# (one dial plan, three gateways). Two commands each: `gateway get` and the completion query the shell
# scripts send on TAB (`openum "[suggest:N]" "openum mailboxp"`). Prints median and min wall time per
# side and command, and the load average before each side. Build first: dotnet build OpenUM.slnx -c Release.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=20
installed=/usr/bin/openum
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs="$2"; shift 2 ;;
    --installed) installed="$2"; shift 2 ;;
    *) echo "usage: $0 [-n RUNS] [--installed PATH]" >&2; exit 2 ;;
  esac
done
[ -x "$installed" ] || { echo "no executable $installed: install the package (packaging/build-deb.sh) or give --installed" >&2; exit 1; }
data="$(mktemp -d)"; trap 'rm -rf "$data"' EXIT
"$installed" --data-dir "$data" dialplan new --name Bench --number-of-digits-in-extension 4 >/dev/null
for i in 1 2 3; do
  "$installed" --data-dir "$data" gateway new --name "gw$i" --address "192.0.2.$i" --dial-plan Bench >/dev/null
done
line="openum mailboxp"

# time_runs LABEL CMD...: RUNS timed runs (after one untimed warm-up for the file cache); prints median and min in ms.
time_runs() {
  local label="$1"; shift
  "$@" >/dev/null 2>&1
  local times=()
  for _ in $(seq "$runs"); do
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s%N)
    times+=($(( (t1 - t0) / 1000000 )))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v label="$label" -v n="$runs" \
    '{ a[NR] = $1 } END { m = (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2; printf "%-44s median_ms=%-6s min_ms=%s\n", label, m, a[1] }'
}

echo "runs=$runs installed=$installed cores=$(nproc)"
echo "load before installed: $(cut -d' ' -f1-3 /proc/loadavg)"
time_runs "installed gateway get" "$installed" --data-dir "$data" gateway get
time_runs "installed [suggest] completion" "$installed" "[suggest:${#line}]" "$line"
echo "load before dotnet run: $(cut -d' ' -f1-3 /proc/loadavg)"
run=(dotnet run --no-build -c Release --project src/OpenUM.Cli --)
time_runs "dotnet run gateway get" "${run[@]}" --data-dir "$data" gateway get
time_runs "dotnet run [suggest] completion" "${run[@]}" "[suggest:${#line}]" "$line"
