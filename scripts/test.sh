#!/usr/bin/env bash
# Runs every test: installs the peers the interop tests drive, builds, runs each test project
# (unit tests first, then interop against the real server), and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/install-test-deps.sh || { echo "0 passed, 1 failed"; exit 1; }
if ! dotnet build OpenUM.slnx -c Release -nologo -v quiet; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi

results=$(mktemp -d); trap 'rm -rf "$results"' EXIT
passed=0 failed=0 skipped=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal" \
    >"$results/$name.log" 2>&1
  code=$?
  grep -E '^\s+(Failed|Skipped) |^(Passed|Failed)!|Error Message|^\s+Assert|Total tests' "$results/$name.log" | head -80
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
    n=$(sed -E 's/.* notExecuted="([0-9]+)".*/\1/' <<<"$counters")
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + n))
    # A host crash or aborted run can leave counters that do not show the failure.
    if [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); tail -30 "$results/$name.log"; fi
  else
    echo "$name did not produce results:"; tail -40 "$results/$name.log"
    failed=$((failed + 1))
  fi
done

# Fuzz smoke (fuzz/smoke.sh): each parser a stranger reaches runs briefly under AFL++ and replays its seeds and
# saved crash inputs; every target is one test in the tally. A smoke that cannot run counts as a failure.
echo "== fuzz smoke"
if [ -x fuzz/smoke.sh ]; then
  fuzz/smoke.sh 2>&1 | tee "$results/fuzz-smoke.log"
  fuzz_code=${PIPESTATUS[0]}
else
  echo "fuzz/smoke.sh is missing" | tee "$results/fuzz-smoke.log"; fuzz_code=1
fi
fuzz_ok=$(grep -cE '^fuzz [a-z]+: ok ' "$results/fuzz-smoke.log")
fuzz_failed=$(grep -cE '^fuzz [a-z]+: FAILED' "$results/fuzz-smoke.log")
passed=$((passed + fuzz_ok)); failed=$((failed + fuzz_failed))
if { [ "$fuzz_code" -ne 0 ] && [ "$fuzz_failed" -eq 0 ]; } || [ $((fuzz_ok + fuzz_failed)) -eq 0 ]; then failed=$((failed + 1)); fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
