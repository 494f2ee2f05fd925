#!/usr/bin/env bash
# build-libsrtp-openssl.sh - the SRTP reference: Debian's libsrtp2 source package built on OpenSSL.
#
# Usage: bench/srtp/build-libsrtp-openssl.sh PREFIX
#   PREFIX  where include/srtp2/*.h and lib/libsrtp2.a go (created; reused when PREFIX/lib/libsrtp2.a exists)
#
# Debian's binary libsrtp2 is built on NSS and is 4-5x slower than a C server linking libsrtp on OpenSSL, so it is
# not the figure to beat. This fetches the same source (`apt-get source libsrtp2`: 2.5.0 on bookworm, with Debian's
# patches), configures it with --enable-openssl in a temporary directory and installs only the static library and
# headers under PREFIX: the harness links it statically, so the system's NSS build can never be picked up instead.
# Nothing is vendored. Needs a deb-src line for the release (e.g. a file in /etc/apt/sources.list.d/ with
# "Types: deb-src" and the same URIs/Suites as the deb line, then apt-get update), dpkg-dev, gcc, make, libssl-dev.
set -eu
case "${1:-}" in ""|-h|--help) sed -n '2,12p' "$0"; exit 2;; esac
prefix="$1"
if [ -f "$prefix/lib/libsrtp2.a" ] && [ -f "$prefix/include/srtp2/srtp.h" ]; then
  echo "reference already built: $prefix" >&2
  exit 0
fi
pkg-config --exists libcrypto || { echo "libssl-dev is missing (apt-get install libssl-dev)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get source libsrtp2 >"$work/source.log" 2>&1) \
  || { tail -5 "$work/source.log" >&2; echo "apt-get source libsrtp2 failed: is there a deb-src line? (see the header)" >&2; exit 1; }
src="$(find "$work" -maxdepth 1 -type d -name 'libsrtp2-*' | head -1)"
[ -n "$src" ] || { echo "no libsrtp2-* directory after apt-get source" >&2; exit 1; }
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"
(cd "$src" && ./configure --enable-openssl --prefix="$prefix" && make -j"$(nproc)" libsrtp2.a && make install) \
  >"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; echo "libsrtp2 build failed" >&2; exit 1; }
# configure falls back to its own AES/SHA-1 when it cannot find OpenSSL: refuse that build.
grep -q '^#define OPENSSL 1' "$src/crypto/include/config.h" \
  || { echo "libsrtp2 was not configured on OpenSSL (see config.h)" >&2; rm -rf "$prefix/lib/libsrtp2.a"; exit 1; }
grep -q '^#define GCM 1' "$src/crypto/include/config.h" \
  || { echo "libsrtp2 was built without AES-GCM" >&2; rm -rf "$prefix/lib/libsrtp2.a"; exit 1; }
dsc="$(basename "$(ls "$work"/*.dsc | head -1)" .dsc)"
echo "$dsc" >"$prefix/SOURCE"
echo "$dsc (Debian source package) built with --enable-openssl into $prefix" >&2
