#!/usr/bin/env bash
# Coverage-guided fuzzing of one parser with AFL++ and SharpFuzz.
#
#   fuzz/run.sh TARGET [--seconds N] [--execs N] [--timeout MS] [--out DIR] [--in-process] [--prebuilt]
#
# TARGET is sip, sdp, sdes or srtp. The run stops after N seconds or about N executions, whichever comes first
# (default: 120 seconds). It builds the harness (Release), copies it to fuzz/out/TARGET/bin, instruments the
# assembly under test there (never the build output the tests use), runs afl-fuzz on fuzz/corpus/TARGET (for sip also the
# RFC 4475 messages of tests/OpenUM.Sip.Tests/Rfc4475) and
# ends with the figures from fuzzer_stats, including a Markdown row for fuzz/RESULTS.md. Exit code: 0 when
# no crash and no hang was saved, 1 when one was (they are in OUT/default/crashes and hangs), 2 on setup errors.
# Works as root on Debian 12 with the .NET 10 SDK and the afl++ package.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '4p' "$0" | sed 's/^# *//' >&2; exit 2; }
[ $# -ge 1 ] || usage
target=$1; shift
case "$target" in sip|sdp|sdes|srtp) ;; *) echo "unknown target '$target' (sip, sdp, sdes, srtp)" >&2; exit 2 ;; esac
seconds=120 execs=0 timeout_ms=5000 out="" mode="" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --execs) execs=$2; shift 2 ;;
    --timeout) timeout_ms=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --in-process) mode=--in-process; shift ;;
    --prebuilt) build=0; shift ;; # the caller already ran `dotnet tool restore` and built the harness
    *) usage ;;
  esac
done
command -v afl-fuzz >/dev/null || { echo "afl-fuzz is missing: apt-get install afl++ (or scripts/install-test-deps.sh)" >&2; exit 2; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Build, then instrument a private copy: SharpFuzz rewrites the assemblies in place, and the instrumented ones
# need a fork server to run (they write coverage into AFL's shared memory).
work=fuzz/out/$target
if [ "$build" -eq 1 ]; then
  dotnet tool restore >/dev/null || { echo "dotnet tool restore failed (SharpFuzz.CommandLine)" >&2; exit 2; }
  dotnet build fuzz/OpenUM.Fuzz/OpenUM.Fuzz.csproj -c Release -nologo -v quiet >/dev/null \
    || { dotnet build fuzz/OpenUM.Fuzz/OpenUM.Fuzz.csproj -c Release -nologo -v quiet | tail -20; exit 2; }
fi
[ -f fuzz/OpenUM.Fuzz/bin/Release/net10.0/OpenUM.Fuzz.dll ] || { echo "the harness is not built" >&2; exit 2; }
rm -rf "$work/bin"; mkdir -p "$work"
cp -r fuzz/OpenUM.Fuzz/bin/Release/net10.0 "$work/bin"
# Only the code under test is instrumented: coverage of the harness, the BCL or SharpFuzz would be noise.
assembly=OpenUM.Media; [ "$target" = sip ] && assembly=OpenUM.Sip
dotnet sharpfuzz "$work/bin/$assembly.dll" >/dev/null || { echo "sharpfuzz could not instrument $assembly.dll" >&2; exit 2; }

# Seeds: the target's corpus; for sip also the RFC 4475 torture messages the stack's tests carry.
seeds=$work/seeds
rm -rf "$seeds"; mkdir -p "$seeds"
cp "fuzz/corpus/$target"/* "$seeds"/
[ "$target" = sip ] && cp tests/OpenUM.Sip.Tests/Rfc4475/Messages/*.dat "$seeds"/

[ -n "$out" ] || out=$work/findings-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$(dirname "$out")"
dict=()
[ -f "fuzz/dict/$target.dict" ] && dict=(-x "fuzz/dict/$target.dict")
limits=(-V "$seconds")
[ "$execs" -gt 0 ] && limits+=(-E "$execs")

# AFL++ settings for a .NET target:
# - AFL_SKIP_BIN_CHECK: the program afl-fuzz starts is `dotnet`, which carries no AFL instrumentation markers;
#   the coverage comes from the SharpFuzz-instrumented assemblies it loads.
# - -m none: the .NET runtime reserves far more virtual memory (GC regions) than any AFL memory limit allows.
# - -t: per-execution timeout in ms. An execution takes well under a millisecond; the margin covers JIT and GC
#   pauses on a loaded CI machine, so a saved hang is a real one. The out-of-process fork server (default)
#   restarts the .NET child after a hang or a hard crash and fuzzing goes on; --in-process is faster but the
#   first hang or process-killing fault (stack overflow, guard page) ends the run.
# - AFL_FORKSRV_INIT_TMOUT: the fork server is up only once the runtime has started and JIT-compiled the
#   harness, which can take seconds on a busy machine.
# - AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES, AFL_SKIP_CPUFREQ: CI machines (containers, even as root) cannot change
#   /proc/sys/kernel/core_pattern or the CPU governor; neither matters for a managed target, whose crashes are
#   reported through the fork server rather than by core dumps.
# - AFL_NO_AFFINITY: the machines are shared; binding to a "free" core fails or fights other jobs.
# - AFL_NO_UI: status lines in logs instead of a full-screen display; AFL_FAST_CAL: fewer calibration runs.
export AFL_SKIP_BIN_CHECK=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1 \
  AFL_NO_UI=1 AFL_FAST_CAL=1 AFL_FORKSRV_INIT_TMOUT=60000
log=$out.log
bound="${seconds} s"; [ "$execs" -gt 0 ] && bound="$bound or about $execs executions"
echo "fuzz $target: afl-fuzz for $bound -> $out (log $log)"
set +e
afl-fuzz -i "$seeds" -o "$out" -t "$timeout_ms" -m none "${limits[@]}" "${dict[@]}" \
  -- dotnet "$work/bin/OpenUM.Fuzz.dll" "$target" $mode >"$log" 2>&1
code=$?
set -e
stats=$out/default/fuzzer_stats
if [ ! -f "$stats" ]; then
  echo "afl-fuzz did not start (exit $code):"; tail -25 "$log"; exit 2
fi
stat() { sed -n "s/^$1 *: *//p" "$stats" | head -1; }
done_execs=$(stat execs_done)
run_time=$(stat run_time)
crashes=$(stat saved_crashes); crashes=${crashes:-$(stat unique_crashes)}
hangs=$(stat saved_hangs); hangs=${hangs:-$(stat unique_hangs)}
rate=$(( run_time > 0 ? done_execs / run_time : done_execs ))
echo "fuzz $target: $done_execs execs in $run_time s ($rate exec/s), $crashes crashes, $hangs hangs," \
  "$(stat edges_found) edges, $(stat corpus_count) corpus entries, stability $(stat stability)"
echo "| $target | $run_time | $done_execs | $rate | $crashes | $hangs | $(stat edges_found) | $(stat corpus_count) | $(stat stability) |"
if [ "$code" -ne 0 ]; then echo "afl-fuzz exited with $code:"; tail -15 "$log"; exit 2; fi
if [ "$crashes" -gt 0 ] || [ "$hangs" -gt 0 ]; then
  echo "findings in $out/default/crashes and $out/default/hangs; replay one with:"
  echo "  dotnet fuzz/OpenUM.Fuzz/bin/Release/net10.0/OpenUM.Fuzz.dll $target --replay $out/default/crashes"
  exit 1
fi
