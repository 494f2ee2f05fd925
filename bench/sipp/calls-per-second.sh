#!/usr/bin/env bash
# calls-per-second.sh - SIPp load against a private `openum serve` on loopback: completed calls/s and
# the CPU used by SIPp and by the server.
#
# Usage: bench/sipp/calls-per-second.sh [--reference kamailio] [RATE] [DURATION_S] [MODE] [LIMIT] [PAUSE_MS]
#   --reference kamailio  run the same SIPp command against the reference instead of OpenUM: Kamailio as a
#               stateless UAS (bench/sipp/kamailio-reference.cfg) on 127.0.0.1 TCP, KAM_WORKERS TCP workers
#               (default: nproc). It answers INVITE with 200 + SDP, drops ACK, answers BYE 200; no
#               transactions, no dialog state, no RTP, no admission checks. Needs `kamailio` (Debian package).
#   RATE        offered calls per second (SIPp -r), default 100. Offer more than the server can take
#               to find its maximum: SIPp then runs up to LIMIT calls at once.
#   DURATION_S  offered load lasts this long: RATE*DURATION_S calls in total (-m), default 20.
#               SIPp is stopped at DURATION_S+15 s (-timeout); calls still open then count as failed.
#   MODE        t1 = all calls on one TCP connection (default), tn = a new TCP connection per call.
#   LIMIT       most simultaneous calls (SIPp -l), default 200 (server MaxCallsAllowed is set above it).
#               With tn keep it below the server's per-address connection limit (64 by default):
#               connections beyond it are reset and SIPp then aborts the whole run.
#   PAUSE_MS    time between ACK and BYE (SIPp -d), default 0: signalling only, the caller hangs up
#               during the greeting, so no recording or delivery happens.
# Environment:
#   OPENUM_DLL  openum.dll to run (default: built once, Release, into $BENCH_ARTIFACTS)
#   BENCH_ARTIFACTS  build output for that (default /tmp/openum-bench-artifacts)
#   KEEP=1      keep the work dir (data dir, server log, SIPp output)
# Output: one line
#   BENCH target=openum|kamailio load1=.. mode=.. offered=../s x ..s ok=.. failed=.. elapsed=..s cps=.. sipp_cpu=..% server_cpu=..% answered=..
#   cps = successful calls / wall time of the SIPp run; *_cpu = user+system time / wall time, in % of
#   ONE core (sipp: the shell's accounting of its finished child; server: /proc/PID/stat of the server
#   process and its child processes (Kamailio workers), before/after); load1 = 1-minute load average just
#   before the run; answered = CallAnswered (2002) events written by OpenUM during the run (n/a for Kamailio).
# Everything listens on 127.0.0.1 only; the script stops what it started (trap), also on Ctrl-C.
# Not a test: numbers depend on the machine; report them with the command line that produced them.
# Examples (2-core VM): `calls-per-second.sh 3000 10 t1` ~1,800 calls/s; `calls-per-second.sh 1000 10 tn 50`
# ~590 calls/s; both server-bound.
set -u
target=openum
if [ "${1:-}" = --reference ]; then
  [ "${2:-}" = kamailio ] || { echo "--reference takes: kamailio" >&2; exit 2; }
  target=kamailio; shift 2
fi
rate="${1:-100}" dur="${2:-20}" mode="${3:-t1}" limit="${4:-200}" pause="${5:-0}"
case "$mode" in t1|tn) ;; *) echo "MODE must be t1 or tn" >&2; exit 2;; esac
for v in "$rate" "$dur" "$limit" "$pause"; do
  [[ "$v" =~ ^[0-9]+$ ]] || { echo "RATE, DURATION_S, LIMIT and PAUSE_MS must be whole numbers" >&2; exit 2; }
done
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command -v sipp >/dev/null || { echo "sipp missing: apt-get install -y --no-install-recommends sip-tester" >&2; exit 1; }
if [ "$target" = kamailio ]; then
  command -v kamailio >/dev/null || { echo "kamailio missing: apt-get install -y --no-install-recommends kamailio" >&2; exit 1; }
else
  command -v dotnet >/dev/null || { echo "dotnet (the .NET 10 SDK) is missing" >&2; exit 1; }
fi

work="$(mktemp -d -t openum-bench.XXXXXX)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null
  fi
  wait 2>/dev/null
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Listening ports below 32768 (the kernel's ephemeral range starts there and a load run fills it).
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { local p; for _ in $(seq 1 200); do p=$((21000 + RANDOM % 3000)); port_free "$p" && { echo "$p"; return; }; done; exit 1; }
sip_port="$(pick_port)"; [ -n "$sip_port" ] || { echo "no free port" >&2; exit 1; }
sipp_port="$(pick_port)"
[ "$sipp_port" != "$sip_port" ] || sipp_port=$((sip_port + 1))
rtp_first=$((24000 + (RANDOM % 4) * 2000))

if [ "$target" = kamailio ]; then
  data="$work/data"; mkdir -p "$data/run"
  kamailio -f "$here/kamailio-reference.cfg" -l "tcp:127.0.0.1:$sip_port" -N "${KAM_WORKERS:-$(nproc)}" \
    -Y "$data/run" -w "$data" -m 256 -M 16 -DD -E > "$work/serve.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do port_free "$sip_port" || break; sleep 0.1; done
  port_free "$sip_port" && { echo "kamailio not listening after 10 s" >&2; tail -30 "$work/serve.log" >&2; exit 1; }
else
dll="${OPENUM_DLL:-}"
if [ -z "$dll" ]; then
  art="${BENCH_ARTIFACTS:-/tmp/openum-bench-artifacts}"
  echo "building openum (Release) into $art ..." >&2
  dotnet build "$repo/src/OpenUM.Cli" -c Release --artifacts-path "$art" -nologo -v q > "$work/build.log" 2>&1 \
    || { tail -30 "$work/build.log" >&2; exit 1; }
  dll="$(ls "$art"/bin/OpenUM.Cli/release*/openum.dll 2>/dev/null | head -1)"
fi
[ -f "$dll" ] || { echo "openum.dll not found ($dll)" >&2; exit 1; }
data="$work/data"
um() { dotnet "$dll" "$@" --data-dir "$data" > "$work/cli.log" 2>&1 || { cat "$work/cli.log" >&2; exit 1; }; }


um dialplan new --name Bench --number-of-digits-in-extension 4
um gateway new --name sipp --address 127.0.0.1 --dial-plan Bench
um mailbox new --extension 1000 --dial-plan Bench --email user1000@example.test --display-name "User 1000"
um server set --max-calls-allowed $((limit * 2 + 100))
# SIPp is one address: with tn it opens a connection per call, faster than the per-address rate limit (default
# 50 new connections/s) allows; lift it so the bench measures calls, not the flood protection.
um server set --connection-rate-per-address 10000

dotnet "$dll" serve --data-dir "$data" --listen-address 127.0.0.1 --sip-tcp-port "$sip_port" \
  --rtp-ports "$rtp_first-$((rtp_first + 1999))" > "$work/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q '"id":1114' "$data/events.jsonl" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "openum serve exited:" >&2; tail -30 "$work/serve.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '"id":1114' "$data/events.jsonl" 2>/dev/null || { echo "openum serve not listening after 60 s" >&2; tail -30 "$work/serve.log" >&2; exit 1; }
fi

# utime+stime (fields 14, 15) of the server process and its children (Kamailio's workers; OpenUM has none).
ticks() { local p; for p in "$1" $(ps -o pid= --ppid "$1"); do cat "/proc/$p/stat" 2>/dev/null; done |
  awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'; }
tck="$(getconf CLK_TCK)"
answered() { if [ "$target" = openum ]; then grep -c '"id":2002' "$data/events.jsonl"; else echo 0; fi; }
answered0="$(answered)"; load1="$(cut -d' ' -f1 /proc/loadavg)"
s0="$(ticks "$server_pid")"; w0="$(date +%s.%N)"
# `times` in the subshell reports its finished children (SIPp) on its second line.
( cd "$work" && sipp "127.0.0.1:$sip_port" -sf "$here/call-and-hang-up.xml" -t "$mode" \
    -i 127.0.0.1 -mi 127.0.0.1 -p "$sipp_port" -mp "$((rtp_first - 10))" -s 1000 -d "$pause" \
    -r "$rate" -rp 1000 -l "$limit" -m "$((rate * dur))" -timeout "$((dur + 15))" -timeout_error \
    -max_socket 4000 -nostdin > "$work/sipp.out" 2>&1; echo "rc=$?"; times ) > "$work/sipp.acct"
w1="$(date +%s.%N)"; s1="$(ticks "$server_pid")"
sleep 1
answered1="$(answered)"

rc="$(sed -n 's/^rc=//p' "$work/sipp.acct")"
read -r cu cs < <(tail -1 "$work/sipp.acct" | awk '{
  n = split($0, t, " "); s = 0
  for (i = 1; i <= 2; i++) { split(t[i], ms, "m"); sub(/s$/, "", ms[2]); v[i] = ms[1] * 60 + ms[2] }
  print v[1], v[2] }')
count() { grep "$1" "$work/sipp.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 + 0 }'; }
ok="$(count 'Successful call')"; failed="$(count 'Failed call')"
awk -v ok="${ok:-0}" -v f="${failed:-0}" -v w0="$w0" -v w1="$w1" -v cu="$cu" -v cs="$cs" -v s0="$s0" -v s1="$s1" \
    -v tck="$tck" -v mode="$mode" -v rate="$rate" -v dur="$dur" -v lim="$limit" -v rc="$rc" \
    -v ans=$((answered1 - answered0)) -v target="$target" -v load1="$load1" 'BEGIN {
  el = w1 - w0
  if (target != "openum") ans = "n/a"
  printf "BENCH target=%s load1=%s mode=%s offered=%s/s x %ss limit=%s ok=%d failed=%d elapsed=%.1fs cps=%.0f sipp_cpu=%.0f%% server_cpu=%.0f%% answered=%s sipp_rc=%s\n",
    target, load1, mode, rate, dur, lim, ok, f, el, ok / el, 100 * (cu + cs) / el, 100 * (s1 - s0) / tck / el, ans, rc }'
if [ "${ok:-0}" = 0 ]; then echo "no call succeeded; SIPp said:" >&2; tail -40 "$work/sipp.out" >&2; tail -20 "$work/serve.log" >&2; fi
