# newsmon — GNU make.
#
#   make run      install missing packages (as root), build, crawl feeds.txt into newsmon.db
#   make test     the same set-up, then every test; ends with "N passed, M failed"
#   make asan     the tests under AddressSanitizer + UBSan (build/asan)
#   make valgrind the tests with the release binary under valgrind
#   make fuzz     libFuzzer targets (clang) in build/fuzz; make fuzz-smoke runs each briefly
#   make bench    the benchmarks (peer tools installed as needed); see BENCHMARKS.md
#   make demo     serve sample feeds on 127.0.0.1 and crawl them into a temporary database
#   make deps     check (and as root, install) the build and test packages
#   make install  PREFIX=/usr/local
#
# Builds are out of tree, one directory per flavour: build/release, build/asan, build/fuzz.

BUILD   ?= release
O       := build/$(BUILD)
PREFIX  ?= /usr/local
PKGS    := libcurl libxml-2.0 sqlite3 jansson
SHELL   := /bin/sh

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wvla -Wformat=2 -Wno-format-nonliteral
BASE    := -std=c17 -D_GNU_SOURCE -I. $(WARN) -MMD -MP

ifeq ($(BUILD),release)
CC      ?= cc
OPT     := -O2 -g
else ifeq ($(BUILD),asan)
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
else ifeq ($(BUILD),fuzz)
CC      := clang
OPT     := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
           -fno-sanitize-recover=all -DFUZZING
else
$(error BUILD must be release, asan or fuzz, not '$(BUILD)')
endif

# pkg-config is asked only when something is compiled, so that "make deps" can run first on a
# machine where the libraries are still missing.
GOALS := $(or $(MAKECMDGOALS),all)
ifneq ($(filter-out deps clean run test asan valgrind bench demo fuzz fuzz-smoke,$(GOALS)),)
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ifeq ($(PKG_LIBS),)
$(error pkg-config cannot find $(PKGS): run "make deps" (as root it installs them))
endif
endif

CFLAGS  := $(BASE) $(OPT) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT) $(EXTRA_LDFLAGS)
LDLIBS  := $(PKG_LIBS) -lm

LIB_SRC   := $(wildcard parsers/*.c store/*.c) $(filter-out crawler/main.c,$(wildcard crawler/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o)
TEST_SRC  := $(wildcard tests/test_*.c)
TEST_BIN  := $(TEST_SRC:tests/%.c=$(O)/tests/%)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN  := $(FUZZ_SRC:tests/fuzz/%.c=$(O)/%)
BENCH_SRC := $(wildcard tests/bench/*.c)
BENCH_BIN := $(BENCH_SRC:tests/bench/%.c=$(O)/bench/%)

.PHONY: all build run test asan valgrind fuzz fuzz-build fuzz-smoke bench demo deps install clean \
        check check-valgrind bench-run
.DEFAULT_GOAL := all
.SECONDARY:

all build: $(O)/newsmon $(TEST_BIN) $(BENCH_BIN)

$(O)/libnewsmon.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/newsmon: $(O)/crawler/main.o $(O)/libnewsmon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: $(O)/tests/%.o $(O)/libnewsmon.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/bench/%: $(O)/tests/bench/%.o $(O)/libnewsmon.a
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/fuzz_%: $(O)/tests/fuzz/fuzz_%.o $(O)/libnewsmon.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<

# The user-facing targets first install what is missing, then build in a sub-make (which is
# when pkg-config can answer).
deps:
	@tools/deps.sh build test tags

run: deps
	@$(MAKE) --no-print-directory BUILD=release build
	build/release/newsmon --db newsmon.db crawl --feeds feeds.txt

test: deps
	@$(MAKE) --no-print-directory BUILD=release check

asan: deps
	@$(MAKE) --no-print-directory BUILD=asan check

valgrind: deps
	@tools/deps.sh valgrind
	@$(MAKE) --no-print-directory BUILD=release check-valgrind

check: build
	@tests/run.sh $(O)

check-valgrind: build
	@NEWSMON_VALGRIND=1 tests/run.sh $(O)

fuzz: deps
	@tools/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=fuzz fuzz-build

fuzz-build: $(FUZZ_BIN)

fuzz-smoke: fuzz
	@tests/fuzz/smoke.sh build/fuzz 20

bench: deps
	@tools/deps.sh bench
	@$(MAKE) --no-print-directory BUILD=release bench-run

bench-run: build
	@tests/bench/run.sh $(O)

demo: deps
	@$(MAKE) --no-print-directory BUILD=release build
	@tests/demo.sh build/release

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/newsmon
	install -m 755 $(O)/newsmon $(DESTDIR)$(PREFIX)/bin/newsmon
	install -m 644 tags.txt feeds.txt $(DESTDIR)$(PREFIX)/share/newsmon/

clean:
	rm -rf build

-include $(LIB_OBJ:.o=.d) $(O)/crawler/main.d $(TEST_SRC:tests/%.c=$(O)/tests/%.d) \
         $(FUZZ_SRC:%.c=$(O)/%.d) $(BENCH_SRC:%.c=$(O)/%.d)
