#!/usr/bin/env bash
# side-by-side.sh - OpenUM SRTP (BenchmarkDotNet) beside Debian's libsrtp2 (C harness), same sizes, one run.
#
# Usage: bench/srtp/side-by-side.sh [SECONDS] [BDN_WARMUP] [BDN_ITERATIONS]
#   SECONDS         measured protect time per suite/size in each libsrtp2 run (default 1)
#   BDN_WARMUP      BenchmarkDotNet warm-up iterations (default 10)
#   BDN_ITERATIONS  BenchmarkDotNet measured iterations (default 40); one iteration = one batch of 2048 packets
# Needs gcc, pkg-config and libsrtp2-dev (apt-get install -y --no-install-recommends libsrtp2-dev gcc libc6-dev
# pkg-config), python3 and the .NET SDK. Runs libsrtp2, then BenchmarkDotNet (--filter '*SrtpBenchmark*'), then
# libsrtp2 again, and prints a table: suite, op, size, OpenUM packets/s, libsrtp2 packets/s (mean of its two
# runs, both shown), ratio OpenUM/libsrtp2, OpenUM allocated B/op. Both sides time batches of 2048 packets and
# report the median batch (packets/s = 2048 / median batch time). Work files go to $BENCH_OUT (default
# /tmp/openum-srtp-bench); the .NET build to $BENCH_ARTIFACTS (default /tmp/openum-bench-artifacts).
set -eu
case "${1:-}" in -h|--help) sed -n '2,13p' "$0"; exit 0;; esac
secs="${1:-1}"; warm="${2:-10}"; iters="${3:-40}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${BENCH_OUT:-/tmp/openum-srtp-bench}"
art="${BENCH_ARTIFACTS:-/tmp/openum-bench-artifacts}"
sizes="172 1372"
mkdir -p "$out"
gcc -O2 -Wall -Wextra -o "$out/libsrtp-bench" "$here/libsrtp-bench.c" $(pkg-config --cflags --libs libsrtp2) \
  || { echo "build of libsrtp-bench failed (apt-get install libsrtp2-dev gcc libc6-dev pkg-config)" >&2; exit 1; }
lib="$(ldconfig -p | sed -n 's/.*libsrtp2\.so\.[0-9]* ([^)]*) => //p' | head -1)"
backend="$( (ldd "$lib" | grep -oE 'lib(nss3|crypto)\.so[^ ]*' | head -1) || true)"
echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\""
echo "VERSIONS libsrtp2=$(dpkg-query -W -f='${Version}' 'libsrtp2-1' 2>/dev/null || echo '?') backend=${backend:-?} dotnet=$(dotnet --version) gcc=$(gcc -dumpfullversion)"
echo "START $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""

"$out/libsrtp-bench" -t "$secs" $sizes | tee "$out/libsrtp-1.txt"
rm -rf "$out/bdn"
(cd "$here/../.." && dotnet run -c Release --project bench/OpenUM.Bench --artifacts-path "$art" -- \
  --filter '*SrtpBenchmark*' --launchCount 1 --warmupCount "$warm" --iterationCount "$iters" \
  --invocationCount 1 --unrollFactor 1 --exporters json --artifacts "$out/bdn") > "$out/bdn.log" 2>&1 \
  || { tail -40 "$out/bdn.log" >&2; echo "BenchmarkDotNet run failed, log: $out/bdn.log" >&2; exit 1; }
echo "BDN done $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\" log=$out/bdn.log"
"$out/libsrtp-bench" -t "$secs" $sizes | tee "$out/libsrtp-2.txt"
echo "END $(date -u +%FT%TZ) loadavg=\"$(cut -d' ' -f1-3 /proc/loadavg)\""

python3 - "$out" <<'EOF'
import glob, json, re, sys
out = sys.argv[1]
names = {"AesCm128HmacSha1_80": "AES_CM_128_HMAC_SHA1_80", "AesCm128HmacSha1_32": "AES_CM_128_HMAC_SHA1_32",
         "Aes256CmHmacSha1_80": "AES_256_CM_HMAC_SHA1_80", "Aes256CmHmacSha1_32": "AES_256_CM_HMAC_SHA1_32",
         "AeadAes128Gcm": "AEAD_AES_128_GCM", "AeadAes256Gcm": "AEAD_AES_256_GCM"}
ref = {}
for run in (1, 2):
    for line in open(f"{out}/libsrtp-{run}.txt"):
        f = line.split()
        if len(f) >= 5 and f[0] == "libsrtp2" and f[2] in ("protect", "unprotect"):
            ref.setdefault((f[1], f[2], int(f[3])), []).append(float(f[4]))
        elif len(f) >= 4 and f[0] == "libsrtp2" and f[2] == "unsupported":
            ref[(f[1], "protect", int(f[3]))] = ref[(f[1], "unprotect", int(f[3]))] = None
rows = []
for path in glob.glob(f"{out}/bdn/results/*SrtpBenchmark*-report-full*.json"):
    for b in json.load(open(path))["Benchmarks"]:
        p = dict(kv.split("=", 1) for kv in b["Parameters"].split("&"))
        suite, size, op = names[p["Suite"]], int(p["Size"]), b["Method"].lower()
        st = b.get("Statistics")
        pps = 1e9 / st["Median"] if st else None
        err = (st["ConfidenceInterval"]["Margin"] / st["Mean"] * 100) if st else None
        alloc = (b.get("Memory") or {}).get("BytesAllocatedPerOperation")
        rows.append((list(names.values()).index(suite), size, op, suite, pps, err, alloc))
print()
print("| suite | op | size | OpenUM pkts/s (CI) | libsrtp2 pkts/s (run 1 / run 2) | ratio | OpenUM allocated B/op |")
print("|---|---|---:|---:|---:|---:|---:|")
for _, size, op, suite, pps, err, alloc in sorted(rows):
    r = ref.get((suite, op, size), "missing")
    if r is None:
        lib, ratio = "unsupported", "-"
    elif r == "missing":
        lib, ratio = "missing", "-"
    else:
        mean = sum(r) / len(r)
        lib = f"{mean:,.0f} ({' / '.join(f'{x:,.0f}' for x in r)})"
        ratio = f"{pps / mean:.2f}x" if pps else "-"
    o = f"{pps:,.0f} (±{err:.0f}%)" if pps else "failed"
    print(f"| {suite} | {op} | {size} | {o} | {lib} | {ratio} | {alloc if alloc is not None else '?'} |")
if not rows:
    print("no BenchmarkDotNet results found", file=sys.stderr)
    sys.exit(1)
EOF
