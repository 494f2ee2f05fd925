#!/usr/bin/env bash
# run.sh - what certificate-less strangers can make a SIP mutual-TLS listener spend: OpenUM "before" (a given
# commit), OpenUM "after" (this checkout; once more with `server set --allow-tls-from-any-address true` when that
# option exists) and Kamailio 5.6's tls module, one after the other under the same flood, in one run.
#
# Usage: bench/flood/run.sh [--before COMMIT] [--seconds S] [--sources N] [--silent K] [--loops L] [--client-hello]
#                           [--sides "before after after-any kamailio"] [--phases "handshakes mixed"]
#   defaults: --before 9de6bac --seconds 20 --sources 200 --silent 64 --loops 32, all four sides, both phases.
#
# The flood (bench/flood/Flood.csproj = tests/OpenUM.Interop.Tests/Harness/StrangerFlood*.cs), the same for every
# side: N loopback sources 127.0.1.1... each hold K silent TCP connections to the TLS port (re-opened as soon as the
# server closes one; --client-hello: each sends a ClientHello, then stalls), and L loops do back-to-back TLS 1.2/1.3
# handshakes without a client certificate, rotating over the sources, for S seconds. Each server gets two phases,
# 5 s apart: "handshakes" (the loops alone: what refusing certificate-less handshakes costs it) and "mixed" (the
# silent connections and the loops together: the connection caps, and whether the trusted gateway still gets in).
# The servers, one at a time, each on its own free loopback ports, started just before its flood:
#   OpenUM  `openum serve --sip-tls-port P --fqdn um.example.test --listen-address 127.0.0.1` with the CA and CRL
#           trusted, certificate um.example.test enabled, dial plan Secure (SipSecured), gateway gw1 =
#           gw1.example.test, mailbox 1000. serve and the CLI run in a private mount namespace whose /etc/hosts
#           (a temp copy plus "127.0.0.1 gw1.example.test") is bind-mounted over the real one, which is never
#           touched: every OpenUM side resolves the gateway to 127.0.0.1.
#   Kamailio bench/flood/kamailio-flood.cfg: the same certificate, client certificate required and verified,
#           ONE TLS worker, 10000 connections at most, idle connections closed after 10 s.
# The test PKI is made fresh by scripts/make-test-pki.sh (openssl, ECDSA P-256) in the run's temp directory.
#
# Per side: the 1-minute load average just before its server starts (the script first waits, polling, until it is
# below LOAD_MAX, at most LOAD_WAIT seconds, and says so when it never drops). Per phase: a trusted probe (SIP
# OPTIONS over mutual TLS with gw1's certificate, from 127.0.0.1) before, halfway through and after the flood, and
# from the flood's report:
#   server handshakes/s  handshakes in which the server sent a ServerHello (it did the key exchange and signed:
#                        completed + refused after ServerHello) / flood seconds
#   refused/s            connections the server ended without a session (handshakes refused before or after the
#                        ServerHello, silent connections it closed) / flood seconds
#   server CPU s         utime+stime of the server's processes (Kamailio: the main process and its children),
#                        /proc/PID/stat, from just before the flood starts to just after it ends
#   CPU us/refused       server CPU / refused connections
#   RSS                  VmRSS at the end (Kamailio: summed over its processes, which counts shared memory once per
#                        process; PSS, which does not, is printed beside it)
#   up                   the server process is alive after the flood and the trusted probe after it got a response
#   log                  lines and bytes the server wrote to its log during the flood (OpenUM: events.jsonl;
#                        Kamailio: its stderr at debug=1)
# Environment: LOAD_MAX (default 1), LOAD_WAIT (seconds, default 300), KEEP=1 keeps the work directory,
#   OPENUM_BEFORE_DLL / OPENUM_AFTER_DLL / FLOOD_DLL use these builds instead of building.
# Needs: dotnet, git, openssl, jq, kamailio + kamailio-tls-modules, unshare and mount (util-linux), /usr/bin/time,
#   and root (the private mount namespace). Loopback only; the script stops what it started, also on Ctrl-C.
# Not a test: the numbers are one machine's; report them with the command line and the load averages.
set -u
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
before="9de6bac"; secs=20; sources=200; silent=64; loops=32; hello=""; sides="before after after-any kamailio"
phases="handshakes mixed"
while [ $# -gt 0 ]; do
  case "$1" in
    --before) before="${2:?}"; shift 2;;
    --seconds) secs="${2:?}"; shift 2;;
    --sources) sources="${2:?}"; shift 2;;
    --silent) silent="${2:?}"; shift 2;;
    --loops) loops="${2:?}"; shift 2;;
    --client-hello) hello="--client-hello"; shift;;
    --sides) sides="${2:?}"; shift 2;;
    --phases) phases="${2:?}"; shift 2;;
    -h|--help) sed -n '2,49p' "$0"; exit 0;;
    *) echo "unknown argument '$1' (see --help)" >&2; exit 2;;
  esac
done
for n in "$secs" "$sources" "$silent" "$loops"; do
  [[ "$n" =~ ^[0-9]+$ ]] || { echo "--seconds, --sources, --silent and --loops take whole numbers ('$n')" >&2; exit 2; }
done
for s in $phases; do
  case "$s" in handshakes|mixed) ;; *) echo "unknown phase '$s' (handshakes mixed)" >&2; exit 2;; esac
done
for s in $sides; do
  case "$s" in before|after|after-any|kamailio) ;; *) echo "unknown side '$s' (before after after-any kamailio)" >&2; exit 2;; esac
done
for c in dotnet git openssl jq kamailio unshare mount ss; do
  command -v "$c" >/dev/null || { echo "$c missing (see the header of $0)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install -y time" >&2; exit 1; }
ls /usr/lib/*/kamailio/modules/tls.so >/dev/null 2>&1 \
  || { echo "kamailio tls module missing: apt-get install -y --no-install-recommends kamailio-tls-modules" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "needs root: serve runs in a private mount namespace with its own /etc/hosts" >&2; exit 1; }
git -C "$repo" cat-file -e "$before^{commit}" 2>/dev/null || { echo "--before $before is not a commit of $repo" >&2; exit 1; }

. "$here/../workdir.sh" flood
say() { echo "[$(date -u +%T)] $*" >&2; }
die() { say "$*"; exit 1; }

# --- builds: before = an export of the commit, after = this checkout, the flood generator ---
build() { # NAME PROJECT_DIR -> path of the dll
  local name="$1" proj="$2" art="$work/art-$1"
  say "building $name ($proj)"
  timeout 900 dotnet build "$proj" -c Release --artifacts-path "$art" -nologo -v q > "$work/build-$name.log" 2>&1 \
    || { tail -30 "$work/build-$name.log" >&2; die "build of $name failed"; }
  find "$art/bin" -name "$3" -path '*release*' | head -1
}
before_id="$(git -C "$repo" rev-parse --short "$before")"
after_id="$(git -C "$repo" describe --always --dirty --abbrev=7)"
case " $sides " in *" before "*)
  before_dll="${OPENUM_BEFORE_DLL:-}"
  if [ -z "$before_dll" ]; then
    mkdir -p "$work/src-before"
    git -C "$repo" archive "$before" | tar -x -C "$work/src-before" || die "git archive $before failed"
    before_dll="$(build before "$work/src-before/src/OpenUM.Cli" openum.dll)"
  fi
  [ -f "$before_dll" ] || die "openum.dll of $before not found";;
esac
case " $sides " in *" after"*)
  after_dll="${OPENUM_AFTER_DLL:-$(build after "$repo/src/OpenUM.Cli" openum.dll)}"
  [ -f "$after_dll" ] || die "openum.dll of the checkout not found";;
esac
flood_dll="${FLOOD_DLL:-$(build flood "$repo/bench/flood/Flood.csproj" flood.dll)}"
[ -f "$flood_dll" ] || die "flood.dll not found"

# --- PKI and the private /etc/hosts ---
pki="$work/pki"
"$repo/scripts/make-test-pki.sh" "$pki" > "$work/pki.log" 2>&1 || { cat "$work/pki.log" >&2; die "test PKI failed"; }
hosts="$work/hosts"
{ cat /etc/hosts; echo "127.0.0.1 gw1.example.test"; } > "$hosts"
# shellcheck disable=SC2016
in_ns() { unshare -m --propagation private sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" "$@"; }

port_free() { [ -z "$(ss -Hltn "sport = :$1")" ] && [ -z "$(ss -Hlun "sport = :$1")" ]; }
used=" "
pick_port() { local p; for _ in $(seq 1 300); do p=$((21000 + RANDOM % 3000));
  case "$used" in *" $p "*) continue;; esac
  port_free "$p" && { used="$used$p "; echo "$p"; return; }; done; die "no free port"; }

# utime+stime ticks, VmRSS and PSS (kB) of a process and its children.
procs() { echo "$1"; ps -o pid= --ppid "$1" 2>/dev/null; }
ticks() { local p; for p in $(procs "$1"); do cat "/proc/$p/stat" 2>/dev/null; done |
  awk '{ sub(/^.*\) /, ""); t += $12 + $13 } END { print t + 0 }'; }
rss_kb() { local p; for p in $(procs "$1"); do grep '^VmRSS:' "/proc/$p/status" 2>/dev/null; done | awk '{ s += $2 } END { print s + 0 }'; }
pss_kb() { local p; for p in $(procs "$1"); do grep '^Pss:' "/proc/$p/smaps_rollup" 2>/dev/null; done | awk '{ s += $2 } END { print s + 0 }'; }
tck="$(getconf CLK_TCK)"

# The trusted gateway: SIP OPTIONS over mutual TLS with gw1's certificate, from 127.0.0.1; prints the status code
# of the answer, or "none" when none came within 5 s (handshake included).
probe() { # PORT
  local id="flood-probe-$RANDOM$RANDOM" out
  out="$( { printf 'OPTIONS sip:um.example.test SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK%s\r\nMax-Forwards: 70\r\nFrom: <sip:gw1@gw1.example.test>;tag=%s\r\nTo: <sip:um.example.test>\r\nCall-ID: %s@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContact: <sip:gw1@127.0.0.1:5061;transport=tls>\r\nContent-Length: 0\r\n\r\n' "$id" "$id" "$id"; sleep 5; } |
    timeout -k 2 10 openssl s_client -connect "127.0.0.1:$1" -servername um.example.test -cert "$pki/gw1.crt" \
      -key "$pki/gw1.key" -CAfile "$pki/ca.crt" -verify_return_error -brief 2>/dev/null | tr -d '\r' )"
  sed -n 's/^SIP\/2\.0 \([0-9][0-9][0-9]\).*/\1/p' <<< "$out" | head -1 | grep . || echo none
}

wait_load() { # prints the load1 the side starts with, and a note when it never got below LOAD_MAX
  local max="${LOAD_MAX:-1}" limit="${LOAD_WAIT:-300}" waited=0 l
  while :; do
    l="$(cut -d' ' -f1 /proc/loadavg)"
    awk -v l="$l" -v m="$max" 'BEGIN { exit !(l < m) }' && { echo "$l"; return; }
    [ "$waited" -ge "$limit" ] && { echo "$l (never below $max in ${limit} s)"; return; }
    sleep 5; waited=$((waited + 5))
  done
}

configure_openum() { # SIDE DLL DATA
  local side="$1" dll="$2" data="$3" thumb listed
  um() { in_ns dotnet "$dll" "$@" --data-dir "$data" >> "$work/cli-$side.log" 2>&1 || { tail -20 "$work/cli-$side.log" >&2; die "$side: openum $*"; }; }
  um cert trust "$pki/ca.crt"
  um cert trust --crl "$pki/ca.crl"
  um cert import "$pki/um.crt" --key "$pki/um.key"
  thumb="$(openssl x509 -in "$pki/um.crt" -noout -fingerprint -sha1 | sed 's/.*=//; s/://g')"
  listed="$(in_ns dotnet "$dll" cert list --json --data-dir "$data" 2>>"$work/cli-$side.log" |
    jq -r --arg t "$thumb" '.[] | select((.thumbprint | gsub(":"; "") | ascii_upcase) == $t) | .thumbprint' | head -1)"
  [ -n "$listed" ] || die "$side: um.crt ($thumb) is not in cert list --json"
  um cert enable "$listed"
  um dialplan new --name Secure --number-of-digits-in-extension 4 --voip-security SipSecured
  um gateway new --name gw1 --address gw1.example.test --dial-plan Secure
  um mailbox new --extension 1000 --dial-plan Secure --email user1000@example.test --display-name "User 1000"
  [ "$side" = after-any ] && um server set --allow-tls-from-any-address true
  return 0
}

start_server() { # SIDE PORT -> sets srv_pid, srv_log (the log whose growth is counted)
  local side="$1" port="$2" dll data rtp
  if [ "$side" = kamailio ]; then
    mkdir -p "$work/kam/run"
    printf '[server:default]\nmethod = TLSv1.2+\nverify_certificate = yes\nrequire_certificate = yes\nverify_depth = 3\ncertificate = %s\nprivate_key = %s\nca_list = %s\ncrl = %s\n' \
      "$pki/um.crt" "$pki/um.key" "$pki/ca.crt" "$pki/ca.crl" > "$work/kam/tls.cfg"
    local args=(-f "$here/kamailio-flood.cfg" -A "TLS_CFG=\"$work/kam/tls.cfg\"" -l "tls:127.0.0.1:$port"
      -Y "$work/kam/run" -w "$work/kam" -m 1024 -M 32)
    kamailio -c "${args[@]}" > "$work/kamailio-check.log" 2>&1 || { cat "$work/kamailio-check.log" >&2; die "kamailio config check failed"; }
    srv_log="$work/kamailio.log"
    kamailio "${args[@]}" -DD -E > "$srv_log" 2>&1 &
    srv_pid=$!; pids+=("$srv_pid")
    for _ in $(seq 1 300); do port_free "$port" || return 0; kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
    tail -20 "$srv_log" >&2; die "kamailio is not listening on $port"
  fi
  if [ "$side" = before ]; then dll="$before_dll"; else dll="$after_dll"; fi
  data="$work/data-$side"; srv_log="$data/events.jsonl"
  rtp=$((24000 + RANDOM % 3000))
  # exec all the way down (subshell -> unshare -> sh -> dotnet): $! is then the server itself, so its CPU and RSS
  # are the server's alone and SIGTERM reaches it.
  # shellcheck disable=SC2016
  ( exec unshare -m --propagation private sh -c 'mount --bind "$0" /etc/hosts && exec "$@"' "$hosts" \
      dotnet "$dll" serve --sip-tls-port "$port" --fqdn um.example.test --listen-address 127.0.0.1 \
      --rtp-ports "$rtp-$((rtp + 99))" --data-dir "$data" ) > "$work/serve-$side.log" 2>&1 &
  srv_pid=$!; pids+=("$srv_pid")
  for _ in $(seq 1 600); do
    if grep -q '"id":1114' "$srv_log" 2>/dev/null; then
      tr '\0' ' ' < "/proc/$srv_pid/cmdline" | grep -q 'openum.dll serve' && return 0
      die "$side: pid $srv_pid is not openum serve itself"
    fi
    kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1
  done
  tail -20 "$work/serve-$side.log" >&2; die "$side: openum serve wrote no event 1114 (listening)"
}

stop_server() {
  kill -TERM "$srv_pid" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$srv_pid" 2>/dev/null && { say "pid $srv_pid ignored SIGTERM for 15 s: killed"; kill -KILL "$srv_pid"; }
  wait "$srv_pid" 2>/dev/null
}

# One phase of the flood against the running server -> appends one JSON result to $results.
#   handshakes  only the handshake loops (no silent connections): what the handshakes alone cost the server
#   mixed       the silent connections and the handshake loops together: the caps and the trusted gateway
run_phase() { # SIDE PHASE PORT
  local side="$1" phase="$2" port="$3" k p0 t0 t1 b0 b1 l0 l1 mid after up rss pss alive top cu cs cmax tag="$1-$2"
  if [ "$phase" = handshakes ]; then k=0; else k="$silent"; fi
  p0="$(probe "$port")"
  b0="$(stat -c %s "$srv_log" 2>/dev/null || echo 0)"; l0="$(wc -l < "$srv_log" 2>/dev/null || echo 0)"
  say "$side: trusted probe before: $p0; $phase flood for $secs s"
  ( sleep "$(( (secs + 1) / 2 ))"; probe "$port" > "$work/probe-mid-$tag" ) &
  local mid_pid=$!
  t0="$(ticks "$srv_pid")"
  timeout -k 5 $((secs + 120)) /usr/bin/time -f '%U %S %M' -o "$work/flood-$tag.time" \
    dotnet "$flood_dll" "127.0.0.1:$port" "$sources" "$k" "$loops" "$secs" um.example.test $hello \
    > "$work/flood-$tag.json" 2> "$work/flood-$tag.err"
  t1="$(ticks "$srv_pid")"
  b1="$(stat -c %s "$srv_log" 2>/dev/null || echo 0)"; l1="$(wc -l < "$srv_log" 2>/dev/null || echo 0)"
  wait "$mid_pid"; mid="$(cat "$work/probe-mid-$tag")"
  jq -e . "$work/flood-$tag.json" > /dev/null 2>&1 || { cat "$work/flood-$tag.err" >&2; die "$tag: the flood printed no report"; }
  sleep 2
  if kill -0 "$srv_pid" 2>/dev/null; then alive=yes; else alive=no; fi
  rss="$(rss_kb "$srv_pid")"; pss="$(pss_kb "$srv_pid")"
  after="$(probe "$port")"
  if [ "$alive" = yes ] && [ "$after" != none ]; then up=yes; else up=no; fi
  top="-"
  if [ "$side" != kamailio ]; then
    top="$(tail -c +$((b0 + 1)) "$srv_log" | head -c $((b1 - b0)) | jq -r '.id' 2>/dev/null | sort | uniq -c | sort -rn | head -3 |
      awk '{ printf "%s%s x%s", (NR > 1 ? ", " : ""), $2, $1 }')"
  fi
  read -r cu cs cmax < <(tail -1 "$work/flood-$tag.time")
  local r
  r="$(jq -rc --arg side "$side" --arg phase "$phase" --arg load1 "$load1" --arg p0 "$p0" --arg mid "$mid" --arg after "$after" \
    --arg alive "$alive" --arg up "$up" --argjson cpu "$(awk -v a="$t0" -v b="$t1" -v t="$tck" 'BEGIN { printf "%.2f", (b - a) / t }')" \
    --argjson rss "$rss" --argjson pss "$pss" --argjson lines "$((l1 - l0))" --argjson bytes "$((b1 - b0))" --arg top "$top" \
    --argjson ccpu "$(awk -v u="$cu" -v s="$cs" 'BEGIN { printf "%.2f", u + s }')" --argjson cmax "$cmax" '
    . as $r | ($r.elapsedSeconds) as $el | ($r.handshakesRefused + $r.silentClosedByServer) as $refused |
    { side: $side, phase: $phase, load1: $load1, probeBefore: $p0, probeMid: $mid, probeAfter: $after, alive: $alive, up: $up,
      serverCpuS: $cpu, rssKb: $rss, pssKb: $pss, logLines: $lines, logBytes: $bytes, topEvents: $top,
      floodCpuS: $ccpu, floodMaxRssKb: $cmax,
      handshakesPerS: ($r.handshakesServerHello / $el), refused: $refused, refusedPerS: ($refused / $el),
      cpuUsPerRefused: (if $refused > 0 then $cpu * 1e6 / $refused else null end), report: $r }' "$work/flood-$tag.json")"
  echo "FLOODBENCH $r"; results+=("$r")
  [ "$alive" = yes ] || die "$side: the server died during the $phase flood"
}

run_side() { # SIDE (not in a subshell: the server's pid must reach the cleanup)
  local side="$1" port phase first=1
  port="$(pick_port)"
  say "$side: waiting for the 1-minute load to drop below ${LOAD_MAX:-1}"
  load1="$(wait_load)"
  say "$side: load1 $load1; starting the server on 127.0.0.1:$port"
  start_server "$side" "$port"
  for phase in $phases; do
    [ "$first" = 1 ] || sleep 5   # let the previous phase's connections close
    first=0
    run_phase "$side" "$phase" "$port"
  done
  stop_server
}

say "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" kernel=$(uname -r) dotnet=$(dotnet --version) kamailio=\"$(kamailio -v | sed -n 's/^version: //p')\" openssl=\"$(openssl version)\" nofile=$(ulimit -n) ports=\"$(tr '\t' - < /proc/sys/net/ipv4/ip_local_port_range)\""
echo "RUN before=$before_id after=$after_id seconds=$secs sources=$sources silent=$silent loops=$loops client_hello=${hello:-no} phases=\"$phases\" start=$(date -u +%FT%TZ)"
any_supported=no
case " $sides " in *" after-any "*)
  dotnet "$after_dll" server set --help 2>&1 | grep -q -- '--allow-tls-from-any-address' && any_supported=yes;;
esac
results=()
for side in $sides; do
  case "$side" in
    before) configure_openum before "$before_dll" "$work/data-before";;
    after) configure_openum after "$after_dll" "$work/data-after";;
    after-any)
      if [ "$any_supported" = no ]; then
        echo "NOTE after-any skipped: 'openum server set --help' of $after_id has no --allow-tls-from-any-address"
        continue
      fi
      configure_openum after-any "$after_dll" "$work/data-after-any";;
  esac
  run_side "$side"
done
echo "END $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""

label() { local l; case "$(jq -r .side <<< "$1")" in before) l="OpenUM before ($before_id)";; after) l="OpenUM after ($after_id)";;
  after-any) l="OpenUM after ($after_id), any address";; *) l="Kamailio 5.6.3 tls";; esac; echo "$l, $(jq -r .phase <<< "$1")"; }
echo
echo "| side, phase | load1 before | server handshakes/s | refused conns/s | server CPU s | CPU µs / refused | RSS end MB (PSS) | stayed up | trusted OPTIONS before / mid / after | log lines (bytes) in flood |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for r in "${results[@]}"; do
  jq -r --arg name "$(label "$r")" '"| \($name) | \(.load1) | \(.handshakesPerS | floor) | \(.refusedPerS | floor) | \(.serverCpuS) | \(if .cpuUsPerRefused then (.cpuUsPerRefused | floor) else "n/a" end) | \(.rssKb / 1024 | floor) (\(.pssKb / 1024 | floor)) | \(.up) | \(.probeBefore) / \(.probeMid) / \(.probeAfter) | \(.logLines) (\(.logBytes)) |"' <<< "$r"
done
echo
echo "| side, phase | flood s | connects ok / failed (reasons) | silent slots, peak held | silent closed by server | handshakes: attempted, ServerHello, refused before / after SH, completed, timed out | flood CPU s | top events in flood |"
echo "|---|---|---|---|---|---|---|---|"
for r in "${results[@]}"; do
  jq -r --arg name "$(label "$r")" '.report as $f | "| \($name) | \($f.elapsedSeconds * 10 | floor / 10) | \($f.connectsSucceeded) / \($f.connectsFailed) (\($f.connectFailures | to_entries | map("\(.key) \(.value)") | join(", "))) | \($f.silentSlots), \($f.peakSilentHeld) | \($f.silentClosedByServer) | \($f.handshakesAttempted), \($f.handshakesServerHello), \($f.handshakesRefusedBeforeServerHello) / \($f.handshakesRefusedAfterServerHello + $f.handshakesCompletedThenRefused), \($f.handshakesCompleted), \($f.handshakesTimedOut) | \(.floodCpuS) | \(.topEvents) |"' <<< "$r"
done
