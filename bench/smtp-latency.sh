#!/usr/bin/env bash
# smtp-latency.sh [CALLS] - latency from hang-up to the voice message in a real Postfix smart host's
# mailbox (STARTTLS + client certificate), p50/p99 over CALLS SIPp calls (default 100).
# Runs bench/OpenUM.SmtpLatency (the SmtpLatencyBench test on the interop harness; not part of scripts/test.sh)
# as root (Postfix's master needs it); prints one line:
#   calls=100 p50_ms=... p99_ms=... min_ms=... max_ms=...
set -euo pipefail
cd "$(dirname "$0")/.."
calls="${1:-100}"
out="$(mktemp)"; trap 'rm -f "$out"' EXIT
# Built apart from the solution's own output, in the temp directory (kept between runs to save the rebuild).
artifacts="${ARTIFACTS:-$(dirname "$out")/openum-bench-smtp}"
scripts/install-test-deps.sh
OPENUM_SMTP_BENCH_CALLS="$calls" OPENUM_SMTP_BENCH_OUT="$out" \
  dotnet test bench/OpenUM.SmtpLatency -c Release --artifacts-path "$artifacts" \
  --filter "FullyQualifiedName~SmtpLatencyBench" --nologo >&2
cat "$out"
