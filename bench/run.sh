#!/usr/bin/env bash
# Runs every benchmark; each prints its figures and ratios against a baseline
# measured in the same run (these machines are noisy: absolute numbers from
# different runs do not compare). Called by `make bench`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh --bench
for b in bench/*.pl; do
	echo "== $b"
	perl "$b"
done
