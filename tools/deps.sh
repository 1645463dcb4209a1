#!/bin/sh
# deps.sh GROUP... — make sure the Debian packages a make target needs are present.
# Groups: build (compile and run newsmon), test (the test suite), fuzz (clang + libFuzzer),
# bench (the peer tools the benchmarks compare against), valgrind.
# As root on Debian it installs what is missing (apt-get update first: a fresh machine has no
# package lists); otherwise it prints the exact command and fails.
set -u

missing=""
need_pkg() { # need_pkg PACKAGE CHECK...: add PACKAGE when the check fails
	pkg=$1; shift
	if ! "$@" >/dev/null 2>&1; then missing="$missing $pkg"; fi
}
has_pc() { command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$1"; }
has_py_module() { /usr/bin/python3 -c "import $1" 2>/dev/null; }
has_file() { test -e "$1"; }

for group in "$@"; do
	case $group in
	build)
		need_pkg make command -v make
		need_pkg gcc command -v cc
		need_pkg libc6-dev has_file /usr/include/stdio.h
		need_pkg pkg-config command -v pkg-config
		need_pkg libcurl4-openssl-dev has_pc libcurl
		need_pkg libxml2-dev has_pc libxml-2.0
		need_pkg libsqlite3-dev has_pc sqlite3
		need_pkg libjansson-dev has_pc jansson
		need_pkg ca-certificates has_file /etc/ssl/certs/ca-certificates.crt
		;;
	test)
		need_pkg python3 command -v python3
		;;
	fuzz)
		need_pkg clang command -v clang
		need_pkg libclang-rt-14-dev has_file /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a
		;;
	bench)
		need_pkg python3 command -v python3
		need_pkg libxml2-utils command -v xmllint
		need_pkg sfeed command -v sfeed_update
		need_pkg newsboat command -v newsboat
		need_pkg python3-feedparser has_py_module feedparser
		need_pkg time has_file /usr/bin/time
		need_pkg valgrind command -v valgrind
		;;
	valgrind)
		need_pkg valgrind command -v valgrind
		;;
	tags)
		need_pkg iso-codes has_file /usr/share/iso-codes/json/iso_3166-1.json
		;;
	*)
		echo "deps.sh: unknown group '$group'" >&2
		exit 2
		;;
	esac
done

# A package can be named by two checks; install it once.
missing=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
[ -z "${missing# }" ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends $missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2 && apt-get install -y -qq --no-install-recommends $missing >&2 && exit 0
	echo "deps: apt-get failed; run by hand: $cmd" >&2
	exit 1
fi
echo "deps: missing packages:$missing" >&2
echo "deps: run as root: $cmd" >&2
exit 1
