#!/usr/bin/env bash
# Installs the Debian packages the tests drive (real peers, audio tools) when any is missing.
# Debian 12, as root. Safe to run again: it does nothing when everything is there.
set -euo pipefail
declare -A need=(
  [sipp]=sip-tester        # SIP load and scripted calls (TCP)
  [baresip]=baresip-core   # a real softphone: plays a WAV, records what it hears
  [espeak-ng]=espeak-ng    # speech for test clips
  [sox]=sox                # audio conversion and checks
  [tshark]=tshark          # captures on the wire
  [openssl]=openssl        # test PKI (scripts/make-test-pki.sh), s_client probes of the TLS port
  [stunnel4]=stunnel4      # wraps SIPp's TCP in mutual TLS (Debian's SIPp has no TLS)
  [sslscan]=sslscan        # TLS protocol/cipher audit of the TLS port
  [postfix]=postfix        # SMTP smart host for voice message delivery (private instance per test)
  [saslpasswd2]=sasl2-bin  # SMTP AUTH users of that smart host (Cyrus SASL sasldb; saslauthd stays off)
  [journalctl]=systemd     # journald (private instance per test) and journalctl for --log-target journald
  [afl-fuzz]=afl++         # coverage-guided fuzzing of the parsers (fuzz/smoke.sh)
  [python3]=python3        # Python's email package (policy.strict) checks delivered voice messages
  [ip]=iproute2            # private network namespaces (ip netns) for tests whose SDP names an unreachable address
  [promtool]=prometheus    # a real Prometheus scraping the metrics endpoint; promtool checks docs/monitoring's rules
  [lintian]=lintian        # checks the Debian package packaging/build-deb.sh builds
  [strip]=binutils         # build-deb.sh strips the SQLite library it ships
  [groff]=groff-base       # the man page openum(8) is checked by rendering it
  [dovecot]=dovecot-core   # a real IMAP message store (private instance per test); doveadm inspects it
  [kamailio]=kamailio      # a SIP proxy as the gateway Play on Phone calls over mutual TLS
  [chromium]=chromium      # a real browser (headless) for the web console tests
  [chromedriver]=chromium-driver # WebDriver for that chromium (Selenium drives it; nothing is downloaded)
)
missing=()
for cmd in "${!need[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${need[$cmd]}")
done
# PostgreSQL server binaries for the shared configuration store tests (each test run starts its own
# throwaway cluster with initdb/pg_ctl; no system cluster is used).
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
# Dovecot's IMAP server (what OpenUM reads voice messages over) and LMTP server (Postfix hands voice
# messages to the test Dovecot over LMTP) are separate packages with no command on PATH.
[ -x /usr/lib/dovecot/imap ] || missing+=(dovecot-imapd)
[ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
# Kamailio's TLS module is a package of its own (no command to look for).
compgen -G '/usr/lib/*/kamailio/modules/tls.so' >/dev/null || missing+=(kamailio-tls-modules)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${missing[*]} — run as root or: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Postfix: "No configuration" writes no /etc/postfix/main.cf, so no system instance is set up or
# started; the tests run their own instances from temp directories.
if [[ " ${missing[*]} " == *" postfix "* ]]; then
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
fi
apt-get update -qq
online_clusters() { command -v pg_lsclusters >/dev/null 2>&1 && pg_lsclusters -h 2>/dev/null | awk '$4 ~ /^online/ {print $1" "$2}' || true; }
clusters_before=$(online_clusters)
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package creates a default cluster (port 5432) and may start it; the tests do
# not use it, so a cluster that came up with this install is stopped again (nothing restarts it).
while read -r cluster; do
  [ -n "$cluster" ] && ! grep -qxF "$cluster" <<<"$clusters_before" || continue
  echo "stopping the default PostgreSQL cluster $cluster started by the package"
  # shellcheck disable=SC2086
  pg_ctlcluster $cluster stop || echo "warning: could not stop PostgreSQL cluster $cluster" >&2
done <<<"$(online_clusters)"
# Debian's dovecot-core enables a system dovecot (and starts it where an init system runs); the tests
# run private instances only, so a system one that came with this install is stopped and disabled.
if [[ " ${missing[*]} " == *" dovecot-"* ]]; then
  systemctl disable --now dovecot.service dovecot.socket >/dev/null 2>&1 || true
  invoke-rc.d dovecot stop >/dev/null 2>&1 || true
  update-rc.d dovecot disable >/dev/null 2>&1 || true
fi
