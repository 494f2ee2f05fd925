#!/usr/bin/env bash
# concurrency.sh - concurrent RECORDING calls, plain and Secured, side by side in one run (issue 17).
#
# Usage: bench/secured/concurrency.sh [N ...]        (default: 500 1000 1500 2000 2500 3000)
#   For each N, against a fresh private `openum serve` each time:
#     secured  bench/OpenUM.LoadGen (`loadgen run`): N calls over CONNECTIONS persistent mutual-TLS connections
#              (certificate gw1.example.test), SDES-SRTP AES_CM_128_HMAC_SHA1_80, PCMU, to the mailboxes of a
#              Secured dial plan (TLS and SRTP); one pacing loop sends every call's 20 ms frame.
#     plain    SIPp (Debian sip-tester, TCP, one connection: -t t1) with rtp_stream, to the mailboxes of an
#              Unsecured dial plan (bench/secured/plain-recording.xml).
#   Both stream the same known signal (`loadgen signal`: every frame carries its call and frame number) after the
#   greeting, calls start at RATE/s, and every call streams DURATION + N/RATE seconds, so all N calls are streaming
#   together for at least DURATION seconds. `loadgen check` then reads the delivered recordings (the data
#   directory's maildir) and counts frames present against frames sent.
#   Once per run, IDLE_TLS idle mutual-TLS connections are held open (`loadgen idle-tls`) to measure their RSS.
#
# Output: one CONC line per N and side, then a table and the largest N with < 0.1 % lost frames per side:
#   N, side, set up, failed, frames sent, frames present, loss %, server CPU (% of one core over the run),
#   generator CPU (loadgen: /proc/self/stat; SIPp: the shell's accounting of the finished child), fell behind
#   (loadgen: ticks > 20 ms late, ticks skipped after stalls > 200 ms, worst lateness; SIPp: not known, "-"),
#   RSS/call = (peak RSS during the run - RSS idle after a warm-up) / N, load1 (/proc/loadavg before the side ran);
#   active/call = (peak RSS while all N calls stream - RSS idle) / N (the whole run's peak also holds the end, when N
#   recordings are sealed and delivered at once); then RSS_SLOPE and ACTIVE_SLOPE (the two per call as the slope over
#   all N) and LARGEST per side.
# Environment:
#   DURATION (20) RATE (100) CONNECTIONS (1) MAILBOXES (20) IDLE_TLS (500; 0 = skip) SIDES ("secured plain")
#   GREETING_MS (SIPp's silence before the signal; default: the generator's median answer-to-first-frame time in its
#     warm-up + 1 s, 9000 without one; the dial plan's 5 s recording idle timeout bounds how long it may be)
#   OPENUM_DLL / LOADGEN_DLL (default: built Release into BENCH_ARTIFACTS, default /tmp/openum-bench-artifacts)
#   SIPP_NICE (19): SIPp's nice level. SIPp runs one RTP thread per 20 calls (150 at 3,000 calls); at nice 0 on 2
#     cores those threads, all runnable once SIPp falls behind, took the server's CPU share and the server collapsed
#     (3,000: 52 % of frames lost; 2,500: 56 %); at 19 the server gets the CPU it needs and SIPp the rest (2,500: 1.2 %,
#     most of it the tail SIPp had not sent when its BYE went). SIPp keeps -trace_err/-trace_stat files in OUTDIR.
#   KEEP=1 keeps the work directory.
# Needs: sipp (sip-tester), openssl, dotnet. Everything listens on 127.0.0.1; the script stops what it started.
# The default sweep should take well under an hour (an estimate: it has not been run whole yet). Not a test: figures depend on the machine; record them with the command line and the load (bench/RESULTS.md).
set -u
sizes=("$@"); [ ${#sizes[@]} -gt 0 ] || sizes=(500 1000 1500 2000 2500 3000)
for n in "${sizes[@]}"; do [[ "$n" =~ ^[0-9]+$ ]] || { sed -n '2,30p' "$0"; exit 2; }; done
dur="${DURATION:-20}"; rate="${RATE:-100}"; conns="${CONNECTIONS:-1}"; boxes="${MAILBOXES:-20}"
idle_tls="${IDLE_TLS:-500}"; sides="${SIDES:-secured plain}"; sipp_nice="${SIPP_NICE:-19}"
here="$(cd "$(dirname "$0")" && pwd)"; repo="$(cd "$here/../.." && pwd)"
for c in sipp openssl dotnet; do command -v "$c" >/dev/null || { echo "$c missing" >&2; exit 1; }; done

. "$here/../workdir.sh" concurrency

# --- build (Release) ---
art="${BENCH_ARTIFACTS:-/tmp/openum-bench-artifacts}"
dll="${OPENUM_DLL:-}"; lg="${LOADGEN_DLL:-}"
if [ -z "$dll" ] || [ -z "$lg" ]; then
  echo "building openum and loadgen (Release) into $art ..." >&2
  for p in src/OpenUM.Cli bench/OpenUM.LoadGen; do
    dotnet build "$repo/$p" -c Release --artifacts-path "$art" -nologo -v q > "$work/build.log" 2>&1 || { tail -30 "$work/build.log" >&2; exit 1; }
  done
  dll="$(ls "$art"/bin/OpenUM.Cli/release*/openum.dll | head -1)"; lg="$(ls "$art"/bin/OpenUM.LoadGen/release*/loadgen.dll | head -1)"
fi
[ -f "$dll" ] && [ -f "$lg" ] || { echo "openum.dll or loadgen.dll not found" >&2; exit 1; }

# --- test PKI, made for this run (no key is kept) ---
pki="$work/pki"
"$repo/scripts/make-test-pki.sh" "$pki" > "$work/pki.log" 2>&1 || { cat "$work/pki.log" >&2; exit 1; }

# --- two configured data directories (templates, copied for every server start) ---
um() { local d="$1"; shift; dotnet "$dll" "$@" --data-dir "$d" > "$work/cli.log" 2>&1 || { echo "openum $*:" >&2; cat "$work/cli.log" >&2; exit 1; }; }
maxn=0; for n in "${sizes[@]}"; do [ "$n" -gt "$maxn" ] && maxn="$n"; done
configure() { # DIR PLAN SECURITY FIRST_EXTENSION
  local d="$1" plan="$2" sec="$3" first="$4" i
  # Calls here last under a minute. The server keeps room on disk for every call it may take at the dial plan's
  # longest message (20 min by default): at 2,200 allowed calls that reserve turned calls away (2060) near 1,750.
  um "$d" dialplan new --name "$plan" --number-of-digits-in-extension 4 --voip-security "$sec" --max-recording-duration 2
  for i in $(seq "$first" $((first + boxes - 1))); do
    um "$d" mailbox new --extension "$i" --dial-plan "$plan" --email "user$i@example.test" --display-name "User $i"
  done
  um "$d" server set --max-calls-allowed $((maxn + 200))
  um "$d" server set --connection-rate-per-address 10000 --max-connections-per-address 10000
}
echo "configuring the data directories ($boxes mailboxes per dial plan) ..." >&2
sec_tpl="$work/tpl-secured"; plain_tpl="$work/tpl-plain"
um "$sec_tpl" cert trust "$pki/ca.crt"
um "$sec_tpl" cert trust --crl "$pki/ca.crl"
um "$sec_tpl" cert import "$pki/um.crt" --key "$pki/um.key"
thumb="$(openssl x509 -in "$pki/um.crt" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')"
dotnet "$dll" cert list --json --data-dir "$sec_tpl" > "$work/certs.json" 2>&1
listed="$(grep -o '"thumbprint": *"[^"]*"' "$work/certs.json" | sed 's/.*"\([^"]*\)"$/\1/' |
  while read -r t; do [ "$(echo "$t" | tr -d ':' | tr a-f A-F)" = "$thumb" ] && echo "$t"; done | head -1)"
[ -n "$listed" ] || { echo "um.crt not in cert list" >&2; exit 1; }
um "$sec_tpl" cert enable "$listed"
configure "$sec_tpl" Secure Secured 1000
um "$sec_tpl" gateway new --name gw1 --address gw1.example.test --dial-plan Secure
configure "$plain_tpl" Plain Unsecured 2000
um "$plain_tpl" gateway new --name sipp --address 127.0.0.1 --dial-plan Plain

port_free() { [ -z "$(ss -Hlntu "sport = :$1")" ]; }
pick_port() { local p; for _ in $(seq 1 200); do p=$((40000 + RANDOM % 9000)); port_free "$p" && { echo "$p"; return; }; done; exit 1; }
ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }
tck="$(getconf CLK_TCK)"

# start_server SIDE N -> sets srv_pid, srv_data, srv_port
start_server() {
  local side="$1" n="$2" tpl="$sec_tpl" portopt="--sip-tls-port"
  [ "$side" = plain ] && { tpl="$plain_tpl"; portopt="--sip-tcp-port"; }
  srv_data="$work/run-$side-$n"; rm -rf "$srv_data"; cp -a "$tpl" "$srv_data"
  srv_port="$(pick_port)"
  # Below the ephemeral range (32768-60999), where the generator's own RTP sockets are bound, and above SIPp's.
  local rtp=17000
  dotnet "$dll" serve --data-dir "$srv_data" --listen-address 127.0.0.1 $portopt "$srv_port" --fqdn um.example.test \
    --rtp-ports "$rtp-$((rtp + 2 * maxn + 400))" > "$srv_data.log" 2>&1 &
  srv_pid=$!; pids+=("$srv_pid")
  for _ in $(seq 1 600); do
    grep -q '"id":1114' "$srv_data/events.jsonl" 2>/dev/null && return 0
    kill -0 "$srv_pid" 2>/dev/null || { echo "openum serve exited:" >&2; tail -30 "$srv_data.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "openum serve not listening after 60 s" >&2; exit 1
}
stop_server() { kill -TERM "$srv_pid" 2>/dev/null; for _ in $(seq 1 300); do kill -0 "$srv_pid" 2>/dev/null || return 0; sleep 0.1; done; kill -KILL "$srv_pid" 2>/dev/null; }
messages() { find "$srv_data/maildir" -path '*/new/*' -type f 2>/dev/null | wc -l; }
wait_messages() { # COUNT: until that many are delivered, or nothing new for 60 s
  local want="$1" last=-1 same=0 m
  while :; do
    m="$(messages)"; [ "$m" -ge "$want" ] && return 0
    if [ "$m" = "$last" ]; then same=$((same + 1)); [ "$same" -ge 120 ] && return 1; else same=0; last="$m"; fi
    sleep 0.5
  done
}
lg_tls() { echo --target "127.0.0.1:$srv_port" --cert "$pki/gw1.crt" --key "$pki/gw1.key" --ca "$pki/ca.crt" --server-name um.example.test; }
json() { sed -n "s/^ *\"$1\": *\([^,]*\),*$/\1/p" "$2" | head -1 | tr -d '"'; }

# run_side SIDE N: warm-up, idle RSS, the run with an RSS sampler, the loss check; prints a CONC line
rows=()
greeting_ms="${GREETING_MS:-}"
run_side() {
  local side="$1" n="$2" out="$work/out-$1-$2"; mkdir -p "$out"
  start_server "$side" "$n"
  local per_call=$((dur + (n + rate - 1) / rate))
  # warm-up: 20 calls of 2 s (JIT, pools), then their messages are removed
  if [ "$side" = secured ]; then
    dotnet "$lg" run $(lg_tls) --calls 20 --duration 2 --rate 20 --extensions "1000-$((1000 + boxes - 1))" --json > "$out/warmup.json" 2>&1
    [ -z "$greeting_ms" ] && greeting_ms="$(json greetingMedianMs "$out/warmup.json" | awk '{ printf "%d", ($1 > 0 ? $1 + 1000 : 9000) }')"
  else
    sipp_run "$out/warmup" 20 2 20 > /dev/null 2>&1
  fi
  wait_messages 20 || true
  sleep 2; find "$srv_data/maildir" -path '*/new/*' -type f -delete
  sleep 3
  local rss0 load1 s0 s1 w0 w1 peak
  rss0="$(rss_kib "$srv_pid")"; load1="$(cut -d' ' -f1 /proc/loadavg)"
  # Every sample is kept with its time since the start (rss.series): the peak of the whole run includes the end, when
  # all N recordings are sealed and delivered at once; the peak while all N calls stream is the per-active-call figure.
  ( p=0; t0="$(date +%s.%N)"; while kill -0 "$srv_pid" 2>/dev/null; do r="$(rss_kib "$srv_pid")"; [ "$r" -gt "$p" ] && { p="$r"; echo "$p" > "$out/rss.peak"; }
      echo "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') $r" >> "$out/rss.series"; sleep 0.5; done ) &
  local sampler=$!
  s0="$(ticks "$srv_pid")"; w0="$(date +%s.%N)"
  local setup failed sent gencpu behind
  if [ "$side" = secured ]; then
    dotnet "$lg" run $(lg_tls) --calls "$n" --duration "$per_call" --rate "$rate" --connections "$conns" \
      --extensions "1000-$((1000 + boxes - 1))" --manifest "$out/manifest.csv" --json > "$out/run.json" 2> "$out/run.err"
    w1="$(date +%s.%N)"; s1="$(ticks "$srv_pid")"
    setup="$(json setUp "$out/run.json")"; failed="$(json failed "$out/run.json")"; sent="$(json framesSent "$out/run.json")"
    gencpu="$(json cpuSeconds "$out/run.json")"; behind="$(json fellBehind "$out/run.json")"
    [ "$behind" = true ] && behind="yes:$(json ticksLate "$out/run.json")late/$(json ticksSkipped "$out/run.json")skipped/worst$(json worstLatenessMs "$out/run.json" | cut -c1-6)ms" || behind=no
    wait_messages "${setup:-0}" || echo "secured N=$n: only $(messages) of $setup messages delivered" >&2
    dotnet "$lg" check --maildir "$srv_data/maildir" --manifest "$out/manifest.csv" --json > "$out/check.json"
  else
    sipp_run "$out" "$n" "$per_call" "$rate" > "$out/sipp.acct"
    w1="$(date +%s.%N)"; s1="$(ticks "$srv_pid")"
    count() { grep "$1" "$out/sipp.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 + 0 }'; }
    setup="$(count 'Successful call')"; failed="$(count 'Failed call')"
    read -r cu cs < <(tail -1 "$out/sipp.acct" | awk '{ for (i = 1; i <= 2; i++) { split($i, ms, "m"); sub(/s$/, "", ms[2]); v[i] = ms[1] * 60 + ms[2] } print v[1], v[2] }')
    gencpu="$(awk -v a="$cu" -v b="$cs" 'BEGIN { printf "%.2f", a + b }')"; behind="-"
    wait_messages "${setup:-0}" || echo "plain N=$n: only $(messages) of $setup messages delivered" >&2
    dotnet "$lg" check --maildir "$srv_data/maildir" --expect-frames $((per_call * 50)) --calls "$n" --json > "$out/check.json"
    sent="$(json framesSent "$out/check.json")"
  fi
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
  peak="$(cat "$out/rss.peak" 2>/dev/null || echo "$rss0")"
  # All N calls are up from N/RATE s (+2 s for set-up under load) until the first one ends, per_call s after the start.
  local active
  active="$(awk -v from=$((n / rate + 2)) -v to=$((per_call - 1)) -v r0="$rss0" '$1 >= from && $1 <= to && $2 > p { p = $2 }
    END { print (p > 0 ? p : r0) }' "$out/rss.series" 2>/dev/null || echo "$rss0")"
  local present loss
  present="$(json framesPresent "$out/check.json")"; loss="$(json lossPercent "$out/check.json")"
  local row
  row="$(awk -v n="$n" -v side="$side" -v su="${setup:-0}" -v f="${failed:-0}" -v sent="${sent:-0}" -v pr="${present:-0}" \
    -v loss="${loss:-100}" -v s0="$s0" -v s1="$s1" -v w0="$w0" -v w1="$w1" -v tck="$tck" -v g="${gencpu:-0}" -v b="$behind" \
    -v r0="$rss0" -v rp="$peak" -v ra="$active" -v l="$load1" 'BEGIN {
      el = w1 - w0; printf "%s %s %s %s %s %s %.3f %.0f%% %.0f%% %s %.1f %s %.1f", n, side, su, f, sent, pr, loss,
        100 * (s1 - s0) / tck / el, 100 * g / el, b, (rp - r0) / n, l, (ra - r0) / n }')"
  echo "CONC $row rss_idle_kib=$rss0 rss_peak_kib=$peak rss_active_kib=$active per_call_s=$per_call greeting_wait_ms=${greeting_ms:-}"
  rows+=("$row")
  stop_server
  # A 3000-call run leaves gigabytes of recordings: only KEEP=1 keeps them past their check.
  [ "${KEEP:-0}" = 1 ] || rm -rf "$srv_data"
}

# sipp_run OUTDIR CALLS SECONDS RATE: the plain side's SIPp run (prints the shell's times of SIPp)
sipp_run() {
  local o="$1" calls="$2" secs="$3" r="$4"; mkdir -p "$o"
  local lead="${greeting_ms:-9000}"
  dotnet "$lg" signal --frames $((secs * 50)) --silence-ms "$lead" --out "$o/signal.ulaw"
  sed -e "s/@STREAM_MS@/$((lead + secs * 1000 + 500))/" "$here/plain-recording.xml" > "$o/scenario.xml"
  { echo SEQUENTIAL; for i in $(seq 2000 $((2000 + boxes - 1))); do echo "$i"; done; } > "$o/extensions.csv"
  local limit=$((calls + 10)) sp; sp="$(pick_port)"
  ( cd "$o" && timeout -k 2 $((calls / r + secs + 120)) nice -n "$sipp_nice" sipp "127.0.0.1:$srv_port" -sf scenario.xml -inf extensions.csv -t t1 \
      -i 127.0.0.1 -mi 127.0.0.1 -p "$sp" -mp 10000 -r "$r" -rp 1000 -l "$limit" -m "$calls" \
      -max_socket 4000 -timeout $((calls / r + secs + 100)) -timeout_error -nostdin \
      -trace_err -trace_stat -fd 5 > "$o/sipp.out" 2>&1; echo "rc=$?"; times )
}

echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" sipp=\"$(sipp -v 2>&1 | grep -o 'v[0-9][^ ]*' | head -1)\""
echo "START $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" duration=${dur}s rate=$rate/s connections=$conns mailboxes=$boxes"

# --- RSS per idle mutual-TLS connection ---
if [ "$idle_tls" -gt 0 ]; then
  start_server secured idle
  sleep 3; r0="$(rss_kib "$srv_pid")"; l1="$(cut -d' ' -f1 /proc/loadavg)"
  dotnet "$lg" idle-tls $(lg_tls) --calls "$idle_tls" --hold 30 > "$work/idle.out" 2>&1 &
  ip=$!; pids+=("$ip")
  for _ in $(seq 1 600); do grep -q '^HELD' "$work/idle.out" && break; kill -0 "$ip" 2>/dev/null || break; sleep 0.1; done
  sleep 3; r1="$(rss_kib "$srv_pid")"
  echo "IDLE_TLS connections=$(sed -n 's/^HELD //p' "$work/idle.out") rss_before_kib=$r0 rss_held_kib=$r1 per_connection_kib=$(awk -v a="$r0" -v b="$r1" -v k="$idle_tls" 'BEGIN { printf "%.1f", (b - a) / k }') load1=$l1"
  kill "$ip" 2>/dev/null; wait "$ip" 2>/dev/null
  stop_server
fi

for n in "${sizes[@]}"; do
  for side in $sides; do run_side "$side" "$n"; done
done
echo "END $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
echo
printf '%-6s %-8s %7s %7s %12s %12s %8s %10s %10s %-28s %9s %12s %6s\n' N side "set up" failed "frames sent" "present" "loss %" "server CPU" "gen CPU" "fell behind?" "RSS/call" "active/call" load1
for r in "${rows[@]}"; do
  read -r n s su f se pr lo sc gc b rc l ra <<< "$r"
  printf '%-6s %-8s %7s %7s %12s %12s %8s %10s %10s %-28s %6s KiB %8s KiB %6s\n' "$n" "$s" "$su" "$f" "$se" "$pr" "$lo" "$sc" "$gc" "$b" "$rc" "$ra" "$l"
done
# RSS per call from the slope over all N (peak - idle against N, least squares): less sensitive than one run's
# figure to where the GC happened to be when the peak was sampled. RSS_SLOPE uses the whole run's peak (the end's
# delivery of N messages at once included), ACTIVE_SLOPE the peak while all N calls stream.
for side in $sides; do
  for col in rc ra; do
    for r in "${rows[@]}"; do read -r n s _ _ _ _ _ _ _ _ rc _ ra <<< "$r"; [ "$s" = "$side" ] && echo "$n ${!col}"; done |
      awk -v side="$side" -v what="$([ "$col" = rc ] && echo RSS_SLOPE || echo ACTIVE_SLOPE)" '{ x = $1; y = $1 * $2; n++; sx += x; sy += y; sxx += x * x; sxy += x * y }
        END { if (n >= 2 && n * sxx - sx * sx > 0) printf "%s side=%s %.1f KiB per active call (%d sizes)\n", what, side, (n * sxy - sx * sy) / (n * sxx - sx * sx), n }'
  done
done
for side in $sides; do
  best="$(for r in "${rows[@]}"; do read -r n s su f _ _ lo _ _ b _ _ <<< "$r"
    [ "$s" = "$side" ] && [ "$f" = 0 ] && awk -v l="$lo" 'BEGIN { exit !(l < 0.1) }' && echo "$n $b"; done | sort -n | tail -1)"
  note=""; case "$best" in *" yes"*) note="; the generator fell behind in that run";; esac
  [ -n "$best" ] || best=none
  echo "LARGEST side=$side N=${best%% *} (< 0.1 % lost frames, no failed call$note)"
done
