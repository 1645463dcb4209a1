#!/usr/bin/env python3
"""ingest_report.py BUILD_DIR INGEST_DIR WORK_DIR — Part 2 of the benchmarks: ingest.

INGEST_DIR is what gen_ingest.py wrote (manifest.tsv: "URL<TAB>FILE" per document).
  1. `newsmon --db WORK_DIR/newsmon.db --tags ROOT/tags.txt import --url URL1 FILE1 ...`
     over every document into a fresh database: as few runs as the command-line limit allows
     (the argument bytes of one run stay under a quarter of ARG_MAX), times summed. Each run
     parses, stores, then tags and links (ingest_finish) what it stored.
  2. The same command again on the same database, every document unchanged.
  3. BUILD_DIR/bench/bench_ingest_floor WORK_DIR/floor.db manifest.tsv: the same rows written by
     a minimal prepared-statement loop (see its top comment); only its SQLite part is timed.
  4. The same with --fts: the floor plus the full-text index the store must keep. Together with
     the floor's untimed preparation (reading, parsing, deriving the rows: prep_cpu), what any
     import with search costs before identity, copies, tags and stories; shown for reference.
Times are CPU seconds (user+sys, wait4) and wall seconds. Database bytes are the main file
plus the WAL once newsmon has closed it (its close checkpoints). Prints a readable report.
"""
import argparse
import contextlib
import os
import re
import sqlite3
import sys

from benchlib import chunks, keyvals, run, verdict

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SUMMARY = re.compile(r"^import .*: (\d+) entries \((\d+) new, (\d+) updated, (\d+) unchanged\)$")


def floor(build, work, manifest, name, *options):
    """Runs bench_ingest_floor into WORK/NAME.db; returns its key=value figures."""
    out, err = os.path.join(work, f"{name}.out"), os.path.join(work, f"{name}.err")
    status, _, _, _ = run([f"{build}/bench/bench_ingest_floor", *options,
                           os.path.join(work, f"{name}.db"), manifest], stdout=out, stderr=err)
    if status != 0:
        with open(err, encoding="utf-8") as f:
            sys.exit(f"ingest_report: bench_ingest_floor {' '.join(options)} failed:\n{f.read()}")
    with open(out, encoding="utf-8") as f:
        return keyvals(f.read())


def db_bytes(path):
    return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))


def import_all(build, db, runs, log):
    """Runs every import; returns (CPU, wall, max RSS KiB, [entries, new, updated, unchanged])
    summed over the runs, the per-file summaries read from the stderr logs."""
    cpu = wall = 0.0
    rss = 0
    counts = [0, 0, 0, 0]
    for i, pairs in enumerate(runs):
        argv = [f"{build}/newsmon", "--db", db, "--tags", os.path.join(ROOT, "tags.txt"),
                "import"]
        for url, path in pairs:
            argv += ["--url", url, path]
        err = f"{log}.{i}"
        status, c, w, r = run(argv, stderr=err)
        if status != 0:
            with open(err, encoding="utf-8", errors="replace") as f:
                tail = f.readlines()[-5:]
            sys.exit(f"ingest_report: import exited {status}:\n{''.join(tail)}")
        cpu, wall, rss = cpu + c, wall + w, max(rss, r)
        with open(err, encoding="utf-8", errors="replace") as f:
            for line in f:
                m = SUMMARY.match(line.strip())
                if m:
                    counts = [a + int(b) for a, b in zip(counts, m.groups())]
    return cpu, wall, rss, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("ingest")
    ap.add_argument("work")
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    manifest = os.path.join(args.ingest, "manifest.tsv")
    with open(manifest, encoding="utf-8") as f:
        pairs = [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]
    docs_bytes = sum(os.path.getsize(p) for _, p in pairs)
    runs = chunks(pairs, os.sysconf("SC_ARG_MAX") // 4)
    db = os.path.join(args.work, "newsmon.db")
    log = os.path.join(args.work, "import")

    first = import_all(build, db, runs, log)
    size = db_bytes(db)
    with contextlib.closing(sqlite3.connect(db)) as con:
        stored = con.execute("SELECT count(*) FROM entries").fetchone()[0]
        dups = con.execute("SELECT count(*) FROM entry_story"
                           " WHERE relation = 'duplicate'").fetchone()[0]
        stories = con.execute("SELECT count(*) FROM stories").fetchone()[0]
    again = import_all(build, db, runs, log)

    fl = floor(build, args.work, manifest, "floor")
    ft = floor(build, args.work, manifest, "floor-fts", "--fts")
    fl_cpu, fl_wall, fl_entries = float(fl["cpu"]), float(fl["wall"]), int(fl["entries"])
    ft_cpu, ft_wall = float(ft["cpu"]), float(ft["wall"])
    prep = float(fl["prep_cpu"])

    print(f"input: {len(pairs)} feed documents, {first[3][0]} entries, {docs_bytes / 1e6:.1f} MB;"
          f" {len(runs)} import run{'s' if len(runs) > 1 else ''} per pass")
    print(f"first import: {first[3][1]} new, {first[3][2]} updated, {first[3][3]} unchanged; "
          f"stored {stored} entries ({dups} duplicates) in {stories} stories")
    print(f"re-import:    {again[3][1]} new, {again[3][2]} updated, {again[3][3]} unchanged\n")
    print(f"  {'':<30} {'CPU s':>9} {'entries/s':>10} {'wall s':>9} {'entries/s':>10} "
          f"{'max RSS':>8} {'DB bytes/entry':>15}")
    for name, c, w, r, n, b in (
            ("newsmon import", first[0], first[1], first[2], first[3][0], size),
            ("newsmon re-import (unchanged)", again[0], again[1], again[2], again[3][0], None),
            ("floor (bench_ingest_floor)", fl_cpu, fl_wall, None, fl_entries, int(fl["bytes"])),
            ("floor with FTS5 (--fts)", ft_cpu, ft_wall, None, fl_entries, int(ft["bytes"]))):
        print(f"  {name:<30} {c:9.2f} {n / c:10.0f} {w:9.2f} {n / w:10.0f} "
              f"{f'{r / 1024:.0f} MB' if r else '':>8} {f'{b / n:.0f}' if b else '':>15}")
    print("\nratios:")
    ratio_cpu, ratio_wall = first[0] / fl_cpu, first[1] / fl_wall
    print(f"  import / floor          CPU {ratio_cpu:7.1f}x   wall {ratio_wall:7.1f}x   "
          f"target <= 3x: CPU {verdict(3, ratio_cpu)}, wall {verdict(3, ratio_wall)}")
    print(f"  (for reference: the floor's untimed preparation, reading, parsing and deriving the "
          f"rows, took {prep:.2f} s of CPU = {prep / fl_cpu:.1f}x the floor;\n"
          f"   floor with FTS5 = {ft_cpu / fl_cpu:.1f}x the floor; preparation + floor with FTS5 = "
          f"{(prep + ft_cpu) / fl_cpu:.1f}x the floor, and newsmon import = "
          f"{first[0] / (prep + ft_cpu):.1f}x that)")
    speed_cpu, speed_wall = first[0] / again[0], first[1] / again[1]
    print(f"  import / re-import      CPU {speed_cpu:7.1f}x   wall {speed_wall:7.1f}x   "
          f"target >= 5x: CPU {verdict(speed_cpu, 5)}, wall {verdict(speed_wall, 5)}")


if __name__ == "__main__":
    main()
