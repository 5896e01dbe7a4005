#!/usr/bin/env bash
# `make run`: CarBot on this machine with a private PostgreSQL and Redis under var/.
#
# First run creates var/ in the repo: var/pg (the cluster), var/run (unix
# sockets of PostgreSQL and Redis), var/redis (Redis data), var/log and
# var/secrets.env (generated secrets, mode 600). Later runs reuse it; delete
# var/ to start from scratch. Nothing outside the repo is touched: PostgreSQL
# and Redis listen on unix sockets in var/run only, no system service is used.
#
# carbotd runs in the foreground with conf/carbot.conf, which takes its
# values from CARBOT_DATABASE_URL, CARBOT_REDIS, PORT, CARBOT_BUILD and the
# secrets. Ctrl-C (or SIGTERM) stops carbotd, then Redis, then PostgreSQL.
#
# Environment: CARBOT_BUILD (default build), PORT (default 8080), CARBOT_CONF
# (default conf/carbot.conf), CARBOT_PLUGINS (a directory of extra plugins):
#   make run CARBOT_CONF=my.conf CARBOT_PLUGINS=$HOME/src/reviews
set -euo pipefail

cd "$(dirname "$0")/.."
repo=$(pwd)
var=$repo/var
export CARBOT_BUILD=${CARBOT_BUILD:-build}
export PORT=${PORT:-8080}
carbotd=$CARBOT_BUILD/carbotd
[ -x "$carbotd" ] || { echo "run.sh: $carbotd is not built: run make" >&2; exit 1; }

say() { echo "run.sh: $*" >&2; }

# PostgreSQL's server programs: initdb on PATH, else the newest Debian install.
if command -v initdb >/dev/null; then
	pgbin=$(dirname "$(readlink -f "$(command -v initdb)")")
else
	pgbin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if [ ! -x "$pgbin/initdb" ]; then say "PostgreSQL not found: run scripts/deps.sh"; exit 1; fi

# PostgreSQL refuses to run as root: then it runs as the postgres OS user,
# which owns var/pg, var/run and var/log.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
	id postgres >/dev/null 2>&1 || { say "no postgres OS user: run scripts/deps.sh"; exit 1; }
	as_pg=(runuser -u postgres --)
fi
pg() { (cd / && "${as_pg[@]}" env LC_ALL=C "$@"); }

mkdir -p "$var/run" "$var/redis" "$var/log"
chmod 700 "$var/run"
if [ ${#as_pg[@]} -gt 0 ]; then
	chown postgres: "$var/run" "$var/log"
	pg test -x "$var" || {
		say "the postgres user cannot reach $var: make the directories above it traversable (chmod o+x)"
		exit 1
	}
fi

# Secrets are generated once; one added by a newer version is appended to an
# existing var/secrets.env, so older var/ directories keep working.
hex() { od -An -N32 -tx1 /dev/urandom | tr -d ' \n'; }
(umask 077 && touch "$var/secrets.env")
for name in CARBOT_JWT_SECRET CARBOT_KEY_SECRET CARBOT_VISITOR_SALT; do
	if ! grep -q "^$name=" "$var/secrets.env"; then
		say "generating $name in var/secrets.env"
		printf '%s=%s\n' "$name" "$(hex)" >>"$var/secrets.env"
	fi
done
# notify: the key of the unsubscribe links in optional mails (appended like the others)
if ! grep -q "^CARBOT_NOTIFY_SECRET=" "$var/secrets.env"; then
	say "generating CARBOT_NOTIFY_SECRET in var/secrets.env"
	printf '%s=%s\n' CARBOT_NOTIFY_SECRET "$(hex)" >>"$var/secrets.env"
fi
# gdpr: the key of the export download links and the audit log's subject
if ! grep -q "^CARBOT_GDPR_SECRET=" "$var/secrets.env"; then
	say "generating CARBOT_GDPR_SECRET in var/secrets.env"
	printf '%s=%s\n' CARBOT_GDPR_SECRET "$(hex)" >>"$var/secrets.env"
fi
chmod 600 "$var/secrets.env"

if [ ! -f "$var/pg/PG_VERSION" ]; then
	say "creating the PostgreSQL cluster in var/pg"
	rm -rf "$var/pg.tmp"
	mkdir "$var/pg.tmp"
	[ ${#as_pg[@]} -eq 0 ] || chown postgres: "$var/pg.tmp"
	pg "$pgbin/initdb" -D "$var/pg.tmp" -A trust -U postgres --no-sync -E UTF8 --locale=C >"$var/log/initdb.log" ||
		{ cat "$var/log/initdb.log" >&2; exit 1; }
	mv "$var/pg.tmp" "$var/pg"
fi

redis_sock=$var/run/redis.sock
if redis-cli -s "$redis_sock" ping >/dev/null 2>&1; then
	say "a Redis answers on var/run/redis.sock: is another make run going on? Stop it first."
	exit 1
fi

carbotd_pid='' redis_pid='' pg_started=''
# shellcheck disable=SC2317 # called by the traps
cleanup() {
	trap - INT TERM EXIT
	if [ -n "${standin_pid:-}" ]; then
		kill -TERM "$standin_pid" 2>/dev/null || true
		wait "$standin_pid" 2>/dev/null || true
	fi
	[ -z "${extra_conf:-}" ] || rm -f "$extra_conf"
	if [ -n "$carbotd_pid" ] && kill -0 "$carbotd_pid" 2>/dev/null; then
		say "stopping carbotd"
		kill -TERM "$carbotd_pid" 2>/dev/null || true
		wait "$carbotd_pid" 2>/dev/null || true
	fi
	if [ -n "$redis_pid" ]; then
		say "stopping Redis"
		kill -TERM "$redis_pid" 2>/dev/null || true
		wait "$redis_pid" 2>/dev/null || true
	fi
	if [ -n "$pg_started" ]; then
		say "stopping PostgreSQL"
		pg "$pgbin/pg_ctl" stop -D "$var/pg" -m fast -w >/dev/null || true
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

if pg "$pgbin/pg_ctl" status -D "$var/pg" >/dev/null 2>&1; then
	say "PostgreSQL already running on var/run (left over): using it"
else
	say "starting PostgreSQL (log: var/log/postgres.log)"
	pg "$pgbin/pg_ctl" start -D "$var/pg" -w -t 60 -l "$var/log/postgres.log" \
		-o "-c listen_addresses='' -k '$var/run' -p 5432" >/dev/null ||
		{ tail -n 20 "$var/log/postgres.log" >&2; exit 1; }
fi
pg_started=1
psql=("$pgbin/psql" -X -q -t -A -h "$var/run" -p 5432 -U postgres)
if [ -z "$(pg "${psql[@]}" -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'carbot'")" ]; then
	say "creating database carbot"
	pg "${psql[@]}" -d postgres -c 'CREATE DATABASE carbot'
fi

rm -f "$redis_sock"
say "starting Redis (log: var/log/redis.log)"
# Started in the background, Redis and carbotd ignore Ctrl-C's SIGINT: cleanup
# stops them in order.
redis-server --port 0 --unixsocket "$redis_sock" --unixsocketperm 700 --dir "$var/redis" \
	--logfile "$var/log/redis.log" --daemonize no &
redis_pid=$!
for _ in $(seq 100); do
	redis-cli -s "$redis_sock" ping >/dev/null 2>&1 && break
	kill -0 "$redis_pid" 2>/dev/null || { tail -n 20 "$var/log/redis.log" >&2; redis_pid=; exit 1; }
	sleep 0.1
done

set -a
# shellcheck disable=SC1091
. "$var/secrets.env"
set +a
export CARBOT_DATABASE_URL="host='$var/run' port=5432 dbname=carbot user=postgres"
export CARBOT_REDIS="unix:$redis_sock"

# Billing: with no Stripe credentials in the environment, the local Stripe
# stand-in takes the payments (local test mode: no real money, no card data).
if [ -z "${STRIPE_SECRET_KEY:-}" ]; then
	standin_port=${STRIPE_STANDIN_PORT:-12111}
	export STRIPE_SECRET_KEY=sk_test_standin_local STRIPE_API_BASE="http://127.0.0.1:$standin_port"
	grep -q '^CARBOT_STANDIN_WEBHOOK_SECRET=' "$var/secrets.env" ||
		printf 'CARBOT_STANDIN_WEBHOOK_SECRET=whsec_%s\n' "$(hex)" >>"$var/secrets.env"
	STRIPE_WEBHOOK_SECRET=$(sed -n 's/^CARBOT_STANDIN_WEBHOOK_SECRET=//p' "$var/secrets.env")
	export STRIPE_WEBHOOK_SECRET CARBOT_BILLING_TEST_MODE=on
	# secrets through the environment, not argv (ps shows argv to everyone)
	STANDIN_API_KEY=$STRIPE_SECRET_KEY STANDIN_WEBHOOK_SECRET=$STRIPE_WEBHOOK_SECRET \
		node scripts/stripe-standin/server.js --port "$standin_port" --state "$var/stripe-standin.json" \
		--webhook-url "http://127.0.0.1:$PORT/api/v1/billing/webhook" >"$var/log/stripe-standin.log" 2>&1 &
	standin_pid=$!
	for _ in $(seq 100); do
		grep -q listening "$var/log/stripe-standin.log" 2>/dev/null && break
		kill -0 "$standin_pid" 2>/dev/null || { cat "$var/log/stripe-standin.log" >&2; standin_pid=; exit 1; }
		sleep 0.1
	done
	say "billing: LOCAL TEST MODE - no Stripe credentials (STRIPE_SECRET_KEY), so the Stripe"
	say "stand-in on http://127.0.0.1:$standin_port takes payments: no real money, no card data"
else
	say "billing: talking to Stripe at ${STRIPE_API_BASE:-https://api.stripe.com}"
fi

# CARBOT_CONF: another config (default conf/carbot.conf). CARBOT_PLUGINS: a
# directory of extra NAME.so files, each enabled with its defaults unless the
# config has a [plugin NAME] of its own (a generated copy of the config next
# to it, removed when carbotd stops).
conf=${CARBOT_CONF:-conf/carbot.conf}
[ -f "$conf" ] || { say "no config $conf"; exit 1; }
if [ -n "${CARBOT_PLUGINS:-}" ]; then
	[ -d "$CARBOT_PLUGINS" ] || { say "CARBOT_PLUGINS=$CARBOT_PLUGINS is no directory"; exit 1; }
	extra_conf=$(dirname "$conf")/.run-$$.conf
	{
		cat "$conf"
		for so in "$CARBOT_PLUGINS"/*.so; do
			[ -e "$so" ] || continue
			name=$(basename "$so" .so)
			grep -q "^\[plugin $name\]" "$conf" && continue
			printf '\n[plugin %s]\nfile = %s\n' "$name" "$(readlink -f "$so")"
			say "enabling plugin $name from $CARBOT_PLUGINS"
		done
	} >"$extra_conf"
	conf=$extra_conf
fi
"$carbotd" -t -c "$conf" >/dev/null || exit 1
# The mail catcher (scripts/mailcatcher) when no SMTP server is configured:
# SMTP and a web page of what arrived, on loopback; it exits with this script.
if [ -z "${CARBOT_SMTP_URL:-}" ]; then
	rm -f "$var/run/mailcatcher.ports"
	node scripts/mailcatcher/catcher.js --smtp-port "${MAIL_SMTP_PORT:-1025}" \
		--http-port "${MAIL_HTTP_PORT:-1080}" --ports-file "$var/run/mailcatcher.ports" \
		--parent-pid $$ >>"$var/log/mailcatcher.log" 2>&1 &
	for _ in $(seq 100); do [ -s "$var/run/mailcatcher.ports" ] && break; sleep 0.1; done
	if [ -s "$var/run/mailcatcher.ports" ]; then
		read -r smtp_p http_p <"$var/run/mailcatcher.ports"
		export CARBOT_SMTP_URL="smtp://127.0.0.1:${smtp_p#smtp=}"
		say "mail catcher: mails carbotd sends are shown on http://127.0.0.1:${http_p#http=}/"
	else
		say "the mail catcher did not start (var/log/mailcatcher.log); mails will wait in the outbox"
	fi
fi

say "starting carbotd on http://127.0.0.1:$PORT (Ctrl-C stops everything)"
say "owner dashboard: http://localhost:$PORT/admin/ (the demo login is printed below)"
"$carbotd" -c "$conf" &
carbotd_pid=$!
# demo data through the API once carbotd answers: made on the first run
# (var/demo.txt), printed on later ones; without it carbotd runs on
perl scripts/demo.pl --url "http://127.0.0.1:$PORT" --var "$var" --pid "$carbotd_pid" \
	--psql "$pgbin/psql" --pghost "$var/run" --pgport 5432 ||
	say "no demo data (the line above says why)"
status=0
wait "$carbotd_pid" || status=$?
carbotd_pid=
[ "$status" -eq 0 ] || say "carbotd exited with status $status"
exit "$status"
