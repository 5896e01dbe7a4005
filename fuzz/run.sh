#!/usr/bin/env bash
# Runs the libFuzzer harnesses built by `make fuzz-build` (fuzz/fuzz.mk):
#
#   fuzz/run.sh [NAME...]        every harness named (default: all), each for
#                                FUZZ_SECONDS (45) seconds
#
# Each starts from its corpus in the repo (fuzz/corpus/NAME, read only) plus
# what it found before in FUZZ_BUILD/corpus-NAME (kept out of the repo); a
# crash leaves its input in FUZZ_BUILD/artifacts/. Prints executions and
# crashes per harness and in all, and exits 1 when any harness crashed.
set -uo pipefail
cd "$(dirname "$0")/.."
FB=${FUZZ_BUILD:-build-fuzz}
SECS=${FUZZ_SECONDS:-45}
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(json conf router hbs domain host chat stripe)
mkdir -p "$FB/artifacts"
total=0 crashes=0
printf "%-8s %12s %10s %8s\n" harness executions exec/s crashes | tee "$FB/fuzz-summary.txt"
for n in "${names[@]}"; do
	bin="$FB/fuzz-$n"
	if [ ! -x "$bin" ]; then echo "fuzz/run.sh: $bin is not built (make fuzz-build)" >&2; exit 2; fi
	mkdir -p "$FB/corpus-$n"
	log="$FB/fuzz-$n.log"
	"$bin" -max_total_time="$SECS" -max_len=8192 -timeout=10 -rss_limit_mb=1536 \
	       -print_final_stats=1 -artifact_prefix="$FB/artifacts/$n-" \
	       "$FB/corpus-$n" "fuzz/corpus/$n" >"$log" 2>&1
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log" | tail -1)
	rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log" | tail -1)
	c=0
	if [ $rc -ne 0 ]; then
		c=1
		echo "fuzz/run.sh: $n crashed; input and report:" >&2
		ls "$FB/artifacts/$n-"* >&2 2>/dev/null
		grep -E 'ERROR|SUMMARY|#[0-9]+ ' "$log" | head -30 >&2
	fi
	total=$((total + ${execs:-0}))
	crashes=$((crashes + c))
	printf '%-8s %12s %10s %8s\n' "$n" "${execs:-?}" "${rate:-?}" "$c" | tee -a "$FB/fuzz-summary.txt"
done
printf '%-8s %12s %10s %8s\n' total "$total" '' "$crashes" | tee -a "$FB/fuzz-summary.txt"
[ "$crashes" -eq 0 ]
