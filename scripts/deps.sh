#!/usr/bin/env bash
# Installs the Debian 12 packages CarBot needs, if any are missing.
#
#   scripts/deps.sh              build + run/test packages
#   scripts/deps.sh --bench      also what `make bench` needs
#
# Quiet and idempotent when everything is installed. As root it installs what
# is missing with apt-get; otherwise it prints the command to run and exits 1.
set -euo pipefail

# nodejs/npm build the widget (esbuild, pinned in widget/package-lock.json);
# zlib gzips cached pages and widget.js; libidn2 turns IDN domains into
# punycode; c-ares asks DNS for custom-domain TXT records.
build=(gcc make pkg-config libevent-dev libpq-dev libhiredis-dev libyajl-dev libjwt-dev
       libssl-dev libcurl4-openssl-dev libcrypt-dev zlib1g-dev libidn2-dev libc-ares-dev
       nodejs npm)
build+=(libstemmer-dev) # chat: Snowball stemming (German, English)
build+=(libarchive-dev) # gdpr: the export ZIP, written by streaming
# chromium runs the widget's browser tests; dnsmasq-base (the binary, no
# system service) answers the custom-domain TXT look-ups of the landing tests;
# caddy checks conf/Caddyfile.example for real (on-demand TLS asks carbotd).
runtest=(postgresql redis-server perl curl chromium dnsmasq-base caddy)
bench=(wrk nginx-light)
# haproxy balances several carbotd in the scale-out and fault tests;
# clang-14 + libclang-rt-14-dev build the libFuzzer harnesses of `make fuzz`.
runtest+=(haproxy clang-14 libclang-rt-14-dev)
# JSON::Validator checks every JSON answer of the tests against the OpenAPI
# document (t/lib/CarBot/OpenAPICheck.pm).
runtest+=(libjson-validator-perl)
# openssl (the command) makes the certificate of the STARTTLS test (t/notify-starttls.t).
runtest+=(openssl)

want=("${build[@]}" "${runtest[@]}")
for arg in "$@"; do
	case "$arg" in
	--bench) want+=("${bench[@]}") ;;
	--browser) ;; # chromium is a test package now; kept so old calls still work
	-h | --help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "deps.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$status" = "install ok installed" ] && continue
	# Node.js packaged elsewhere (e.g. NodeSource) bundles npm and conflicts with Debian's.
	[ "$p" = npm ] && command -v npm >/dev/null && continue
	missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps.sh: missing packages; install them with:" >&2
	echo "sudo apt-get install -y ${missing[*]}"
	exit 1
fi

echo "deps.sh: installing ${missing[*]}"
# Installing must not start system daemons (postgresql, redis-server, nginx): CarBot
# starts its own under var/ or the test's temp dir. policy-rc.d 101 = "do not start".
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
