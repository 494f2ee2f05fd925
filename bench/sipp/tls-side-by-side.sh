#!/usr/bin/env bash
# tls-side-by-side.sh - calls/s over MUTUAL TLS: OpenUM and the Kamailio TLS reference under the same
# SIPp + stunnel load, in one run.
#
# Usage: bench/sipp/tls-side-by-side.sh DURATION_S SPEC...
#   SPEC = RATE:MODE:LIMIT[:DURATION_S]        one offered rate, both servers
#        | sat:MODE:LIMIT:FROM:STEP:TO         saturation: both servers driven to their maximum (below)
#   e.g. tls-side-by-side.sh 15 160:tn:40 2000:t1:200
#        tls-side-by-side.sh 10 sat:t1:200:4000:2000:20000   (max vs max on one persistent connection)
#   MODE tn = a new mutual-TLS connection per call (SIPp -t tn: one TCP connection per call, which stunnel
#             turns into one new TLS connection, full handshake with the client certificate each time)
#        t1 = all calls on one persistent mutual-TLS connection (SIPp -t t1)
#   For each spec (its own DURATION_S overrides the first argument) SIPp offers RATE calls/s for DURATION_S
#   seconds (-m RATE*DURATION_S, at most LIMIT calls at once) to OpenUM, then the same to Kamailio.
#   Each SIPp run is bounded: -timeout DURATION_S+3, killed at DURATION_S+5 s (TERM, then KILL 2 s later).
#   sat: the offered rate goes FROM, FROM+STEP, ... up to TO; at each rate OpenUM runs, then Kamailio (alternating, so
#   both see the same machine). A server is done when its calls/s has not risen by more than 3 % over its best for
#   two steps in a row (or at TO). Prints SATURATE (load average before each side's ramp), the TLSBENCH line of each
#   step, then per server MAX (its best calls/s, the offered rate, its CPU per call at that rate and the load before
#   that run) and one RATIO_MAX line: max calls/s OpenUM / Kamailio and CPU per call at each one's maximum.
#
# The chain, the same for both servers:
#   SIPp (Debian 3.6.1, TCP; bench/sipp/call-and-hang-up.xml: INVITE-200-ACK-BYE-200, no pause)
#     -> stunnel (one process, client mode, gw1.example.test certificate, checks the server's certificate
#        against the test CA and the name um.example.test, SNI um.example.test, TLS >= 1.2,
#        sessionResume = no: every new connection is a full handshake)
#     -> OpenUM `serve --sip-tls-port` (SipSecured dial plan, gateway gw1.example.test: admitted by the
#        certificate's name) or Kamailio (bench/sipp/kamailio-tls-reference.cfg, stateless, ONE TLS worker,
#        client certificate required and checked against the CA + CRL).
#   Both servers use the same um.example.test certificate and key (scripts/make-test-pki.sh: ECDSA P-256).
#   Both run for the whole script; each gets an unreported warm-up (WARMUP_CALLS calls, tn) first.
#
# Output, per run:
#   TLSBENCH target=openum|kamailio mode=.. offered=../s x ..s limit=.. ok=.. failed=.. elapsed=..s cps=..
#            server_cpu=..% server_ms_per_call=.. stunnel_cpu=..% stunnel_ms_per_call=.. sipp_cpu=..%
#            sipp_ms_per_call=.. load1=.. sipp_rc=..
#   cps = successful calls / wall time of the SIPp run; *_cpu = utime+stime / wall time in % of ONE core
#   (server: /proc/PID/stat of the process and its children, before/after; stunnel: its process, all threads;
#   SIPp: the shell's accounting of its finished child); *_ms_per_call = that CPU time / successful calls.
#   then per spec: RATIO mode=.. cps_openum/kamailio=.. cpu_per_call_openum/kamailio=..
#   and once: HANDSHAKE target=.. protocol=.. cipher=.. (one openssl s_client probe with gw1's certificate).
# Environment:
#   OPENUM_DLL      openum.dll to run (default: built once, Release, into $BENCH_ARTIFACTS)
#   BENCH_ARTIFACTS build output for that (default /tmp/openum-bench-artifacts)
#   WARMUP_CALLS    calls of the warm-up per server (default 300, at 60/s, tn; 0 = none)
#   TARGETS         which servers to load (default "openum kamailio"; one name = that one only, no RATIO line)
#   KEEP=1          keep the work dir (PKI, data dir, logs, SIPp output)
# Needs: sipp (sip-tester), stunnel4, kamailio + kamailio-tls-modules, openssl, dotnet.
#   apt-get install -y --no-install-recommends sip-tester stunnel4 kamailio kamailio-tls-modules
# Everything listens on 127.0.0.1 only; the script stops what it started (trap), also on Ctrl-C.
# Not a test: numbers depend on the machine; report them with the command line that produced them.
set -u
[ $# -ge 2 ] || { sed -n '2,52p' "$0"; exit 2; }
dur="$1"; shift
for spec in "$@"; do
  [[ "$spec" =~ ^[0-9]+:(tn|t1):[0-9]+(:[0-9]+)?$ || "$spec" =~ ^sat:(tn|t1):[0-9]+:[0-9]+:[1-9][0-9]*:[0-9]+$ ]] ||
    { echo "bad spec '$spec' (RATE:tn|t1:LIMIT[:DURATION_S] or sat:tn|t1:LIMIT:FROM:STEP:TO)" >&2; exit 2; }
done
[[ "$dur" =~ ^[0-9]+$ ]] || { echo "DURATION_S must be a whole number" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
for c in sipp stunnel kamailio openssl dotnet; do
  command -v "$c" >/dev/null || { echo "$c missing (see the header of $0)" >&2; exit 1; }
done
[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/tls.so ] || ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 \
  || { echo "kamailio tls module missing: apt-get install -y --no-install-recommends kamailio-tls-modules" >&2; exit 1; }

. "$here/../workdir.sh" tlsbench

# Listening-socket check with ss (no test connection: through stunnel that would open a TLS session).
port_free() { [ -z "$(ss -Hltn "sport = :$1")" ]; }
used_ports=" "
pick_port() { local p; for _ in $(seq 1 200); do p=$((21000 + RANDOM % 3000));
  case "$used_ports" in *" $p "*) continue;; esac
  port_free "$p" && { used_ports="$used_ports$p "; echo "$p"; return; }; done; echo "no free port" >&2; exit 1; }
wait_listen() { # PORT PID NAME LOG
  for _ in $(seq 1 600); do
    port_free "$1" || return 0
    kill -0 "$2" 2>/dev/null || { echo "$3 exited:" >&2; tail -30 "$4" >&2; exit 1; }
    sleep 0.1
  done
  echo "$3 not listening on $1 after 60 s" >&2; tail -30 "$4" >&2; exit 1
}

# --- test PKI (ECDSA P-256), made fresh for this run ---
pki="$work/pki"
"$repo/scripts/make-test-pki.sh" "$pki" > "$work/pki.log" 2>&1 || { cat "$work/pki.log" >&2; exit 1; }

# --- OpenUM: SipSecured dial plan, gateway gw1.example.test, mailbox 1000, TLS listener only ---
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
um() { dotnet "$dll" "$@" --data-dir "$data" > "$work/cli.log" 2>&1 || { echo "openum $*:" >&2; cat "$work/cli.log" >&2; exit 1; }; }
maxlimit=0
for spec in "$@"; do IFS=: read -r _ _ l _ <<< "$spec"; [ "$l" -gt "$maxlimit" ] && maxlimit="$l"; done # LIMIT is the 3rd field of both forms
um cert trust "$pki/ca.crt"
um cert trust --crl "$pki/ca.crl"
um cert import "$pki/um.crt" --key "$pki/um.key"
thumb="$(openssl x509 -in "$pki/um.crt" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')"
dotnet "$dll" cert list --json --data-dir "$data" > "$work/certs.json" 2>&1
thumb_listed="$(grep -o '"thumbprint": *"[^"]*"' "$work/certs.json" | sed 's/.*"\([^"]*\)"$/\1/' |
  while read -r t; do [ "$(echo "$t" | tr -d ':' | tr a-f A-F)" = "$thumb" ] && echo "$t"; done | head -1)"
[ -n "$thumb_listed" ] || { echo "um.crt ($thumb) not in cert list --json:" >&2; cat "$work/certs.json" >&2; exit 1; }
um cert enable "$thumb_listed"
um dialplan new --name Secure --number-of-digits-in-extension 4 --voip-security SipSecured
um gateway new --name gw1 --address gw1.example.test --dial-plan Secure
um mailbox new --extension 1000 --dial-plan Secure --email user1000@example.test --display-name "User 1000"
um server set --max-calls-allowed $((maxlimit * 2 + 100))
# Every call is a new mutual-TLS connection from one address (stunnel on 127.0.0.1): lift the per-address rate
# (default 50 new connections/s) and cap (default 64) so the bench measures calls, not the flood protection.
um server set --connection-rate-per-address 10000 --max-connections-per-address 10000

um_port="$(pick_port)"; kam_port="$(pick_port)"; st_um="$(pick_port)"; st_kam="$(pick_port)"
rtp_first=$((24000 + (RANDOM % 4) * 2000))
dotnet "$dll" serve --data-dir "$data" --listen-address 127.0.0.1 --sip-tls-port "$um_port" --fqdn um.example.test \
  --rtp-ports "$rtp_first-$((rtp_first + 1999))" > "$work/openum.log" 2>&1 &
um_pid=$!; pids+=("$um_pid")

# --- Kamailio TLS reference: tls.cfg generated here, ONE TLS worker ---
cat > "$work/tls.cfg" <<EOF
# Kamailio tls module profile, generated by tls-side-by-side.sh for one run.
[server:default]
method = TLSv1.2+
verify_certificate = yes
require_certificate = yes
verify_depth = 3
certificate = $pki/um.crt
private_key = $pki/um.key
ca_list = $pki/ca.crt
crl = $pki/ca.crl
EOF
mkdir -p "$work/kam/run"
kam_args=(-f "$here/kamailio-tls-reference.cfg" -A "TLS_CFG=\"$work/tls.cfg\"" -A "TCP_LIFETIME=${KAM_TCP_LIFETIME:-3}"
  -l "tls:127.0.0.1:$kam_port" -N 1 -Y "$work/kam/run" -w "$work/kam" -m 256 -M 16)
kamailio -c "${kam_args[@]}" > "$work/kamailio-check.log" 2>&1 || { cat "$work/kamailio-check.log" >&2; exit 1; }
kamailio "${kam_args[@]}" -DD -E > "$work/kamailio.log" 2>&1 &
kam_pid=$!; pids+=("$kam_pid")

# --- stunnel: one process, one client service per server, identical settings ---
cat > "$work/stunnel.conf" <<EOF
foreground = yes
pid =
syslog = no
output = $work/stunnel.log
debug = ${STUNNEL_DEBUG:-4}
EOF
for svc in openum:$st_um:$um_port kamailio:$st_kam:$kam_port; do
  IFS=: read -r name acc tgt <<< "$svc"
  cat >> "$work/stunnel.conf" <<EOF
[$name]
client = yes
accept = 127.0.0.1:$acc
connect = 127.0.0.1:$tgt
cert = $pki/gw1.crt
key = $pki/gw1.key
CAfile = $pki/ca.crt
verifyChain = yes
checkHost = um.example.test
sni = um.example.test
sslVersionMin = TLSv1.2
sessionResume = no
EOF
done
stunnel "$work/stunnel.conf" > "$work/stunnel.out" 2>&1 &
st_pid=$!; pids+=("$st_pid")

wait_listen "$kam_port" "$kam_pid" kamailio "$work/kamailio.log"
wait_listen "$st_um" "$st_pid" stunnel "$work/stunnel.out"
wait_listen "$st_kam" "$st_pid" stunnel "$work/stunnel.out"
for _ in $(seq 1 600); do
  grep -q '"id":1114' "$data/events.jsonl" 2>/dev/null && break
  kill -0 "$um_pid" 2>/dev/null || { echo "openum serve exited:" >&2; tail -30 "$work/openum.log" >&2; exit 1; }
  sleep 0.1
done
grep -q '"id":1114' "$data/events.jsonl" 2>/dev/null || { echo "openum serve not listening after 60 s" >&2; tail -30 "$work/openum.log" >&2; exit 1; }

echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" kamailio=\"$(kamailio -v | sed -n 's/^version: //p')\" sipp=\"$(sipp -v 2>&1 | grep -o 'v[0-9][^ ]*' | head -1)\" stunnel=\"$(stunnel -version 2>&1 | sed -n 's/^stunnel \([0-9.]*\) .*/\1/p' | head -1)\" openssl=\"$(openssl version)\""
echo "SETUP openum=127.0.0.1:$um_port(pid $um_pid) kamailio=127.0.0.1:$kam_port(pid $kam_pid, 1 TLS worker) stunnel(pid $st_pid): $st_um->openum $st_kam->kamailio"

# Negotiated protocol and cipher of each server, as seen by a client with gw1's certificate.
for t in openum:$um_port kamailio:$kam_port; do
  IFS=: read -r name p <<< "$t"
  out="$(timeout -k 2 5 openssl s_client -connect "127.0.0.1:$p" \
    -servername um.example.test -cert "$pki/gw1.crt" -key "$pki/gw1.key" -CAfile "$pki/ca.crt" -brief < /dev/null 2>&1)"
  echo "HANDSHAKE target=$name protocol=$(sed -n 's/^Protocol version: //p' <<< "$out" | head -1) cipher=$(sed -n 's/^Ciphersuite: //p' <<< "$out" | head -1) peer_sig=\"$(sed -n 's/^Peer signature type: //p' <<< "$out" | head -1)\" tmp_key=\"$(sed -n 's/^Server Temp Key: //p' <<< "$out" | head -1)\""
done

# utime+stime (fields 14, 15) of a process (all its threads) and its child processes (Kamailio's workers).
ticks() { local p; for p in "$1" $(ps -o pid= --ppid "$1"); do cat "/proc/$p/stat" 2>/dev/null; done |
  awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'; }
tck="$(getconf CLK_TCK)"
sipp_port="$(pick_port)"

# run TARGET RATE DURATION MODE LIMIT [quiet]
run() {
  local target="$1" rate="$2" d="$3" mode="$4" limit="$5" quiet="${6:-}" port spid out
  if [ "$target" = openum ]; then port="$st_um"; spid="$um_pid"; else port="$st_kam"; spid="$kam_pid"; fi
  out="$work/sipp-$target-$mode-$rate-$(date +%s%N)"
  mkdir -p "$out"
  local load1 s0 t0 w0 w1 s1 t1
  load1="$(cut -d' ' -f1 /proc/loadavg)"
  s0="$(ticks "$spid")"; t0="$(ticks "$st_pid")"; w0="$(date +%s.%N)"
  ( cd "$out" && timeout -k 2 $((d + 5)) sipp "127.0.0.1:$port" -sf "$here/call-and-hang-up.xml" -t "$mode" \
      -i 127.0.0.1 -mi 127.0.0.1 -p "$sipp_port" -mp "$((rtp_first - 10))" -s 1000 -d 0 \
      -r "$rate" -rp 1000 -l "$limit" -m "$((rate * d))" -timeout "$((d + 3))" -timeout_error \
      -max_socket 4000 -nostdin > "$out/sipp.out" 2>&1; echo "rc=$?"; times ) > "$out/sipp.acct"
  w1="$(date +%s.%N)"; s1="$(ticks "$spid")"; t1="$(ticks "$st_pid")"
  for p in "$spid" "$st_pid"; do kill -0 "$p" 2>/dev/null || { echo "process $p died during the run" >&2; tail -20 "$work"/*.log >&2; exit 1; }; done
  [ -n "$quiet" ] && return 0
  local rc cu cs ok failed
  rc="$(sed -n 's/^rc=//p' "$out/sipp.acct")"
  read -r cu cs < <(tail -1 "$out/sipp.acct" | awk '{
    for (i = 1; i <= 2; i++) { split($i, ms, "m"); sub(/s$/, "", ms[2]); v[i] = ms[1] * 60 + ms[2] }
    print v[1], v[2] }')
  count() { grep "$1" "$out/sipp.out" | tail -1 | awk -F'|' '{ gsub(/ /, "", $3); print $3 + 0 }'; }
  ok="$(count 'Successful call')"; failed="$(count 'Failed call')"
  awk -v ok="${ok:-0}" -v f="${failed:-0}" -v w0="$w0" -v w1="$w1" -v cu="$cu" -v cs="$cs" -v s0="$s0" -v s1="$s1" \
      -v t0="$t0" -v t1="$t1" -v tck="$tck" -v mode="$mode" -v rate="$rate" -v dur="$d" -v lim="$limit" -v rc="$rc" \
      -v target="$target" -v load1="$load1" 'BEGIN {
    el = w1 - w0; sv = (s1 - s0) / tck; st = (t1 - t0) / tck; sp = cu + cs; n = (ok > 0 ? ok : 1)
    printf "TLSBENCH target=%s mode=%s offered=%s/s x %ss limit=%s ok=%d failed=%d elapsed=%.1fs cps=%.0f server_cpu=%.0f%% server_ms_per_call=%.3f stunnel_cpu=%.0f%% stunnel_ms_per_call=%.3f sipp_cpu=%.0f%% sipp_ms_per_call=%.3f load1=%s sipp_rc=%s\n",
      target, mode, rate, dur, lim, ok, f, el, ok / el, 100 * sv / el, 1000 * sv / n, 100 * st / el, 1000 * st / n,
      100 * sp / el, 1000 * sp / n, load1, rc }'
  if [ "${ok:-0}" = 0 ]; then echo "no call succeeded; SIPp said:" >&2; tail -30 "$out/sipp.out" >&2; fi
}

warm="${WARMUP_CALLS:-300}"
targets="${TARGETS:-openum kamailio}"
if [ "$warm" -gt 0 ]; then
  for t in openum kamailio; do run "$t" 60 $(( (warm + 59) / 60 )) tn 30 quiet; done
  sleep 4   # let Kamailio's idle connections of the warm-up close
fi

field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<< "$2"; }

# saturate MODE LIMIT FROM STEP TO DURATION: see the header (sat:).
saturate() {
  local mode="$1" limit="$2" rate="$3" step="$4" to="$5" d="$6" t line cps
  local -A best=() best_line=() flat=() done_=()
  for t in $targets; do best[$t]=0; best_line[$t]=""; flat[$t]=0; done_[$t]=0
    echo "SATURATE target=$t mode=$mode from=$rate step=$step to=$to loadavg_before=\"$(cut -d' ' -f1-3 /proc/loadavg)\""; done
  while [ "$rate" -le "$to" ]; do
    for t in $targets; do
      [ "${done_[$t]}" = 1 ] && continue
      line="$(run "$t" "$rate" "$d" "$mode" "$limit")"; echo "$line"; sleep 4
      cps="$(field cps "$line")"
      if awk -v c="${cps:-0}" -v b="${best[$t]}" 'BEGIN { exit !(c > b * 1.03) }'; then
        best[$t]="$cps"; best_line[$t]="$line"; flat[$t]=0
      else
        flat[$t]=$((flat[$t] + 1)); [ "${flat[$t]}" -ge 2 ] && done_[$t]=1
      fi
    done
    local all=1; for t in $targets; do [ "${done_[$t]}" = 1 ] || all=0; done
    [ "$all" = 1 ] && break
    rate=$((rate + step))
  done
  for t in $targets; do
    line="${best_line[$t]}"
    echo "MAX target=$t mode=$mode max_cps=${best[$t]} at_offered=$(sed -n 's/.* offered=\([0-9]*\).*/\1/p' <<< "$line")/s server_ms_per_call=$(field server_ms_per_call "$line") server_cpu=$(sed -n 's/.* server_cpu=\([0-9]*%\).*/\1/p' <<< "$line") load1=$(field load1 "$line") stopped=$([ "${done_[$t]}" = 1 ] && echo flat || echo at_TO)"
  done
  [ -n "${best_line[openum]:-}" ] && [ -n "${best_line[kamailio]:-}" ] || return 0
  awk -v mode="$mode" -v cu="${best[openum]}" -v ck="${best[kamailio]}" -v pu="$(field server_ms_per_call "${best_line[openum]}")" \
      -v pk="$(field server_ms_per_call "${best_line[kamailio]}")" 'BEGIN {
    printf "RATIO_MAX mode=%s max_cps_openum/kamailio=%s cpu_per_call_at_max_openum/kamailio=%s\n", mode,
      (ck > 0 ? sprintf("%.2f", cu / ck) : "n/a"), (pk > 0 ? sprintf("%.2f", pu / pk) : "n/a") }'
}

echo "START $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
for spec in "$@"; do
  if [[ "$spec" == sat:* ]]; then
    IFS=: read -r _ mode limit from step to <<< "$spec"
    saturate "$mode" "$limit" "$from" "$step" "$to" "$dur"
    continue
  fi
  IFS=: read -r rate mode limit d <<< "$spec"
  line_um=""; line_kam=""
  case " $targets " in *" openum "*) line_um="$(run openum "$rate" "${d:-$dur}" "$mode" "$limit")"; echo "$line_um"; sleep 4;; esac
  case " $targets " in *" kamailio "*) line_kam="$(run kamailio "$rate" "${d:-$dur}" "$mode" "$limit")"; echo "$line_kam"; sleep 4;; esac
  [ -n "$line_um" ] && [ -n "$line_kam" ] || continue
  awk -v mode="$mode" -v rate="$rate" -v cu="$(field cps "$line_um")" -v ck="$(field cps "$line_kam")" \
      -v pu="$(field server_ms_per_call "$line_um")" -v pk="$(field server_ms_per_call "$line_kam")" 'BEGIN {
    printf "RATIO mode=%s offered=%s/s cps_openum/kamailio=%s cpu_per_call_openum/kamailio=%s\n", mode, rate,
      (ck > 0 ? sprintf("%.2f", cu / ck) : "n/a"), (pk > 0 ? sprintf("%.2f", pu / pk) : "n/a") }'
done
echo "END $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
echo "openum events: answered(2002)=$(grep -c '"id":2002' "$data/events.jsonl") refused-tls(1426)=$(grep -c '"id":1426' "$data/events.jsonl")"
if grep -qiE 'segfault|SIGSEGV|BUG:' "$work/kamailio.log"; then echo "WARNING kamailio log shows a crash/bug line:"; grep -iE 'segfault|SIGSEGV|BUG:' "$work/kamailio.log" | head -5; fi
