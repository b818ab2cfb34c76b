#!/bin/bash
# fuzz.t - runs each libFuzzer harness for FUZZ_TIME seconds (default 45),
# all at once, from the seed corpus in tests/fuzz/corpus/<name>.
# New inputs go to tests/build/fuzz/corpus-<name>, crashes to
# tests/build/fuzz/artifacts/.  One TAP line per harness: ok when it ran to its
# time limit without a crash, with the executions in a diag line.
set -eu
cd "$(dirname "$0")/../.."
time=${FUZZ_TIME:-45}
dir=tests/build/fuzz
harnesses="cfg expand diag"

for h in $harnesses; do
	if [ ! -x "$dir/fuzz_$h" ]; then
		echo "1..0 # SKIP $dir/fuzz_$h not built (needs clang and libclang-rt-14-dev)"
		exit 0
	fi
done
mkdir -p "$dir/artifacts"
pids=()
for h in $harnesses; do
	mkdir -p "$dir/corpus-$h"
	"$dir/fuzz_$h" -max_total_time="$time" -timeout=10 -rss_limit_mb=1024 \
		-dict=tests/fuzz/fuzz.dict -artifact_prefix="$dir/artifacts/$h-" \
		-print_final_stats=1 "$dir/corpus-$h" "tests/fuzz/corpus/$h" \
		>"$dir/$h.log" 2>&1 &
	pids+=($!)
done

echo "1..3"
n=0
fail=0
for h in $harnesses; do
	rc=0
	wait "${pids[$n]}" || rc=$?
	n=$((n + 1))
	done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$dir/$h.log" | tail -1 || true)
	if [ "$rc" = 0 ] && [ -n "$done_line" ]; then
		echo "ok $n - fuzz_$h: no crash in ${time} s"
	else
		echo "not ok $n - fuzz_$h: exit status $rc"
		grep -E 'ERROR|SUMMARY|invariant failed|runtime error|Test unit written' \
			"$dir/$h.log" | head -20 | sed 's/^/# /'
		fail=1
	fi
	echo "# fuzz_$h: ${done_line:-no final Done line}; corpus $(ls "$dir/corpus-$h" | wc -l) new inputs (log $dir/$h.log)"
	grep -E 'stat::(number_of_executed_units|peak_rss_mb)' "$dir/$h.log" | sed 's/^/# /' || true
done
exit $fail
