#!/bin/sh
# smoke.sh BUILD_DIR SECONDS — run every libFuzzer target BUILD_DIR/fuzz_* for SECONDS each from
# the repository root (fuzz_tagger reads tags.txt there), print one line per target with the runs
# and crashes, and end with "N passed, M failed". A target passes when it ran the whole time
# without a crash, leak or timeout. Exits 1 when any failed.
#
# Seeds, from each target's input (read its source): fuzz_feed the real-world feeds
# (../shared/corpus/realworld), tests/data/http, tests/data/stories and the regression inputs
# in tests/data/fuzz/feed; fuzz_tagger the story feeds (titles and text in any bytes);
# fuzz_tagsfile tags.txt itself; fuzz_date and fuzz_url start from nothing. A target whose
# tests/fuzz/NAME.dict exists (NAME without "fuzz_") gets it as -dict. New inputs and crash
# artifacts go to a temporary directory; a crashing input is kept and its path printed.
set -u
if [ $# -ne 2 ]; then
	echo "usage: smoke.sh BUILD_DIR SECONDS" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
case $1 in /*) build=$1 ;; *) build=$root/$1 ;; esac
secs=$2
work=$(mktemp -d "${TMPDIR:-/tmp}/newsmon-fuzz.XXXXXX")
keep=0
passed=0 failed=0
cd "$root" || exit 1

seeds_of() { # seeds_of NAME: the seed directories of a target, one per line
	case $1 in
	fuzz_feed)
		for d in ../shared/corpus/realworld tests/data/http tests/data/stories \
		         tests/data/fuzz/feed; do
			[ -d "$d" ] && echo "$d"
		done
		;;
	fuzz_tagger)
		echo tests/data/stories
		;;
	fuzz_tagsfile)
		mkdir -p "$work/seed-tagsfile" && cp tags.txt "$work/seed-tagsfile/" &&
			echo "$work/seed-tagsfile"
		;;
	esac
}

for t in "$build"/fuzz_*; do
	case $t in *.o|*.d) continue ;; esac
	[ -x "$t" ] || continue
	name=$(basename "$t")
	opts="-max_total_time=$secs -timeout=20 -print_final_stats=1"
	dict=tests/fuzz/${name#fuzz_}.dict
	[ -f "$dict" ] && opts="$opts -dict=$dict"
	[ "$name" = fuzz_feed ] && opts="$opts -max_len=65536"
	mkdir -p "$work/$name"
	# shellcheck disable=SC2046,SC2086 # options and seed directories are word lists
	"$t" $opts -artifact_prefix="$work/$name-" "$work/$name" $(seeds_of "$name") \
		>"$work/$name.log" 2>&1
	status=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$name.log" | tail -n 1)
	artifacts=$(ls "$work/$name-"* 2>/dev/null)
	if [ "$status" -eq 0 ] && [ -z "$artifacts" ]; then
		passed=$((passed + 1))
		printf '%-16s %10s runs, 0 crashes\n' "$name" "${runs:-?}"
	else
		failed=$((failed + 1))
		keep=1
		printf '%-16s %10s runs, 1 crash (exit status %s): %s\n' "$name" "${runs:-?}" \
			"$status" "${artifacts:-no artifact}"
		# what the target said (fuzz_feed names the broken promise), the sanitizer's verdict
		grep -m 3 -E '^fuzz_[a-z_]+: [^R]|^SUMMARY: |==ERROR: ' "$work/$name.log" | sed 's/^/    /'
	fi
done

if [ "$keep" -eq 1 ]; then
	echo "logs and crashing inputs kept in $work"
else
	rm -rf "$work"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
