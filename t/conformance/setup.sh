#!/bin/sh
# setup.sh — makes sure node and the npm packages pinned in this folder's
# package-lock.json (handlebars 4.7.8, html-validate) are installed, for the
# templates plugin's tests. Installs them with `npm ci` when node_modules is
# missing or older than the lock file. Exits non-zero (a failing test, never a
# skip) when node or npm is missing or the install fails.
set -e
cd "$(dirname "$0")"
if ! command -v node >/dev/null 2>&1; then
	echo "setup.sh: node not found; install nodejs and npm (scripts/deps.sh --browser)" >&2
	exit 1
fi
# one install at a time when tests run in parallel (prove -j)
exec 9>"${TMPDIR:-/tmp}/carbot-conformance-npm.lock"
flock 9
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	if ! command -v npm >/dev/null 2>&1; then
		echo "setup.sh: npm not found; install it (scripts/deps.sh --browser)" >&2
		exit 1
	fi
	npm ci --no-audit --no-fund --loglevel=error >&2
fi
node -e 'require("handlebars"); require("html-validate")'
