#!/usr/bin/env python3
"""crawl_report.py BUILD_DIR CORPUS_DIR WORK_DIR — Part 3 of the benchmarks: crawl.

CORPUS_DIR is what gen_ingest.py wrote (manifest.tsv: "URL<TAB>FILE" per document; the URLs
are ignored). Every document is served by tests/e2e/feedserver.py, in this process, on 50
loopback addresses (127.0.0.2 to 127.0.0.51, documents dealt out in turn, 20 each for 1,000),
with a 100 ms delay before each response and a strong ETag, so that per-host politeness and
conditional GET apply as they would on the internet. Then, each into a fresh store:
  1. newsmon: `newsmon --db DB --tags ROOT/tags.txt crawl --feeds feeds.txt` (its defaults:
     --jobs 64, --per-host 2).
  2. sfeed_update with an sfeedrc of `maxjobs=32` (sfeed's default fetch: one curl per feed).
  3. newsboat -x reload with `reload-threads 32`.
  4. newsmon again, `crawl --force`, nothing changed: the server counts its 304s.
Times are CPU seconds (user+sys of the process and every descendant it waited for, from
wait4) and wall seconds; peak RSS is the largest of the process and its descendants.
"""
import argparse
import os
import sqlite3
import sys

from benchlib import run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
from feedserver import FeedServer  # noqa: E402

HOSTS = [f"127.0.0.{i}" for i in range(2, 52)]
DELAY = 0.1


def serve(corpus):
    """The routes for every document of the corpus, and their paths in manifest order."""
    routes, paths = {}, []
    with open(os.path.join(corpus, "manifest.tsv"), encoding="utf-8") as manifest:
        for line in manifest:
            _, path = line.rstrip("\n").split("\t")
            with open(path, "rb") as f:
                body = f.read()
            name = "/" + os.path.basename(path)
            routes[name] = {"body": body, "delay": DELAY, "etag": True}
            paths.append(name)
    return routes, paths


def write_configs(work, urls):
    """feeds.txt for newsmon, sfeedrc for sfeed_update, urls and config for newsboat."""
    with open(os.path.join(work, "feeds.txt"), "w", encoding="utf-8") as f:
        f.writelines(f"{u} bench\n" for u in urls)
    os.makedirs(os.path.join(work, "sfeed"))
    with open(os.path.join(work, "sfeedrc"), "w", encoding="utf-8") as f:
        f.write(f'maxjobs=32\nsfeedpath="{work}/sfeed"\nfeeds() {{\n')
        f.writelines(f'\tfeed "f{i}" "{u}"\n' for i, u in enumerate(urls))
        f.write("}\n")
    with open(os.path.join(work, "urls"), "w", encoding="utf-8") as f:
        f.writelines(f"{u}\n" for u in urls)
    with open(os.path.join(work, "newsboat.conf"), "w", encoding="utf-8") as f:
        f.write("reload-threads 32\nshow-read-feeds yes\n")


def count_rows(work):
    """Entries each store holds after its crawl: newsmon's export lines, sfeed's TSV lines,
    newsboat's rss_item rows."""
    with sqlite3.connect(f"file:{work}/newsmon.db?mode=ro", uri=True) as db:
        newsmon = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    sfeed = 0
    for name in os.listdir(os.path.join(work, "sfeed")):
        with open(os.path.join(work, "sfeed", name), "rb") as f:
            sfeed += sum(1 for _ in f)
    with sqlite3.connect(f"file:{work}/newsboat.db?mode=ro", uri=True) as db:
        newsboat = db.execute("SELECT count(*) FROM rss_item").fetchone()[0]
    return newsmon, sfeed, newsboat


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build")
    ap.add_argument("corpus")
    ap.add_argument("work")
    args = ap.parse_args()
    build, work = os.path.abspath(args.build), os.path.abspath(args.work)

    routes, paths = serve(args.corpus)
    nbytes = sum(len(r["body"]) for r in routes.values())
    newsmon = [f"{build}/newsmon", "--db", f"{work}/newsmon.db",
               "--tags", os.path.join(ROOT, "tags.txt"), "crawl", "--feeds", f"{work}/feeds.txt"]
    env_home = dict(os.environ, HOME=work)  # newsboat keeps its lock and history under HOME
    with FeedServer(routes, hosts=HOSTS) as srv:
        urls = [srv.url(p, host=i % len(HOSTS)) for i, p in enumerate(paths)]
        write_configs(work, urls)
        print(f"corpus: {len(paths)} feeds, {nbytes / 1e6:.1f} MB, served from {len(HOSTS)} "
              f"loopback addresses with {DELAY * 1000:.0f} ms latency")

        results = {}
        for name, argv, env in (
                ("newsmon crawl", newsmon, None),
                ("sfeed_update (maxjobs=32)", ["sfeed_update", f"{work}/sfeedrc"], None),
                ("newsboat -x reload (32 threads)",
                 ["newsboat", "-x", "reload", "-u", f"{work}/urls", "-c", f"{work}/newsboat.db",
                  "-C", f"{work}/newsboat.conf"], env_home)):
            srv.reset_stats()
            status, cpu, wall, rss = run(argv, stderr=f"{work}/{name.split()[0]}.err", env=env)
            stats = srv.stats()
            if status != 0 and name.startswith("newsmon"):
                sys.exit(f"crawl_report: {name} exited {status}; see {work}/newsmon.err")
            results[name] = (cpu, wall, rss, stats["total"], status)
            if name.startswith("newsmon"):
                politeness = max(h["max_in_flight"] for h in stats["hosts"])

        srv.reset_stats()
        status, re_cpu, re_wall, re_rss = run(newsmon + ["--force"], stderr=f"{work}/recrawl.err")
        stats = srv.stats()
        re_total, re_304 = stats["total"], stats["not_modified"]
        if status != 0:
            sys.exit(f"crawl_report: the unchanged crawl exited {status}")

    stored = count_rows(work)
    print()
    print(f"| | wall s | CPU s | feeds/s (wall) | peak RSS MB | requests | entries stored |")
    print(f"|---|---:|---:|---:|---:|---:|---:|")
    for (name, (cpu, wall, rss, total, status)), n in zip(results.items(), stored):
        note = "" if status == 0 else f" (exit {status})"
        print(f"| {name}{note} | {wall:.2f} | {cpu:.2f} | {len(paths) / wall:.1f} | "
              f"{rss / 1024:.1f} | {total} | {n} |")
    print(f"| newsmon crawl --force, nothing changed | {re_wall:.2f} | {re_cpu:.2f} | "
          f"{len(paths) / re_wall:.1f} | {re_rss / 1024:.1f} | {re_total} | |")

    n_cpu, n_wall, n_rss = results["newsmon crawl"][:3]
    peers = {k: v for k, v in results.items() if not k.startswith("newsmon") and v[4] == 0}
    fastest = min(peers, key=lambda k: peers[k][1])
    p_cpu, p_wall = peers[fastest][:2]
    print()
    print(f"faster peer: {fastest}")
    print("| ratio | figure | target | |")
    print("|---|---:|---:|---|")
    rows = (("peer wall / newsmon wall (first crawl)", p_wall / n_wall, ">= 8x", p_wall / n_wall >= 8),
            ("newsmon CPU / peer CPU", n_cpu / p_cpu, "<= 0.2x", n_cpu / p_cpu <= 0.2),
            ("unchanged crawl: 304s / requests", re_304 / max(re_total, 1), "1.0",
             re_304 == re_total == len(paths)),
            ("first crawl wall / unchanged crawl wall", n_wall / re_wall, ">= 5x",
             n_wall / re_wall >= 5),
            ("newsmon peak RSS (first crawl, MB)", n_rss / 1024, "< 48", n_rss / 1024 < 48))
    for what, value, target, ok in rows:
        print(f"| {what} | {value:.2f} | {target} | {'met' if ok else 'NOT MET'} |")
    print(f"most requests in flight at one host during newsmon's first crawl: {politeness} "
          f"(--per-host 2)")


if __name__ == "__main__":
    main()
