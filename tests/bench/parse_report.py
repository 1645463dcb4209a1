#!/usr/bin/env python3
"""parse_report.py BUILD_DIR CORPUS_DIR WORK_DIR [--rounds N] — Part 1 of the benchmarks: parse.

Measures, on the same bytes (every file of CORPUS_DIR, sorted by name):
  xmllint --stream --noout   libxml2's streaming reader, the floor: one process for all files
  sfeed                      one stream: the files concatenated into WORK_DIR/all.xml, read from
                             stdin once (sfeed reads one stream; one process per file would
                             mostly measure process start-up)
  feedparser                 Debian's /usr/bin/python3, every file loaded as bytes first, then
                             feedparser.parse(bytes) on each, in process CPU time
  newsmon (struct)           BUILD_DIR/bench/bench_parse -r 3: files in memory, three passes of
                             feed_parser_parse + feed_free over them in one process; the best
                             pass (the heap already grown, as in a crawl after its first
                             documents) and, apart, the first pass (which also grows it)
  newsmon parse (JSON)       `newsmon parse --url URL FILE > /dev/null`, one process per file
                             (informative: includes start-up and JSON output; the start-up,
                             measured on a 60-byte feed, is also taken out)
Throughput is MB (10^6 bytes) per CPU second (user+sys of the process, from wait4, or the
process's own CPU clock), the best of N rounds (default 5) that run xmllint, sfeed and
bench_parse in turn; feedparser and the JSON path run once. Ratios are newsmon (struct) over
each peer, for its later and its first passes. Memory: the most bench_parse held on top of
the loaded corpus (ru_maxrss after minus before parsing) and the max RSS of `newsmon parse` on
the largest file, against that file's size. Callgrind: instructions per MB of feed_parser_parse+
feed_free (bench_parse, collection toggled on those two functions) and of xmllint --stream
(its whole run minus a run on a 60-byte document), over the whole corpus, on the largest file
and on the largest real-world file (name starting with "real"): unlike CPU seconds, these
do not depend on what else the machine is doing. Prints a readable report on stdout.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

from benchlib import keyvals, run, verdict

BASE_URL = "https://bench.example.org/feed.xml"
FEEDPARSER = r"""
import sys, time, feedparser
docs = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        docs.append(f.read())
entries = 0
c0, w0 = time.process_time(), time.perf_counter()
for d in docs:
    entries += len(feedparser.parse(d).entries)
print(f"cpu={time.process_time() - c0:.6f} wall={time.perf_counter() - w0:.6f} "
      f"entries={entries} version={feedparser.__version__}")
"""


def callgrind_ir(argv, work, toggles=()):
    """Instructions executed by argv under callgrind (only inside the toggled functions when
    given), or None when valgrind is missing or fails."""
    out = os.path.join(work, "callgrind.out")
    cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    if toggles:
        cmd.append("--collect-atstart=no")
        cmd += [f"--toggle-collect={t}" for t in toggles]
    try:
        p = subprocess.run(cmd + argv, capture_output=True, text=True, errors="replace", check=False)
    except FileNotFoundError:
        return None
    m = re.search(r"Collected : (\d+)", p.stderr)
    if os.path.exists(out):
        os.remove(out)
    return int(m.group(1)) if m else None


def mb(n):
    return n / 1e6


def row(name, nbytes, cpu, wall, note=""):
    print(f"  {name:<34} {cpu:8.3f} {mb(nbytes) / cpu:9.1f} {wall:8.3f} {mb(nbytes) / wall:9.1f}"
          f"  {note}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("corpus")
    ap.add_argument("work")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    build = os.path.abspath(args.build)
    files = sorted(os.path.join(args.corpus, n) for n in os.listdir(args.corpus))
    sizes = {f: os.path.getsize(f) for f in files}
    total = sum(sizes.values())
    largest = max(files, key=sizes.get)
    real = [f for f in files if os.path.basename(f).startswith("real")]
    print(f"measured over {len(files)} files, {mb(total):.1f} MB ({mb(sum(sizes[f] for f in real)):.1f}"
          f" MB real-world); largest {os.path.basename(largest)}, {mb(sizes[largest]):.2f} MB")
    print(f"throughput: best of {args.rounds} rounds unless noted; MB = 10^6 bytes\n")
    print(f"  {'':<34} {'CPU s':>8} {'MB/s':>9} {'wall s':>8} {'MB/s wall':>9}")

    joined = os.path.join(args.work, "all.xml")
    with open(joined, "wb") as out:
        for f in files:
            with open(f, "rb") as src:
                shutil.copyfileobj(src, out)
    # rounds interleave the tools, so that a busy spell on a shared machine hits all of them
    xml, sfeed, nm = [], [], []
    for _ in range(args.rounds):
        xml.append(run(["xmllint", "--stream", "--noout"] + files))
        sfeed.append(run(["sfeed"], stdin=joined))
        p = subprocess.run([f"{build}/bench/bench_parse", "-r", "3", "-u", BASE_URL] + files,
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            sys.exit(f"parse_report: bench_parse failed:\n{p.stderr}")
        nm.append(keyvals(p.stdout))
    os.remove(joined)
    xml_cpu, sfeed_cpu = min(r[1] for r in xml), min(r[1] for r in sfeed)
    nm_cpu, nm_wall = min(float(r["cpu"]) for r in nm), min(float(r["wall"]) for r in nm)
    nm_first = min(float(r["cpu_first"]) for r in nm)
    row("xmllint --stream --noout", total, xml_cpu, min(r[2] for r in xml),
        "(one process, all files)")
    row("sfeed", total, sfeed_cpu, min(r[2] for r in sfeed), "(one stream of all files)")

    p = subprocess.run(["/usr/bin/python3", "-c", FEEDPARSER] + files, capture_output=True,
                       text=True, check=False)
    if p.returncode != 0:
        sys.exit(f"parse_report: feedparser failed:\n{p.stderr}")
    fp = keyvals(p.stdout)
    row(f"feedparser {fp['version']}", total, float(fp["cpu"]), float(fp["wall"]),
        f"(1 round, {fp['entries']} entries)")
    row("newsmon feed_parser_parse (struct)", total, nm_cpu, nm_wall,
        f"({nm[0]['entries']} entries, {nm[0]['bozo']} recovered, {nm[0]['unusable']} unusable)")
    row("  its first pass in a process", total, nm_first, nm_first,
        "(also grows the heap to its peak: first-touch page faults)")

    cpu = 0.0
    w0 = time.perf_counter()
    for f in files:
        cpu += run([f"{build}/newsmon", "parse", "--url", BASE_URL, f])[1]
    wall = time.perf_counter() - w0
    row("newsmon parse > /dev/null (JSON)", total, cpu, wall,
        "(1 round, one process per file; informative)")
    tiny = os.path.join(args.work, "tiny.xml")
    with open(tiny, "w", encoding="ascii") as f:
        f.write('<rss version="2.0"><channel><title>t</title></channel></rss>')
    start = min(run([f"{build}/newsmon", "parse", tiny])[1] for _ in range(5))
    print(f"  {'':<34} start-up: {start * 1e3:.1f} ms CPU per process (a 60-byte feed, best of 5);"
          f"\n  {'':<34} without it: {mb(total) / (cpu - start * len(files)):.1f} MB/s")

    for label, cpu_s in (("later passes, as in a crawl", nm_cpu), ("first pass", nm_first)):
        print(f"\nratios (newsmon feed_parser_parse throughput, {label} / peer, CPU time):")
        for name, peer_cpu, target in (("xmllint --stream", xml_cpu, 0.7),
                                       ("sfeed", sfeed_cpu, None),
                                       ("feedparser", float(fp["cpu"]), 50)):
            ratio = peer_cpu / cpu_s
            goal = f"target >= {target}x: {verdict(ratio, target)}" if target else "no target"
            print(f"  newsmon / {name:<18} {ratio:8.2f}x   {goal}")

    held = max(int(r["rss_peak"]) - int(r["rss_loaded"]) for r in nm) * 1024
    single = run([f"{build}/newsmon", "parse", "--url", BASE_URL, largest])
    print("\nmemory (largest document %.2f MB):" % mb(sizes[largest]))
    print(f"  bench_parse peak RSS over the loaded corpus: {mb(held):7.1f} MB = "
          f"{held / sizes[largest]:.1f}x the largest document")
    print(f"  newsmon parse LARGEST, max RSS of the process: {mb(single[3] * 1024):5.1f} MB = "
          f"{single[3] * 1024 / sizes[largest]:.1f}x")

    print("\ncallgrind, instructions per MB of input:")
    base = callgrind_ir(["xmllint", "--stream", "--noout", tiny], args.work)
    targets = [("whole corpus", files, total), (os.path.basename(largest), [largest], sizes[largest])]
    if real:
        big = max(real, key=sizes.get)
        targets.append((os.path.basename(big), [big], sizes[big]))
    for name, group, nbytes in targets:
        n = callgrind_ir([f"{build}/bench/bench_parse", "-r", "1", "-u", BASE_URL] + group,
                         args.work, ("feed_parser_parse", "feed_free"))
        x = callgrind_ir(["xmllint", "--stream", "--noout"] + group, args.work)
        if n is None or x is None or base is None:
            print(f"  {name}: not measured (valgrind missing or failed)")
            continue
        x -= base
        print(f"  {name} ({mb(nbytes):.2f} MB): newsmon {n / mb(nbytes) / 1e6:7.1f} M Ir/MB, "
              f"xmllint --stream {x / mb(nbytes) / 1e6:7.1f} M Ir/MB, newsmon/xmllint {n / x:.2f}"
              f" (throughput ratio {x / n:.2f}x)")
    os.remove(tiny)


if __name__ == "__main__":
    main()
