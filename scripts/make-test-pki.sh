#!/usr/bin/env bash
# make-test-pki.sh OUTDIR [--force]
#
# A throw-away test PKI for the mutual-TLS tests, made with openssl at test time (never committed).
# Keys are ECDSA P-256 (fast), signatures SHA-256. Every file is PEM; NAME.pem is NAME.crt + NAME.key
# in one file (what baresip and stunnel take).
#
#   ca.crt ca.key             "OpenUM Test Root CA" (valid from 2019 for 20 years)
#   ca.crl                    CRL of that CA, listing revoked.crt
#   um.*                      DNS:um.example.test, EKU serverAuth+clientAuth (the UM server)
#   um2.*                     a second um.example.test certificate from the same CA (rotation tests)
#   gw1.*                     DNS:gw1.example.test, EKU serverAuth+clientAuth (the gateway)
#   expired.*                 DNS:gw1.example.test, valid 2020-01-01 .. 2021-01-01
#   notyetvalid.*             DNS:gw1.example.test, valid from one year from now
#   revoked.*                 DNS:gw1.example.test, listed in ca.crl
#   wrongname.*               DNS:other.example.test (valid chain, name of no gateway)
#   serveronly.*              DNS:gw1.example.test, EKU serverAuth only (no clientAuth)
#   untrusted-ca.crt/.key     a second root, "Rogue Test CA", that nobody trusts
#   untrusted-gw1.*           DNS:gw1.example.test signed by the rogue CA
#   selfsigned.*              DNS:gw1.example.test, self-signed
#
# The certificates of the gateway-side failures carry the gateway's name (gw1.example.test), so each
# fails for exactly one reason. None of the *.example.test names resolve: peers connect to 127.0.0.1
# and are given the expected name separately.
#
# Idempotent: when OUTDIR/.pki-complete exists nothing is done (--force rebuilds). The PKI is built
# in a temporary directory beside OUTDIR and published at the end, so an interrupted run leaves none.
set -euo pipefail
out="${1:?usage: $0 OUTDIR [--force]}"
force="${2:-}"
command -v openssl >/dev/null || { echo "openssl is not installed: apt-get install -y openssl" >&2; exit 1; }
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ -f "$out/.pki-complete" ] && [ "$force" != "--force" ]; then
  echo "test PKI already present in $out"
  exit 0
fi

work="$(mktemp -d "$out/.build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
umask 077

# One openssl "ca" database per CA, so certificates get serials and the CRL can list them.
ca_config() { # DIR
  local d="$1"
  mkdir -p "$d/certs"
  : > "$d/index.txt"
  openssl rand -hex 8 > "$d/serial"
  echo 01 > "$d/crlnumber"
  cat > "$d/openssl.cnf" <<EOF
[ ca ]
default_ca = this_ca
[ this_ca ]
dir              = $work/$d
database         = \$dir/index.txt
new_certs_dir    = \$dir/certs
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
certificate      = \$dir/ca.crt
private_key      = \$dir/ca.key
default_md       = sha256
default_days     = 825
default_crl_days = 3650
policy           = any_name
unique_subject   = no
copy_extensions  = none
preserve         = yes
email_in_dn      = no
[ any_name ]
organizationName = optional
commonName       = supplied
[ root ]
basicConstraints       = critical, CA:TRUE
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ client_server ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth, clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = \${ENV::LEAF_SAN}
[ server_only ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = serverAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid
subjectAltName         = \${ENV::LEAF_SAN}
EOF
}
export LEAF_SAN="DNS:unused.example.test"

new_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

new_root() { # DIR CN
  local d="$1" cn="$2"
  ca_config "$d"
  new_key "$d/ca.key"
  openssl req -new -key "$d/ca.key" -subj "/O=OpenUM Test/CN=$cn" -out "$d/ca.csr"
  # Self-signed through "openssl ca" so the start date can lie in the past (the expired leaf must
  # fall inside the CA's validity).
  openssl ca -batch -config "$d/openssl.cnf" -selfsign -keyfile "$d/ca.key" -extensions root \
    -startdate 20190101000000Z -enddate 20390101000000Z -in "$d/ca.csr" -out "$d/ca.crt" -notext 2>/dev/null
}

# new_leaf NAME CA_DIR DNS EXTENSIONS [START END]   (default validity: yesterday .. +825 days)
new_leaf() {
  local name="$1" d="$2" dns="$3" ext="$4"
  local start="${5:-$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)}" end="${6:-$(date -u -d '+825 days' +%Y%m%d%H%M%SZ)}"
  new_key "$name.key"
  openssl req -new -key "$name.key" -subj "/O=OpenUM Test/CN=$dns" -out "$name.csr"
  LEAF_SAN="DNS:$dns" openssl ca -batch -config "$d/openssl.cnf" -extensions "$ext" \
    -startdate "$start" -enddate "$end" -in "$name.csr" -out "$name.crt" -notext 2>/dev/null
  cat "$name.crt" "$name.key" > "$name.pem"
  rm -f "$name.csr"
}

new_root trusted "OpenUM Test Root CA"
new_root rogue "Rogue Test CA"
cp trusted/ca.crt ca.crt; cp trusted/ca.key ca.key
cp rogue/ca.crt untrusted-ca.crt; cp rogue/ca.key untrusted-ca.key

new_leaf um            trusted um.example.test    client_server
new_leaf um2           trusted um.example.test    client_server
new_leaf gw1           trusted gw1.example.test   client_server
new_leaf expired       trusted gw1.example.test   client_server 20200101000000Z 20210101000000Z
new_leaf notyetvalid   trusted gw1.example.test   client_server \
  "$(date -u -d '+365 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '+730 days' +%Y%m%d%H%M%SZ)"
new_leaf revoked       trusted gw1.example.test   client_server
new_leaf wrongname     trusted other.example.test client_server
new_leaf serveronly    trusted gw1.example.test   server_only
new_leaf untrusted-gw1 rogue   gw1.example.test   client_server

new_key selfsigned.key
openssl req -x509 -new -key selfsigned.key -subj "/O=OpenUM Test/CN=gw1.example.test" -days 825 \
  -addext "subjectAltName=DNS:gw1.example.test" -addext "extendedKeyUsage=serverAuth,clientAuth" \
  -addext "keyUsage=critical,digitalSignature" -out selfsigned.crt
cat selfsigned.crt selfsigned.key > selfsigned.pem

openssl ca -batch -config trusted/openssl.cnf -revoke revoked.crt -crl_reason keyCompromise 2>/dev/null
openssl ca -batch -config trusted/openssl.cnf -gencrl -out ca.crl 2>/dev/null

# The PKI must be what this header claims: each certificate fails (or passes) for its one reason.
expect() { # TEXT openssl-verify-arguments...
  local text="$1"; shift
  local result; result="$(openssl verify -CAfile ca.crt "$@" 2>&1 || true)"
  case "$result" in *"$text"*) ;; *) echo "test PKI self-check failed: openssl verify $* -> $result" >&2; exit 1;; esac
}
expect ': OK' -purpose sslserver -verify_hostname um.example.test um.crt
expect ': OK' -purpose sslserver -verify_hostname um.example.test um2.crt
expect ': OK' -purpose sslclient -verify_hostname gw1.example.test -crl_check -CRLfile ca.crl gw1.crt
expect 'certificate has expired' expired.crt
expect 'certificate is not yet valid' notyetvalid.crt
expect 'certificate revoked' -crl_check -CRLfile ca.crl revoked.crt
expect 'hostname mismatch' -verify_hostname gw1.example.test wrongname.crt
expect 'unsuitable certificate purpose' -purpose sslclient serveronly.crt
expect 'unable to get local issuer' untrusted-gw1.crt
expect 'self-signed certificate' selfsigned.crt

chmod 644 ./*.crt ./*.crl
chmod 600 ./*.key ./*.pem
publish=(ca.crt ca.key ca.crl untrusted-ca.crt untrusted-ca.key)
for n in um um2 gw1 expired notyetvalid revoked wrongname serveronly untrusted-gw1 selfsigned; do
  publish+=("$n.crt" "$n.key" "$n.pem")
done
for f in "${publish[@]}"; do mv -f "$f" "$out/$f"; done
date -u +%FT%TZ > "$out/.pki-complete"
echo "test PKI written to $out"
