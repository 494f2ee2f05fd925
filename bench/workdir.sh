# Sourced by the load scripts after their checks: ". bench/workdir.sh NAME" makes a private work directory ($work)
# and stops every process whose PID the script adds to $pids (TERM, then KILL after 15 s) and removes the directory
# when the script ends, however it ends; KEEP=1 keeps the directory for a look afterwards.
work="$(mktemp -d -t "openum-$1.XXXXXX")"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
