#!/bin/sh
# run.sh BUILD_DIR [PART...] — newsmon's benchmarks (BENCHMARKS.md): every part, or the parts
# named: parse, ingest, crawl, tag. Prints a readable report on stdout; every figure is a ratio
# against something measured in the same run, or an instruction count.
#
# Inputs are generated into a temporary directory and removed at the end. Knobs (environment):
#   BENCH_PARSE_MB        size of the parse corpus in MB (default 72; at least 70 for figures
#                         that count)
#   BENCH_INGEST_FEEDS    feed documents of the ingest input (default 2000)
#   BENCH_INGEST_ENTRIES  entries of the ingest input (default 200000)
#   BENCH_ROUNDS          rounds of the parse timings, best kept (default 5)
#
# To add a part: write part_NAME below (print "== Part N: NAME" first, then its figures) and
# add NAME to the list of parts.
# shellcheck disable=SC2317 # the part_* functions are called as "part_$part"
set -u
if [ $# -lt 1 ]; then
	echo "usage: run.sh BUILD_DIR [parse|ingest|crawl|tag]..." >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
case $1 in /*) build=$1 ;; *) build=$root/$1 ;; esac
shift
parts=${*:-parse ingest crawl tag}
bench=$root/tests/bench
# Debian's interpreter: python3-feedparser is installed for it, not for another python3 on PATH
py=/usr/bin/python3
[ -x "$py" ] || py=python3
work=$(mktemp -d "${TMPDIR:-/tmp}/newsmon-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cd "$root" || exit 1

need() { # need WHAT CHECK...: say what is missing and fail the part
	what=$1
	shift
	if ! "$@" >/dev/null 2>&1; then
		echo "missing $what: run tools/deps.sh bench (make bench does)"
		return 1
	fi
}

machine() {
	printf 'machine: %s CPUs, %s; %s\n' "$(nproc)" \
		"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
		"$(uname -sr)"
}

# Other work on a shared machine skews even ratios a little: say how busy it was.
load() {
	echo "load average (1, 5, 15 min) $1: $(cut -d ' ' -f 1-3 /proc/loadavg)"
}

part_parse() {
	echo "== Part 1: parse"
	need xmllint command -v xmllint || return 1
	need sfeed command -v sfeed || return 1
	need valgrind command -v valgrind || return 1
	need python3-feedparser "$py" -c "import feedparser" || return 1
	"$py" "$bench/gen_corpus.py" "$work/corpus" --mb "${BENCH_PARSE_MB:-72}" || return 1
	"$py" "$bench/parse_report.py" "$build" "$work/corpus" "$work" \
		--rounds "${BENCH_ROUNDS:-5}" || return 1
	rm -rf "$work/corpus"
}

part_ingest() {
	echo "== Part 2: ingest"
	"$py" "$bench/gen_ingest.py" "$work/ingest" --feeds "${BENCH_INGEST_FEEDS:-2000}" \
		--entries "${BENCH_INGEST_ENTRIES:-200000}" || return 1
	"$py" "$bench/ingest_report.py" "$build" "$work/ingest" "$work" || return 1
	rm -rf "$work/ingest" "$work"/*.db*
}

part_crawl() {
	echo "== Part 3: crawl"
	need sfeed_update command -v sfeed_update || return 1
	need newsboat command -v newsboat || return 1
	"$py" "$bench/gen_ingest.py" "$work/crawl" --feeds 1000 --entries 40000 --per-feed 40 ||
		return 1
	mkdir "$work/crawl-run" &&
		"$py" "$bench/crawl_report.py" "$build" "$work/crawl" "$work/crawl-run" || return 1
	rm -rf "$work/crawl" "$work/crawl-run"
}

part_tag() {
	echo "== Part 4: tag+link"
	mkdir "$work/link" && "$py" "$bench/link_report.py" "$build" "$work/link" || return 1
	rm -rf "$work/link"
	echo
	echo "story linking against the labelled set (tests/data/stories):"
	"$py" "$bench/eval_stories.py" "$build/newsmon"
}

machine
status=0
for part in $parts; do
	case $part in
	parse|ingest|crawl|tag) ;;
	*) echo "run.sh: unknown part '$part' (parse, ingest, crawl, tag)" >&2; exit 2 ;;
	esac
	echo
	load before
	if ! "part_$part"; then
		echo "part $part FAILED"
		status=1
	fi
	load after
done
exit $status
