"""End-to-end: `newsmon crawl` against a real loopback HTTP server and a real database: conditional
GET, codings, redirects, errors, limits, the schedule, the lock, kill -9, politeness, feeds.txt
sync, and the feeds/discover/opml commands."""

import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feedserver import FeedServer  # noqa: E402
from harness import (check, check_eq, check_in, done, newsmon, newsmon_bin, repo_root,  # noqa: E402
                     sqlite, tempdir)


def rss(title, items):
    """A small RSS document; items are (guid, title, description) triples."""
    body = "".join(f"<item><guid>{g}</guid><title>{t}</title><link>https://news.example/{g}</link>"
                   f"<description>{d}</description><pubDate>Mon, 06 Jul 2020 10:00:00 GMT</pubDate>"
                   f"</item>" for g, t, d in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{title}'
            f"</title><link>https://news.example/</link>{body}</channel></rss>")


def feed(name, n=3):
    return rss(name, [(f"{name}-{i}", f"{name} story {i}", f"Text of {name} story {i}.")
                      for i in range(n)])


def health(db):
    r = newsmon("feeds", "--json", db=db)
    check_eq(r.code, 0, "feeds --json exits 0")
    return {row["url"]: row for row in map(json.loads, r.out.splitlines())}


def crawl(db, feeds_file, *args, **kw):
    return newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds_file, "--timeout", "8", *args,
                   db=db, **kw)


with tempdir() as tmp, FeedServer(hosts=1) as srv:
    db = tmp / "c.db"
    feeds = tmp / "feeds.txt"

    # --- a broken feed list stops everything before a single request --------------------------
    srv.route("/plain", body=feed("plain"))
    feeds.write_text(f"{srv.url('/plain')} tech\nftp://example.org/feed\n")
    r = crawl(db, feeds)
    check_eq(r.code, 2, "a bad feeds.txt is a configuration error")
    check_eq(r.err.strip(), f"newsmon: {feeds}:2: 'ftp://example.org/feed' is not an http or "
                            "https URL", "reported as FILE:LINE: message")
    check_eq(srv.total, 0, "and nothing is fetched")
    r = crawl(db, tmp / "missing.txt")
    check_eq(r.code, 2, "a missing feed list is a configuration error")
    # the vocabulary compiles while the database opens; a mistake in it still stops the crawl
    # before a single request
    feeds.write_text(f"{srv.url('/plain')} tech\n")
    bad_tags = tmp / "bad-tags.txt"
    bad_tags.write_text((repo_root() / "tags.txt").read_text() + "platform: \n")
    r = newsmon("--tags", bad_tags, "crawl", "--feeds", feeds, db=db)
    check_eq(r.code, 2, "a mistake in tags.txt is a configuration error")
    check(r.err.startswith(f"newsmon: {bad_tags}:"), "reported as FILE:LINE: message")
    check_eq(srv.total, 0, "and nothing is fetched")

    # --- one crawl over every kind of server behaviour ----------------------------------------
    routes = {
        "/etag": dict(body=feed("etag"), etag='"v1"', last_modified="Mon, 06 Jul 2020 10:00:00 GMT"),
        "/liar": dict(body=feed("liar"), lying_validators=True),
        "/gzip": dict(body=feed("gzip"), encoding="gzip"),
        "/br": dict(fixture="policy.rss", encoding="br"),
        "/old": dict(redirect=(301, "/mid")), "/mid": dict(redirect=(308, "/new")),
        "/new": dict(body=feed("moved")),
        "/temp": dict(redirect=(302, "/temp-target")), "/temp-target": dict(body=feed("temp")),
        "/tmp307": dict(redirect=(307, "/temp-target")),
        "/loop-a": dict(redirect=(302, "/loop-b")), "/loop-b": dict(redirect=(302, "/loop-a")),
        "/to-file": dict(redirect=(302, "file:///etc/passwd")),
        "/to-ftp": dict(redirect=(301, "ftp://127.0.0.1/feed")),
        "/404": dict(status=404), "/500": dict(status=500), "/410": dict(status=410),
        "/429": dict(status=429, retry_after=7200),
        "/stall": dict(body=feed("stall", 50), stall_after=200),
        "/big": dict(huge=600_000),
        "/bomb": dict(gzip_bomb=200_000_000),
        "/html": dict(body='<!DOCTYPE html><html><head><title>Site</title><link rel="alternate" '
                           'type="application/rss+xml" href="/plain"></head><body>hi</body></html>',
                      content_type="text/html; charset=utf-8"),
        "/changing": dict(versions=[feed("changing", 2), rss("changing", [
            ("changing-0", "changing story 0", "Text of changing story 0. UPDATE: more."),
            ("changing-1", "changing story 1", "Text of changing story 1."),
            ("changing-2", "changing story 2", "A new story.")])]),
    }
    for path, spec in routes.items():
        srv.route(path, **spec)
    listed = ["/plain", "/etag", "/liar", "/gzip", "/br", "/old", "/temp", "/tmp307", "/loop-a",
              "/to-file", "/to-ftp", "/404", "/500", "/410", "/429", "/stall", "/big", "/bomb",
              "/html", "/changing"]
    feeds.write_text("# test feeds\n" + "".join(f"{srv.url(p)} test\n" for p in listed))
    start = time.monotonic()
    r = crawl(db, feeds, "--max-body", "500000")
    elapsed = time.monotonic() - start
    check_eq(r.code, 0, "a crawl with failing feeds still exits 0")
    check_eq(r.out, "", "stdout carries nothing but alerts")
    check("\r" not in r.err, "no progress line when stderr is not a terminal")
    check(elapsed < 30, f"the crawl ends in bounded time ({elapsed:.1f} s)")
    check(r.rss_kb < 200_000, f"memory stays bounded through the bomb ({r.rss_kb} KiB)")
    summary = r.err.strip().splitlines()[-1]
    check(summary.startswith("crawl: 20 feeds: 9 fetched, 0 not modified, 11 failed;"), summary)
    h = health(db)

    def state(path):
        return h[srv.url(path)]

    check_eq(state("/etag")["entries"], 3, "a plain feed is stored")
    check_eq(state("/gzip")["entries"], 3, "a gzip body is decoded")
    check_eq(state("/br")["entries"], 4, "a brotli body is decoded")
    check_eq(state("/old")["moved_to"], srv.url("/new"), "301 then 308: the new URL is recorded")
    check_in(f"{srv.url('/old')} moved permanently to {srv.url('/new')}; change line 7", r.err,
             "and reported with the line of feeds.txt to change")
    check_eq(state("/temp")["moved_to"], None, "a 302 is not stored as a move")
    check_eq(state("/tmp307")["moved_to"], None, "nor a 307")
    check_in("redirect loop", state("/loop-a")["error"], "a redirect loop is an error")
    check_in("redirect to 'file:///etc/passwd' refused", state("/to-file")["error"],
             "a redirect to file:// is refused")
    check_in("refused: newsmon fetches only http and https", state("/to-ftp")["error"],
             "and to ftp://")
    check_eq(state("/404")["error"], "HTTP 404 Not Found", "404 recorded")
    check_eq(state("/500")["error"], "HTTP 500 Internal Server Error", "500 recorded")
    check_eq(state("/410")["state"], "gone", "410 marks the feed gone")
    check_in("too slow", state("/stall")["error"].lower(), "a stalled body times out")
    check_in("larger than", state("/big")["error"], "a body over --max-body is cut")
    check_in("larger than", state("/bomb")["error"], "a gzip bomb stops at the cap")
    check_in(f"looks like an HTML page; it advertises 1 feed: {srv.url('/plain')}",
             state("/html")["error"], "an HTML page names the feeds it advertises")
    check_in(f"failed {srv.url('/404')}: HTTP 404 Not Found", r.err, "one stderr line per failed feed")
    check_eq(state("/etag")["state"], "ok", "healthy feeds are ok")
    ua = srv.headers("/etag", "User-Agent")[0]
    check("newsmon" in ua and "http" in ua, f"the User-Agent names newsmon and its URL ({ua})")
    check_in("br", srv.headers("/etag", "Accept-Encoding")[0], "every coding is accepted")
    with sqlite(db) as con:
        check_eq(con.value("SELECT count(*) FROM fetches"), 20, "one fetch record per feed")
        row = con.rows("SELECT status, bytes, ms, error FROM fetches WHERE url = ?", srv.url("/404"))[0]
        check_eq((row["status"], row["error"]), (404, "HTTP 404 Not Found"), "with status and error")
        next_due = con.value("SELECT next_due - last_fetch FROM feeds WHERE url = ?", srv.url("/429"))
        check(7200 <= next_due <= 7300, f"429 honours Retry-After ({next_due} s)")

    # --- the second crawl: conditional GET, liars, moves, gone, and a feed that changed -------
    srv.next_round()
    before = {p: srv.count(p) for p in routes}
    r = crawl(db, feeds, "--force", "--max-body", "500000")
    check_eq(r.code, 0, "the second crawl exits 0")
    check_eq(srv.headers("/etag", "If-None-Match")[-1], '"v1"', "the ETag is sent back verbatim")
    check_eq(srv.headers("/etag", "If-Modified-Since")[-1], "Mon, 06 Jul 2020 10:00:00 GMT",
             "and Last-Modified")
    check_eq(srv.last("/etag").status, 304, "the server answers 304")
    check_eq(srv.count("/old"), before["/old"], "a moved feed is fetched at its new URL")
    check_eq(srv.count("/new"), before["/new"] + 1, "...which is fetched")
    check_eq(srv.count("/temp"), before["/temp"] + 1, "a 302 is followed from the old URL again")
    check_eq(srv.count("/410"), before["/410"] + 1, "--force retries a gone feed")
    summary = r.err.strip().splitlines()[-1]
    check_in("1 fetched, 8 not modified", summary, "unchanged feeds cost no parse")
    check_in("1 new entries, 1 updated", summary, "the changed feed gives one new entry and one update")
    h = health(db)
    check_eq(state("/changing")["entries"], 3, "the new entry is stored")
    with sqlite(db) as con:
        check_eq(con.value("SELECT revisions FROM entries WHERE guid = 'changing-0'"), 1,
                 "the changed entry is one revision")
        check_eq(con.value("SELECT sum(revisions) FROM entries WHERE feed_id = "
                           "(SELECT id FROM feeds WHERE url = ?)", srv.url("/liar")), 0,
                 "a server lying about validators causes no revisions")

    # --- without --force only due feeds are fetched, and a gone feed is left alone ------------
    before = srv.total
    r = crawl(db, feeds)
    check_eq(srv.total, before, "nothing is due right after a crawl")
    check_in("crawl: 0 feeds", r.err, "and the summary says so")

    # --- feeds.txt changes are synced; a removed feed keeps its history -----------------------
    feeds.write_text(f"{srv.url('/plain')} tech policy\n{srv.url('/etag')} \"~Renamed Feed\"\n")
    r = crawl(db, feeds, "--force")
    check_eq(r.code, 0, "a crawl after editing feeds.txt exits 0")
    h = health(db)
    check_eq(state("/gzip")["state"], "removed", "a feed taken out of feeds.txt is marked removed")
    check_eq(state("/gzip")["entries"], 3, "and keeps its entries")
    check_eq(state("/plain")["labels"], "tech policy", "labels follow feeds.txt")
    check_eq(state("/etag")["title"], "Renamed Feed", "so does the title override")
    r = newsmon("export", db=db)
    check(any(json.loads(line)["feed"] == srv.url("/gzip") for line in r.out.splitlines()),
          "removed feeds' entries are still exported")

    # --- opml export and import ----------------------------------------------------------------
    r = newsmon("--feeds", feeds, "opml", "export")
    check_eq(r.code, 0, "opml export exits 0")
    check_in(f'xmlUrl="{srv.url("/plain")}"', r.out, "and lists the feeds")
    check_in('category="tech,policy"', r.out, "with their labels")
    opml = tmp / "in.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body><outline text="Rights">'
                    f'<outline text="x" xmlUrl="{srv.url("/plain")}"/>'
                    '<outline text="EFF" xmlUrl="https://www.eff.org/rss/updates.xml"/>'
                    '<outline text="bad" xmlUrl="javascript:alert(1)"/></outline></body></opml>')
    r = newsmon("--feeds", feeds, "opml", "import", opml)
    check_eq(r.code, 0, "opml import exits 0")
    check_in("1 feed added", r.err, "only the new feed is added")
    lines = feeds.read_text().splitlines()
    check_eq(lines[-1], "https://www.eff.org/rss/updates.xml rights", "appended with its folder as label")
    check_eq(sum(1 for x in lines if srv.url("/plain") in x), 1, "no duplicate line")
    r = newsmon("--feeds", feeds, "opml", "import", opml)
    check_in("0 feeds added", r.err, "importing again adds nothing")

    # --- discover -------------------------------------------------------------------------------
    r = newsmon("discover", srv.url("/html"))
    check_eq((r.code, r.out), (0, srv.url("/plain") + "\n"), "discover lists the advertised feeds")
    r = newsmon("discover", srv.url("/plain"))
    check_eq(r.out, srv.url("/plain") + "\n", "a feed address discovers itself")
    r = newsmon("discover", srv.url("/404"))
    check_eq(r.code, 1, "a page that cannot be fetched is an error")

with tempdir() as tmp, FeedServer(hosts=1) as srv:
    # --- politeness: 50 feeds on one host never see more than the per-host limit at once -------
    db, feeds = tmp / "p.db", tmp / "feeds.txt"
    for i in range(50):
        srv.route(f"/f{i}", body=feed(f"f{i}", 2), delay=0.1)
    feeds.write_text("".join(f"{srv.url(f'/f{i}')}\n" for i in range(50)))
    r = crawl(db, feeds)
    check_eq(r.code, 0, "the politeness crawl exits 0")
    check_eq(srv.total, 50, "every feed fetched once")
    check(srv.max_in_flight(0) <= 2, f"at most 2 requests at once to one host ({srv.max_in_flight(0)})")
    check(srv.max_in_flight(0) == 2, "and the limit is used")
    srv.reset_stats()
    r = crawl(db, feeds, "--force", "--per-host", "1", "--host-delay", "50")
    check(srv.max_in_flight(0) == 1, "--per-host 1 means one at a time")
    starts = sorted(req.time for req in srv.requests())
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    check(min(gaps) >= 0.045, f"--host-delay spaces the requests ({min(gaps) * 1000:.0f} ms)")

with tempdir() as tmp, FeedServer(hosts=1) as srv:
    db, feeds = tmp / "l.db", tmp / "feeds.txt"
    for i in range(40):
        srv.route(f"/s{i}", body=feed(f"s{i}", 5), delay=0.25)
    feeds.write_text("".join(f"{srv.url(f'/s{i}')}\n" for i in range(40)))
    env = {**os.environ, "NEWSMON_NOW": "1767225600"}
    argv = [newsmon_bin(), "--db", str(db), "--tags", "tags.txt", "crawl", "--feeds", str(feeds)]

    # --- two crawls at once: the second exits 75 naming the first, or waits with --wait --------
    first = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    time.sleep(0.5)
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, db=db)
    check_eq(r.code, 75, "a second crawl exits 75 while the first runs")
    check_in(f"another crawl (pid {first.pid}) is using", r.err, "and names the first one")
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--wait", db=db)
    check_eq(r.code, 0, "with --wait it waits for the first and then runs")
    check_eq(first.wait(), 0, "the first crawl finishes normally")

    # --- kill -9 in the middle, then a clean rerun: nothing lost, nothing twice ----------------
    db2 = tmp / "k.db"
    argv[2] = str(db2)
    victim = subprocess.Popen(argv + ["--force"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env=env)
    time.sleep(2.5)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    with sqlite(db2) as con:
        check_eq(con.integrity(), "ok", "the database is consistent after kill -9")
        stored = con.value("SELECT count(*) FROM entries")
    check(0 < stored < 200, f"the killed crawl had stored part of the feeds ({stored} entries)")
    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--force", db=db2, env=env)
    check_eq(r.code, 0, "the rerun exits 0")
    with sqlite(db2) as con:
        check_eq(con.value("SELECT count(*) FROM entries"), 200, "every entry once after the rerun")
        check_eq(con.value("SELECT count(DISTINCT feed_id || key) FROM entries"), 200, "none twice")
        check_eq(con.value("SELECT count(*) FROM pending"), 0,
                 "and all of them processed")

    # --- SIGTERM: no new fetches, what is in is committed, exit 0 ------------------------------
    db3 = tmp / "t.db"
    argv[2] = str(db3)
    proc = subprocess.Popen(argv + ["--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)
    time.sleep(1.5)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    check_eq(proc.returncode, 0, "SIGTERM ends the crawl cleanly")
    check_in("interrupted", err, "and the summary says it was interrupted")
    with sqlite(db3) as con:
        n = con.value("SELECT count(*) FROM entries")
        check_eq(con.integrity(), "ok", "the database is consistent after SIGTERM")
    check(n % 5 == 0 and n < 200, f"whole feeds were committed, the rest left for the next run ({n})")

done()
