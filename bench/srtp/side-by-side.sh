#!/usr/bin/env bash
# side-by-side.sh - OpenUM SRTP (BenchmarkDotNet) beside libsrtp 2.5.0 built on OpenSSL (C harness), one run.
#
# Usage: bench/srtp/side-by-side.sh [SECONDS] [BDN_WARMUP] [BDN_ITERATIONS]
#   SECONDS         measured protect time per suite/size in each libsrtp run (default 1)
#   BDN_WARMUP      BenchmarkDotNet warm-up iterations (default 20)
#   BDN_ITERATIONS  BenchmarkDotNet measured iterations (default 100); one iteration = one batch of 2048 packets
# The reference (REF=openssl, the default) is Debian's libsrtp2 source package configured --enable-openssl, built by
# build-libsrtp-openssl.sh into $BENCH_OUT/libsrtp-openssl and linked statically into libsrtp-bench: what a C
# server on OpenSSL runs. REF=system links the installed libsrtp2 instead (Debian's binary is built on NSS and is
# 4-5x slower: not the reference to beat). Needs gcc, make, pkg-config, libssl-dev, dpkg-dev and a deb-src line
# (REF=openssl) or libsrtp2-dev (REF=system), python3 and the .NET SDK. Runs the reference, then BenchmarkDotNet
# (--filter '*SrtpBenchmark*'), then the reference again, recording the load average before each, and prints a
# table: suite, op, size, OpenUM packets/s, reference packets/s (mean of its two runs, both shown), ratio
# OpenUM/reference, OpenUM allocated B/op. Both sides time batches of 2048 packets and report the median batch
# (packets/s = 2048 / median batch time). Work files go to $BENCH_OUT (default: a new directory from mktemp, named
# at the start; reuse one to keep the built reference); the .NET build to $BENCH_ARTIFACTS (default
# $BENCH_OUT/artifacts).
set -eu
case "${1:-}" in -h|--help) sed -n '2,18p' "$0"; exit 0;; esac
secs="${1:-1}"; warm="${2:-20}"; iters="${3:-100}"
here="$(cd "$(dirname "$0")" && pwd)"
out="${BENCH_OUT:-$(mktemp -d -t openum-srtp-bench.XXXXXX)}"
art="${BENCH_ARTIFACTS:-$out/artifacts}"
echo "OUT $out (artifacts $art)"
ref="${REF:-openssl}"
sizes="172 1372"
load() { cut -d' ' -f1-3 /proc/loadavg; }
mkdir -p "$out"
case "$ref" in
openssl)
  "$here/build-libsrtp-openssl.sh" "$out/libsrtp-openssl"
  gcc -O2 -Wall -Wextra -o "$out/libsrtp-bench" "$here/libsrtp-bench.c" -I"$out/libsrtp-openssl/include" \
    "$out/libsrtp-openssl/lib/libsrtp2.a" $(pkg-config --libs libcrypto) \
    || { echo "build of libsrtp-bench failed" >&2; exit 1; }
  refname="libsrtp $(cat "$out/libsrtp-openssl/SOURCE") --enable-openssl (static), $(openssl version | cut -d' ' -f1-2)"
  ;;
system)
  gcc -O2 -Wall -Wextra -o "$out/libsrtp-bench" "$here/libsrtp-bench.c" $(pkg-config --cflags --libs libsrtp2) \
    || { echo "build of libsrtp-bench failed (apt-get install libsrtp2-dev gcc libc6-dev pkg-config)" >&2; exit 1; }
  lib="$(ldconfig -p | sed -n 's/.*libsrtp2\.so\.[0-9]* ([^)]*) => //p' | head -1)"
  refname="libsrtp2 $(dpkg-query -W -f='${Version}' 'libsrtp2-1' 2>/dev/null || echo '?') (system, $( (ldd "$lib" | grep -oE 'lib(nss3|crypto)\.so[^ ]*' | head -1) || echo '?'))"
  ;;
*) echo "REF must be openssl or system" >&2; exit 2;;
esac
echo "MACHINE nproc=$(nproc) cpu=\"$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)\" flags=\"$(grep -m1 -ow -E 'aes|sha_ni|avx2|avx512f|vaes|vpclmulqdq' /proc/cpuinfo | sort -u | tr '\n' ' ')\""
echo "VERSIONS reference=\"$refname\" dotnet=$(dotnet --version) gcc=$(gcc -dumpfullversion) commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "LOAD before reference run 1: $(date -u +%FT%TZ) loadavg=\"$(load)\""
"$out/libsrtp-bench" -t "$secs" $sizes | tee "$out/libsrtp-1.txt"
rm -rf "$out/bdn"
echo "LOAD before OpenUM (BenchmarkDotNet): $(date -u +%FT%TZ) loadavg=\"$(load)\""
(cd "$here/../.." && dotnet run -c Release --project bench/OpenUM.Bench --artifacts-path "$art" -- \
  --filter '*SrtpBenchmark*' --launchCount 1 --warmupCount "$warm" --iterationCount "$iters" \
  --invocationCount 1 --unrollFactor 1 --exporters json --artifacts "$out/bdn") > "$out/bdn.log" 2>&1 \
  || { tail -40 "$out/bdn.log" >&2; echo "BenchmarkDotNet run failed, log: $out/bdn.log" >&2; exit 1; }
echo "LOAD before reference run 2: $(date -u +%FT%TZ) loadavg=\"$(load)\" (BenchmarkDotNet log: $out/bdn.log)"
"$out/libsrtp-bench" -t "$secs" $sizes | tee "$out/libsrtp-2.txt"
echo "END $(date -u +%FT%TZ) loadavg=\"$(load)\""

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
print("| suite | op | size | OpenUM pkts/s (CI) | reference pkts/s (run 1 / run 2) | ratio | OpenUM allocated B/op |")
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
