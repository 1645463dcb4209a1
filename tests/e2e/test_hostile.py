"""End-to-end: ONE `newsmon crawl` against a loopback server that attacks it every way at once,
with well-behaved feeds mixed in. Entity bombs, external entities (file and HTTP), a 1 GB gzip
bomb, a 100 MB body, a 1 byte/s drip, a reset, a lying Content-Length, a cut chunked body,
redirect loops and redirects to file:// and ftp://, empty, binary, HTML and non-feed JSON bodies,
invalid UTF-8, NUL, ANSI escapes and newlines in titles, 20,000 entries, 10,000 levels of
nesting. The crawl must end in bounded time (--timeout 6: each transfer at most 6 s, a stall
dropped after 2 s) and bounded memory, store every good feed completely, give each bad one its
own precise error, leak no file content and print nothing raw.

RELIABILITY.md records the figures; NEWSMON_STATS=1 prints them (time, peak RSS) to stderr.
Under NEWSMON_WRAP (valgrind) and with an AddressSanitizer binary (make asan) the time budgets
scale and the RSS bound, which would measure valgrind's or ASan's own memory, is not asserted.
"""

import json
import os
import random
import sqlite3
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feedserver import FeedServer  # noqa: E402
from harness import (check, check_eq, check_in, corpus_dir, done, newsmon,  # noqa: E402
                     newsmon_bin, sqlite, tempdir)

WRAPPED = bool(os.environ.get("NEWSMON_WRAP"))
with open(newsmon_bin(), "rb") as _f:
    SANITIZED = b"__asan_init" in _f.read()  # make asan: ASan's shadow memory is in the RSS
# A slower binary blocks its event loop longer while it parses: without room, the drip's total
# timeout can pass before the stall check runs, and the error names the other limit.
SLOW = 10 if WRAPPED else 4 if SANITIZED else 1
TIMEOUT = 6 * SLOW                   # crawl --timeout: per transfer; stalls get a quarter
TIME_BOUND = 20 * SLOW               # seconds for the whole crawl
STALL = min(30, max(2, TIMEOUT // 4))  # what --timeout gives a stalled transfer
RSS_BOUND_KB = 128 * 1024            # two 16 MiB bodies at once, their parse, SQLite, libraries
MARKER = "LEAKED-VIA-HTTP"           # what the HTTP external entities would pull in
with open("/etc/passwd", encoding="utf-8", errors="replace") as _f:
    PASSWD = [line for line in _f.read().splitlines() if line.strip()]
CONTROL = {chr(c) for c in list(range(0x00, 0x20)) + list(range(0x7F, 0xA0))}


def rss(title, items, prolog=""):
    """An RSS 2.0 document; items are (guid, title, description) triples of raw XML text."""
    body = "".join(f"<item><guid>{g}</guid><title>{t}</title><link>https://ok.example/{g}</link>"
                   f"<description>{d}</description><pubDate>Mon, 06 Jul 2020 10:00:00 GMT"
                   f"</pubDate></item>" for g, t, d in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://ok.example/</link>{body}</channel></rss>")


def good_rss(name, n):
    return rss(name, [(f"{name}-{i}", f"{name} report {i}", f"Text of {name} report {i}.")
                      for i in range(n)])


def xml_entries(data):
    """Entries of an RSS/Atom document counted by ElementTree, independently of newsmon."""
    root = ET.fromstring(data)
    return sum(1 for el in root.iter() if el.tag in ("item", "{http://www.w3.org/2005/Atom}entry"))


LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY lol "lol">\n'
          + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">\n'
                    for i in range(1, 10))
          + ']>\n<rss version="2.0"><channel><title>Laughs</title><item><guid>l1</guid>'
            '<title>&lol9;</title></item></channel></rss>')
DEEP_XML = ('<?xml version="1.0"?><rss version="2.0"><channel><title>Deep</title>'
            '<item><guid>d0</guid><title>before the depths</title></item>'
            + "<x>" * 10000 + "</x>" * 10000
            + "<item><guid>d1</guid><title>after the depths</title></item></channel></rss>")
DEEP_JSON = ('{"version": "https://jsonfeed.org/version/1.1", "title": "Deep JSON", "x": '
             + "[" * 10000 + "]" * 10000 + ', "items": [{"id": "j1", "title": "deep"}]}')
rng = random.Random(20200706)
RANDOM = bytes(rng.randrange(256) for _ in range(6000))
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
       + bytes(rng.randrange(256) for _ in range(3000)) + b"\x00\x00\x00\x00IEND\xaeB`\x82")
BAD_UTF8 = (b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            b"<title>Broken \xff\xfe bytes</title><item><guid>u1</guid>"
            b"<title>hostile caf\xe9 \xc3\x28 nul\x00byte \xed\xa0\x80 surrogate</title>"
            b"<description>x\x00y</description></item></channel></rss>")
ANSI = rss("Escapes\x1b]0;owned\x07 Feed", [
    ("a1", "hostile \x1b[31mred\x1b[0m&#10;second line\r\nthird&#x9b;2J&#x1b;[H", "d"),
    ("a2", "hostile\ttabbed\x1b[2J clear", "d")])
JSON_CTRL = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "JSON \u001b[5m",
                        "items": [{"id": "c1", "content_text": "t",
                                   "title": "hostile json \u0000nul \u001b[31mred\n\u009bx"}]})
MANY = good_rss("many", 20000)
TARGETS = ("/xxe-dtd", "/xxe-pe", "/xxe-remote")   # must never be requested


def xxe_file():
    return ('<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            '<rss version="2.0"><channel><title>XXE file</title><item><guid>x1</guid>'
            "<title>hostile leak &xxe; end</title><description>&xxe;</description></item>"
            "</channel></rss>")


def xxe_http(srv):
    return ('<?xml version="1.0"?>\n'
            f'<!DOCTYPE rss SYSTEM "{srv.url("/xxe-dtd")}" [\n'
            f'<!ENTITY % pe SYSTEM "{srv.url("/xxe-pe")}"> %pe;\n'
            f'<!ENTITY remote SYSTEM "{srv.url("/xxe-remote")}">]>\n'
            '<rss version="2.0"><channel><title>XXE http</title><item><guid>h1</guid>'
            "<title>hostile remote &remote; end</title><description>&remote;</description>"
            "</item></channel></rss>")


def corpus(name):
    return (corpus_dir() / name).read_bytes()


RULES = "hostile = hostile\n"

with tempdir() as tmp, FeedServer(hosts=40) as srv:
    for path in TARGETS:
        srv.route(path, body=f'<!ENTITY evil "{MARKER}">{MARKER}', content_type="text/plain")
    lying_body = good_rss("lying", 3).encode()

    # Well-behaved feeds: path -> (spec, expected entries, counted independently).
    guardian = corpus("rss-parser__guardian.rss")
    heise = corpus("rss-parser__heise.atom")
    reddit = corpus("rss-parser__reddit.rss")
    elastic = corpus("feed-rs__jsonfeed_elastic_1.1.json")
    good = {
        "/good-rss": (dict(body=good_rss("plain", 12)), 12),
        "/good-gzip": (dict(body=good_rss("zipped", 8), encoding="gzip"), 8),
        "/good-chunked": (dict(body=good_rss("chunks", 5), chunked=True), 5),
        "/guardian": (dict(body=guardian, content_type="application/rss+xml"),
                      xml_entries(guardian)),
        "/heise": (dict(body=heise, content_type="application/atom+xml"), xml_entries(heise)),
        "/reddit": (dict(body=reddit), xml_entries(reddit)),
        "/jsonfeed": (dict(body=elastic, content_type="application/feed+json"),
                      len(json.loads(elastic)["items"])),
    }

    # Hostile feeds: path -> (spec, [substrings of the error, in order], expected entries).
    lie_left = 100_000 - len(lying_body)
    bad = {
        "/laughs": (dict(body=LAUGHS), ["malformed XML, recovered",
                                        "Detected an entity reference loop"], 1),
        "/xxe-file": (dict(body=xxe_file()), ["external entity &xxe; left out (never loaded)"], 1),
        "/xxe-http": (dict(body=xxe_http(srv)),
                      ["external entity &remote; left out (never loaded)"], 1),
        "/gzip-bomb": (dict(gzip_bomb=1_000_000_000),
                       ["body larger than the 16 MiB cap; stopped reading"], 0),
        "/huge": (dict(huge=100_000_000), ["body larger than the 16 MiB cap; stopped reading"], 0),
        "/drip": (dict(body=good_rss("drip", 3), drip=1), ["Operation too slow",
                                                           f"the last {STALL} seconds"], 0),
        "/reset": (dict(body=MANY, reset_after=4000), ["Connection reset by peer"], 0),
        "/lying-length": (dict(body=lying_body, content_length=100_000),
                          [f"transfer closed with {lie_left} bytes remaining to read"], 0),
        "/chunked-cut": (dict(body=MANY, chunked_cut=4000),
                         ["transfer closed with outstanding read data remaining"], 0),
        "/loop-a": (dict(redirect=(302, "/loop-b")), ["redirect loop: back to "], 0),
        "/to-file": (dict(redirect=(302, "file:///etc/passwd")),
                     ["redirect to 'file:///etc/passwd' refused: newsmon fetches only http and "
                      "https"], 0),
        "/to-ftp": (dict(redirect=(301, "ftp://127.0.0.1/feed")),
                    ["redirect to 'ftp://127.0.0.1/feed' refused"], 0),
        "/empty": (dict(body=b""), ["not a feed: the document is empty"], 0),
        "/random": (dict(body=RANDOM, content_type="application/octet-stream"),
                    ["not a feed"], 0),
        "/png": (dict(body=PNG, content_type="image/png"),
                 ["not a feed: no XML document could be read"], 0),
        "/html": (dict(body="<!DOCTYPE html><html><head><title>Home</title></head><body><p>hi"
                            "</p></body></html>", content_type="text/html; charset=utf-8"),
                  ["not a feed: looks like an HTML page that advertises no feed"], 0),
        "/not-jsonfeed": (dict(body='{"status": "ok", "items": [1, 2, 3]}',
                               content_type="application/json"),
                          ["not a feed: JSON without a JSON Feed version"], 0),
        "/bad-utf8": (dict(body=BAD_UTF8),
                      ["encoding: ", "bytes were not valid UTF-8 replaced"], 1),
        "/ansi": (dict(body=ANSI), ["malformed XML, recovered"], 2),
        "/json-controls": (dict(body=JSON_CTRL, content_type="application/feed+json"), None, 1),
        "/many": (dict(body=MANY), ["truncated: more than 10000 entries; kept the first 10000"],
                  10000),
        "/deep-xml": (dict(body=DEEP_XML), ["malformed XML, recovered",
                                            "Excessive depth in document: 256"], 1),
        "/deep-json": (dict(body=DEEP_JSON, content_type="application/feed+json"),
                       ["not a feed: invalid JSON", "maximum parsing depth reached"], 0),
    }
    srv.route("/loop-b", redirect=(302, "/loop-a"))
    listed = list(good) + list(bad)
    check(len(listed) < len(srv.hosts), "every feed has a host of its own")
    for path, (spec, *_) in {**good, **bad}.items():
        srv.route(path, **spec)
    # One host each: per-host politeness must not serialise the attacks behind each other.
    urls = {path: srv.url(path, host=i + 1) for i, path in enumerate(listed)}
    feeds, rules, db = tmp / "feeds.txt", tmp / "alerts.txt", tmp / "h.db"
    feeds.write_text("".join(f"{urls[p]} hostile\n" for p in listed))
    rules.write_text(RULES)

    r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--alerts", rules,
                "--timeout", str(TIMEOUT), db=db, timeout=120 * SLOW)
    if os.environ.get("NEWSMON_STATS") == "1":
        print(f"hostile crawl: {r.seconds:.2f} s, peak RSS {r.rss_kb} KiB", file=sys.stderr)
    check_eq(r.code, 0, "the crawl under attack exits 0")
    check(r.seconds < TIME_BOUND,
          f"the crawl ends in bounded time ({r.seconds:.1f} s < {TIME_BOUND} s)")
    if not WRAPPED and not SANITIZED:
        check(r.rss_kb < RSS_BOUND_KB,
              f"peak RSS stays bounded ({r.rss_kb} KiB < {RSS_BOUND_KB} KiB)")
    summary = r.err.strip().splitlines()[-1] if r.err.strip() else ""
    check(summary.startswith(f"crawl: {len(listed)} feeds: "),
          f"the summary counts every feed: {summary}")
    n_failed = sum(1 for p, (_, _, n) in bad.items() if n == 0)
    check_in(f"{len(listed) - n_failed} fetched, 0 not modified, {n_failed} failed;", summary,
             "good and damaged-but-usable feeds are fetched, the rest failed")

    # --- nothing requested but the feeds: no external entity, DTD or redirect target ---------
    for path in TARGETS:
        check_eq(srv.count(path), 0, f"the server never received {path}")
    check_eq(srv.count("/loop-b"), 1, "the redirect loop is followed once around")
    check_eq(srv.errors, [], "the server saw no errors of its own")

    # --- health: good feeds complete and clean, each bad one its own precise error ------------
    hr = newsmon("feeds", "--json", db=db)
    check_eq(hr.code, 0, "feeds --json exits 0")
    health = {row["url"]: row for row in map(json.loads, hr.out.splitlines())}
    for path, (_, want) in good.items():
        h = health[urls[path]]
        check_eq((h["state"], h["entries"], h["error"]), ("ok", want, None),
                 f"{path}: stored completely ({want} entries), no error")
    for path, (_, parts, entries) in bad.items():
        h = health[urls[path]]
        check_eq(h["entries"], entries, f"{path}: {entries} entries kept")
        check_eq(h["state"], "ok" if entries else "failing", f"{path}: state")
        if parts is None:
            check(h["error"] is None, f"{path}: a clean document ({h['error']})")
            continue
        error = h["error"] or ""
        at = 0
        for part in parts:
            found = error.find(part, at)
            check(found >= 0, f"{path}: error has {part!r}: {error!r}")
            at = max(at, found)
    check_in(urls["/loop-a"], health[urls["/loop-a"]]["error"], "the loop names where it closed")

    # --- no file content anywhere: every table, every output ---------------------------------
    dump = []
    con = sqlite3.connect(db)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_schema WHERE type = 'table'")]
        for t in tables:
            for row in con.execute(f'SELECT * FROM "{t}"'):
                for v in row:
                    if isinstance(v, bytes):
                        dump.append(v.decode("utf-8", errors="replace"))
                    elif v is not None:
                        dump.append(str(v))
        check_eq(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "the database is sound")
    finally:
        con.close()
    check(len(tables) >= 9, f"every table was dumped ({len(tables)})")
    text = "\n".join(dump)
    outputs = {"crawl stdout": r.out, "crawl stderr": r.err, "feeds --json": hr.out}
    for name, args in (("export", ["export"]), ("export csv", ["export", "--format", "csv"]),
                       ("feeds", ["feeds"]), ("stories", ["stories", "--limit", "100000"]),
                       ("search", ["search", "hostile", "--limit", "1000"])):
        out = newsmon(*args, db=db)
        check_eq(out.code, 0, f"{name} exits 0")
        outputs[name] = out.out + out.err
    leaks = [line for line in PASSWD if line in text or any(line in o for o in outputs.values())]
    check_eq(leaks, [], "no line of /etc/passwd in the database or in any output")
    check(MARKER not in text and all(MARKER not in o for o in outputs.values()),
          "nothing the HTTP external entities point at")
    for word in ("nologin", "LEAKED"):
        s = newsmon("search", word, db=db)
        check_eq((s.code, s.out), (0, ""), f"the full-text index has no '{word}'")

    # --- nothing raw on stdout: alert lines only, seven fields, no control characters ---------
    lines = r.out.splitlines()
    check(len(lines) >= 6, f"the hostile titles raised alerts ({len(lines)})")
    check(all(line.startswith("ALERT\thostile\t") for line in lines), "only the hostile rule fired")
    check(all(len(line.split("\t")) == 7 for line in lines), "every alert line has 7 fields")
    check(all(not (set(line) - {"\t"}) & CONTROL for line in lines),
          "no control or escape character in any alert line")
    check(r.out.endswith("\n") and "\r" not in r.out, "lines end in a bare newline")
    check(not (set(r.err) - {"\n"}) & CONTROL, "nor on stderr")
    with sqlite(db) as con:
        titles = [row[0] for row in con.rows("SELECT title FROM entries UNION ALL "
                                             "SELECT title FROM feeds WHERE title IS NOT NULL")]
    check(all(not (set(t) - {"\t", "\n"}) & CONTROL for t in titles),
          "no stored title keeps a control character")
    check_in("second line", " ".join(titles), "the text around the escapes is kept")

# --- what the parser cut stays the feed's error until another document is read --------------
with tempdir() as tmp, FeedServer(hosts=1) as srv:
    db, feeds = tmp / "n.db", tmp / "feeds.txt"
    srv.route("/noted", etag='"v1"', versions=[xxe_file(), xxe_file(), good_rss("noted", 2)])
    feeds.write_text(f"{srv.url('/noted')}\n")

    def noted():
        r = newsmon("--tags", "tags.txt", "crawl", "--feeds", feeds, "--force", db=db)
        check_eq(r.code, 0, "the crawl exits 0")
        row = json.loads(newsmon("feeds", "--json", db=db).out)
        return row["state"], row["failures"], row["error"]

    note = "external entity &xxe; left out (never loaded)"
    check_eq(noted(), ("ok", 0, note), "a document read with a cut is no failure, but says so")
    srv.next_round()
    check_eq(noted(), ("ok", 0, note), "a 304 keeps the note of the document it confirms")
    check_eq(srv.last("/noted").status, 304, "(it was a 304)")
    srv.next_round()
    srv.set("/noted", etag='"v2"')
    check_eq(noted(), ("ok", 0, None), "a clean document clears it")

done()
