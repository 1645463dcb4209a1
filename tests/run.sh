#!/bin/sh
# run.sh BUILD_DIR — run every unit test binary and every end-to-end test, sum their
# "N passed, M failed" lines and print the total last. Exits 1 when anything failed.
# NEWSMON_VALGRIND=1 runs the binaries under valgrind (make valgrind).
set -u
build=$1
root=$(cd "$(dirname "$0")/.." && pwd)
export NEWSMON_BIN="$root/$build/newsmon"
export NEWSMON_ROOT="$root"
export NEWSMON_BUILD="$root/$build"

wrap=""
if [ "${NEWSMON_VALGRIND:-0}" = 1 ]; then
	wrap="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
	export NEWSMON_WRAP="$wrap"
fi

passed=0 failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

tally() { # tally NAME STATUS: add the counts from the last line of $log
	name=$1 status=$2
	last=$(tail -n 1 "$log")
	p=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\1/p')
	f=$(printf '%s\n' "$last" | sed -n 's/^\([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed$/\2/p')
	if [ -z "$p" ]; then
		# A test that died before its summary counts as one failure.
		p=0 f=1
		echo "$name: no summary line (exit status $status)"
		tail -n 20 "$log"
	elif [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "$name: exit status $status"
		tail -n 20 "$log"
	fi
	passed=$((passed + p)) failed=$((failed + f))
	printf '%-28s %s\n' "$name" "$last"
}

for t in "$root/$build"/tests/test_*; do
	case $t in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	(cd "$root" && $wrap "$t") >"$log" 2>&1
	status=$?
	if [ "$status" -ne 0 ]; then grep -v 'passed, .* failed$' "$log" | head -n 40; fi
	tally "$(basename "$t")" "$status"
done

for t in "$root"/tests/e2e/test_*.py; do
	[ -e "$t" ] || continue
	(cd "$root" && python3 "$t") >"$log" 2>&1
	status=$?
	if [ "$status" -ne 0 ]; then grep -v 'passed, .* failed$' "$log" | head -n 60; fi
	tally "$(basename "$t")" "$status"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
