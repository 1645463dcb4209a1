#!/usr/bin/env python3
"""link_report.py BUILD_DIR WORK_DIR — Part 4 of the benchmarks: tag+link.

Tagging. The entries of ../shared/corpus/realworld (entries_from_corpus.py: "title<TAB>text"
lines) tagged by build/release/bench/bench_tagger with the full tags.txt, on one core, against
GNU grep given the same text (ten copies) and every alias of tags.txt's platform, country and
topic sections as fixed strings (`LC_ALL=C.UTF-8 grep -c -i -w -F -f ALIASES`): a one-pass
multi-string matcher, the nearest thing a shell has to the tagger. grep only counts lines;
the tagger also folds accents, applies the case rules and the context words, and counts.

Linking. The cost of linking new entries must depend on what the time window holds, not on
how much history the database has. gen_ingest.py writes (same density, about 333 entries a
day in both histories):
  big history    2,000 feeds, 200,000 entries over 600 days, ending 2 days before the common date
  small history    100 feeds,   6,700 entries over  20 days, ending 2 days before it
  probe             50 feeds,   2,000 entries over the last 2 days
Each history is imported into its own fresh database (`newsmon import`: parse, store, tag,
link); then the same probe is imported into a fresh copy of each, three times, timed (user and
system CPU seconds and wall seconds, each the best of the three). The probe's ±10-day window
sees the same number of stored entries in both databases; the big one holds 30 times more
outside it. User time is newsmon's own work; system time is mostly SQLite reading pages of a
file the page cache may or may not hold, which a 1.3 GB file makes more likely.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys

from benchlib import chunks, run, run_split

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.path.join(ROOT, "tests", "bench")
PY = sys.executable
TAGGER = re.compile(r"(\d+) entries/s")
PROBE_ROUNDS = 3


def aliases(tags, out):
    """Every value and alias of the platform, country and topic sections of tags, one a line."""
    section, n = None, 0
    with open(tags, encoding="utf-8") as f, open(out, "w", encoding="utf-8") as w:
        for line in f:
            line = line.strip()
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
            elif section in ("platform", "country", "topic") and ":" in line \
                    and not line.startswith("#"):
                value, _, rest = line.partition(":")
                for name in [value] + rest.split("|"):
                    if name.strip():
                        w.write(name.strip() + "\n")
                        n += 1
    return n


def tagging(build, work):
    entries = os.path.join(work, "entries.tsv")
    subprocess.run([PY, os.path.join(BENCH, "entries_from_corpus.py"), entries], check=True,
                   stderr=subprocess.DEVNULL)
    out = subprocess.run([os.path.join(build, "bench", "bench_tagger"), entries, "50",
                          os.path.join(ROOT, "tags.txt")],
                         check=True, capture_output=True, text=True).stdout
    print(out.rstrip())
    rate = int(TAGGER.search(out).group(1))
    lines = sum(1 for _ in open(entries, "rb"))
    ten = os.path.join(work, "entries10.tsv")
    with open(entries, "rb") as f, open(ten, "wb") as w:
        data = f.read()
        for _ in range(10):
            w.write(data)
    names = aliases(os.path.join(ROOT, "tags.txt"), os.path.join(work, "aliases"))
    best = None
    for _ in range(3):
        _, cpu, _, _ = run(["grep", "-c", "-i", "-w", "-F", "-f", os.path.join(work, "aliases"),
                            ten], env=dict(os.environ, LC_ALL="C.UTF-8"))
        best = cpu if best is None else min(best, cpu)
    grep_rate = 10 * lines / best
    print(f"grep -c -i -w -F with {names} aliases: {grep_rate:.0f} lines/s "
          f"(best of 3, {best:.2f} s CPU for {10 * lines} lines)")
    print(f"| tagging | figure | target | |\n|---|---:|---:|---|")
    print(f"| entries/s, full vocabulary, one core | {rate} | >= 50,000 | "
          f"{'met' if rate >= 50000 else 'NOT MET'} |")
    print(f"| tagger / grep -F -i -w (same text, same aliases) | {rate / grep_rate:.2f}x | | |")


def generate(work, name, *args):
    subprocess.run([PY, os.path.join(BENCH, "gen_ingest.py"), os.path.join(work, name), *args],
                   check=True)


def import_corpus(build, db, corpus, log):
    """newsmon import of every document of corpus into db, in as few runs as a quarter of
    ARG_MAX allows (stderr of run i in log.i). Returns (user s, system s, wall s, max RSS KiB,
    new entries) summed over the runs."""
    with open(os.path.join(corpus, "manifest.tsv"), encoding="utf-8") as manifest:
        pairs = [tuple(line.rstrip("\n").split("\t")) for line in manifest if line.strip()]
    user = system = wall = 0.0
    rss = new = 0
    for i, run_pairs in enumerate(chunks(pairs, os.sysconf("SC_ARG_MAX") // 4)):
        argv = [os.path.join(build, "newsmon"), "--db", db,
                "--tags", os.path.join(ROOT, "tags.txt"), "import"]
        for url, path in run_pairs:
            argv += ["--url", url, path]
        status, u, s, w, r = run_split(argv, stderr=f"{log}.{i}")
        if status != 0:
            sys.exit(f"link_report: import into {db} exited {status}; see {log}.{i}")
        user, system, wall, rss = user + u, system + s, wall + w, max(rss, r)
        with open(f"{log}.{i}", encoding="utf-8", errors="replace") as f:
            new += sum(int(m.group(1)) for m in re.finditer(r"\((\d+) new", f.read()))
    return user, system, wall, rss, new


def probe(build, work, name):
    """The probe imported into three fresh copies of database name: the best user, system and
    wall seconds (each its own minimum), and the probe's new entries."""
    history = os.path.join(work, f"{name}.db")
    best = None
    for _ in range(PROBE_ROUNDS):
        db = os.path.join(work, f"probe-{name}.db")
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(db + suffix):
                os.unlink(db + suffix)
        shutil.copyfile(history, db)
        log = os.path.join(work, f"probe-{name}.log")
        *times, _, new = import_corpus(build, db, os.path.join(work, "probe"), log)
        best = tuple(times) if best is None else tuple(map(min, best, times))
    return best, new


def linking(build, work):
    generate(work, "big", "--feeds", "2000", "--entries", "200000", "--per-feed", "100",
             "--days", "600", "--end-days", "2", "--seed", "1")
    generate(work, "small", "--feeds", "100", "--entries", "6700", "--per-feed", "67",
             "--days", "20", "--end-days", "2", "--seed", "2")
    generate(work, "probe", "--feeds", "50", "--entries", "2000", "--per-feed", "40",
             "--days", "2", "--seed", "3")
    rows = []
    for name in ("small", "big"):
        db = os.path.join(work, f"{name}.db")
        h_user, h_sys, h_wall, _, _ = import_corpus(build, db, os.path.join(work, name),
                                                 os.path.join(work, f"{name}.log"))
        size = os.path.getsize(db)
        (p_user, p_sys, p_wall), new = probe(build, work, name)
        rows.append((name, h_user + h_sys, h_wall, size, p_user, p_sys, p_wall, new))
    print(f"probe: best of {PROBE_ROUNDS} imports, each into a fresh copy of the history")
    print("| database | history import CPU s | wall s | DB MB | probe user s | probe system s "
          "| probe wall s | probe entries | µs user CPU per probe entry |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, h_cpu, h_wall, size, p_user, p_sys, p_wall, new in rows:
        print(f"| {name} history | {h_cpu:.2f} | {h_wall:.2f} | {size / 1e6:.0f} | {p_user:.2f} "
              f"| {p_sys:.2f} | {p_wall:.2f} | {new} | {p_user / max(new, 1) * 1e6:.0f} |")
    small, big = rows
    user, cpu = big[4] / small[4], (big[4] + big[5]) / (small[4] + small[5])
    print("| ratio, 200,000-entry database / window-sized one | figure | target | |")
    print("|---|---:|---:|---|")
    print(f"| probe user CPU (newsmon's own work) | {user:.2f}x | about 1x (<= 1.25x) | "
          f"{'met' if user <= 1.25 else 'NOT MET'} |")
    print(f"| probe user+system CPU (system: reading the larger file) | {cpu:.2f}x | | |")
    print(f"| probe wall | {big[6] / small[6]:.2f}x | | |")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("work")
    args = ap.parse_args()
    build, work = os.path.abspath(args.build), os.path.abspath(args.work)
    tagging(build, work)
    print()
    linking(build, work)


if __name__ == "__main__":
    main()
