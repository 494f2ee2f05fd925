#!/usr/bin/env bash
# Fuzz smoke test, part of scripts/test.sh: each target runs under AFL++ for a few seconds (FUZZ_SMOKE_SECONDS,
# default 10), then every seed in fuzz/corpus/TARGET and every saved crash input in fuzz/regressions/TARGET is
# replayed through the harness without AFL. One line per target:
#   fuzz TARGET: ok (N execs, 0 crashes, 0 hangs, M inputs replayed)
#   fuzz TARGET: FAILED (why)
# followed, on failure, by the stack traces and inputs. Exits non-zero when any target failed.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SMOKE_SECONDS:-10}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
harness=fuzz/OpenUM.Fuzz/bin/Release/net10.0/OpenUM.Fuzz.dll # uninstrumented: replays run it without AFL
failed=0
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# One build for all targets; run.sh then only instruments its own copy.
prebuilt=--prebuilt
if ! dotnet tool restore >"$tmp/build.log" 2>&1 \
  || ! dotnet build fuzz/OpenUM.Fuzz/OpenUM.Fuzz.csproj -c Release -nologo -v quiet >>"$tmp/build.log" 2>&1; then
  prebuilt="" # each target then reports the failure itself
  tail -20 "$tmp/build.log"
fi

for target in sip sdp sdes srtp; do
  afl=$tmp/$target
  fuzz/run.sh "$target" --seconds "$seconds" --out "$afl" $prebuilt >"$tmp/$target.run" 2>&1
  run_code=$?
  summary=$(grep -m1 "^fuzz $target: [0-9]* execs" "$tmp/$target.run")
  execs=$(sed -E 's/^fuzz [a-z]+: ([0-9]+) execs.*/\1/' <<<"$summary")
  crashes=$(sed -nE 's/.* ([0-9]+) crashes.*/\1/p' <<<"$summary")
  hangs=$(sed -nE 's/.* ([0-9]+) hangs.*/\1/p' <<<"$summary")

  replay_code=1
  if [ -f "$harness" ]; then
    inputs=("fuzz/corpus/$target")
    [ "$target" = sip ] && inputs+=(tests/OpenUM.Sip.Tests/Rfc4475/Messages)
    [ -d "fuzz/regressions/$target" ] && inputs+=("fuzz/regressions/$target")
    dotnet "$harness" "$target" --replay "${inputs[@]}" >"$tmp/$target.replay" 2>&1
    replay_code=$?
  else
    echo "the harness was not built" >"$tmp/$target.replay"
  fi
  replayed=$(sed -nE "s/^replay $target: ([0-9]+) inputs.*/\1/p" "$tmp/$target.replay")

  if [ "$run_code" -eq 0 ] && [ -n "$summary" ] && [ "${execs:-0}" -gt 0 ] && [ "$replay_code" -eq 0 ]; then
    echo "fuzz $target: ok ($execs execs, $crashes crashes, $hangs hangs, $replayed inputs replayed)"
    continue
  fi
  failed=$((failed + 1))
  if [ -z "$summary" ]; then
    echo "fuzz $target: FAILED (afl-fuzz did not run)"
    tail -25 "$tmp/$target.run"
  elif [ "$run_code" -ne 0 ] || [ "${execs:-0}" -eq 0 ]; then
    echo "fuzz $target: FAILED ($execs execs, $crashes crashes, $hangs hangs)"
    # The stack trace of every crash and the input of every hang, for the log.
    for kind in crashes hangs; do
      [ -d "$afl/default/$kind" ] && [ -n "$(ls -A "$afl/default/$kind" 2>/dev/null | grep -v README)" ] \
        && dotnet "$harness" "$target" --replay "$afl/default/$kind" 2>&1 | head -60
    done
  else
    echo "fuzz $target: FAILED (replay of the corpus and regressions: $(tail -1 "$tmp/$target.replay"))"
    head -60 "$tmp/$target.replay"
  fi
done
[ "$failed" -eq 0 ]
