"""End-to-end: import, export and search through the real binary on a real SQLite file,
including databases that are not newsmon's, read-only, corrupt, on a full disk, and an import
killed with SIGKILL over and over."""

import csv
import gzip
import io
import json
import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (check, check_eq, check_in, corpus_dir, done, newsmon, newsmon_bin,  # noqa: E402
                     repo_root, sqlite, tempdir)

NOW = {"NEWSMON_NOW": "1767225600"}  # 2026-01-01: first_seen is reproducible
EXPORT_KEYS = ["id", "feed", "guid", "url", "title", "published", "first_seen", "revisions",
               "tags", "story", "relation", "related_to"]

corpus = sorted(p for p in corpus_dir().iterdir() if p.suffix in (".xml", ".rss", ".atom", ".json"))
check(len(corpus) >= 48, "the shared corpus is beside the repository")


def export_rows(db):
    r = newsmon("export", db=db, env=NOW)
    check_eq(r.code, 0, "export exits 0")
    return [json.loads(line) for line in r.out.splitlines()]


with tempdir() as tmp:
    db = tmp / "t.db"

    # --- import: every corpus file, one summary line each on stderr, nothing on stdout -------
    r = newsmon("import", *corpus, db=db, env=NOW)
    check_eq(r.code, 0, "importing the corpus exits 0")
    check_eq(r.out, "", "import prints nothing on stdout")
    summaries = [line for line in r.err.splitlines() if line.startswith("import ") and "entries (" in line]
    check_eq(len(summaries), len(corpus), "one summary line per file")
    total = sum(int(line.split(": ")[-1].split()[0]) for line in summaries)
    rows = export_rows(db)
    check_eq(len(rows), total, "every entry of every file is stored once")
    check(all(list(row) == EXPORT_KEYS for row in rows), "export objects have the pinned keys in order")
    check(all(isinstance(row["id"], int) and isinstance(row["tags"], list) and
              isinstance(row["story"], int) and row["relation"] in ("original", "follow-up", "duplicate")
              for row in rows), "export values have the pinned types")
    check(all(row["first_seen"] == "2026-01-01T00:00:00Z" for row in rows), "first_seen is the import time")
    check(all(row["feed"].startswith("file://") for row in rows), "files are stored under file:// URLs")
    check(any(row["tags"] for row in rows), "entries are tagged")
    # (files are parsed on a second thread while the one before is stored: the lines stay in
    # the order given)
    check_eq([line.split(": ")[0][len("import "):] for line in summaries], [str(p) for p in corpus],
             "the summary lines come in the order the files were given")

    # --- a file that cannot be read: said in its place, the others stored, exit 1 --------------
    partial = tmp / "partial.db"
    r = newsmon("import", corpus[0], tmp / "missing.xml", corpus[1], db=partial, env=NOW)
    check_eq(r.code, 1, "an unreadable file makes the import exit 1")
    lines = [line for line in r.err.splitlines() if str(tmp) in line or line.startswith("import ")]
    check_eq(len(lines), 3, "one line per file")
    check(len(lines) == 3 and lines[0].startswith(f"import {corpus[0]}:") and
          "missing.xml" in lines[1] and lines[2].startswith(f"import {corpus[1]}:"),
          "the unreadable file's line comes in its place")
    with sqlite(partial) as con:
        check_eq(con.value("SELECT count(DISTINCT feed_id) FROM entries"), 2,
                 "the readable files are stored")

    # --- a mistake in the arguments: nothing imported, exit 2 ----------------------------------
    untouched = tmp / "untouched.db"
    r = newsmon("import", corpus[0], "--no-such-option", corpus[1], db=untouched, env=NOW)
    check_eq(r.code, 2, "an unknown option is bad usage")
    check_in("usage: newsmon import", r.err, "and shows the usage")
    check(not untouched.exists(), "nothing is imported (the database is not even created)")

    # --- the same documents again: nothing new, nothing changed --------------------------------
    r = newsmon("import", *corpus, db=db, env=NOW)
    check_eq(r.code, 0, "re-import exits 0")
    check(all("(0 new, 0 updated" in line for line in r.err.splitlines() if "entries (" in line),
          "re-import finds every entry unchanged")
    check_eq(export_rows(db), rows, "the export is identical after a re-import")

    # --- a feed that changes between imports: a revision, in place ----------------------------
    v1 = ('<rss version="2.0"><channel><title>Trade</title><item><guid>hk-1</guid>'
          '<title>WhatsApp, Telegram refuse Hong Kong data requests</title>'
          '<link>https://trade.example/hk</link><description>&lt;p&gt;WhatsApp and Telegram paused '
          'requests.&lt;/p&gt;</description><pubDate>Mon, 06 Jul 2020 10:00:00 +0800</pubDate>'
          '</item></channel></rss>')
    v2 = v1.replace("requests.&lt;/p&gt;", "requests.&lt;/p&gt;&lt;p&gt;UPDATE &amp;ndash; 10:00 "
                    "7/7/20: Facebook and Google followed.&lt;/p&gt;")
    (tmp / "v1.xml").write_text(v1)
    (tmp / "v2.xml").write_text(v2)
    feed = "https://trade.example/feed"
    newsmon("import", "--url", feed, tmp / "v1.xml", db=db, env=NOW)
    r = newsmon("import", "--url", feed, tmp / "v2.xml", db=db, env=NOW)
    check_in("(0 new, 1 updated, 0 unchanged)", r.err, "the UPDATE paragraph is one revision")
    row = [x for x in export_rows(db) if x["feed"] == feed][0]
    check_eq(row["revisions"], 1, "export counts the revision")
    check_eq(row["published"], "2020-07-06T02:00:00Z", "published is UTC")
    r = newsmon("import", "--url", feed, tmp / "v2.xml", db=db, env=NOW)
    check_in("(0 new, 0 updated, 1 unchanged)", r.err, "the same version twice is no revision")

    # --- export filters and CSV ----------------------------------------------------------------
    r = newsmon("export", "--feed", feed, db=db)
    check_eq(len(r.out.splitlines()), 1, "--feed keeps one feed's entries")
    r = newsmon("export", "--since", "2020-07-06", "--feed", feed, db=db)
    check_eq(len(r.out.splitlines()), 1, "--since keeps later entries")
    r = newsmon("export", "--since", "2020-07-07", "--feed", feed, db=db)
    check_eq(r.out, "", "--since drops earlier entries")
    r = newsmon("export", "--since", "last tuesday", db=db)
    check_eq(r.code, 2, "an unreadable --since is bad usage")
    check_in("cannot read the date", r.err, "and says so")
    r = newsmon("export", "--format", "csv", db=db)
    check_eq(r.code, 0, "CSV export exits 0")
    table = list(csv.reader(io.StringIO(r.out, newline="")))
    check_eq(table[0], EXPORT_KEYS, "CSV header row has the same columns")
    check_eq(len(table) - 1, len(export_rows(db)), "one CSV row per entry")
    by_id = {row["id"]: row for row in export_rows(db)}
    check(all(by_id[int(t[0])]["title"] == t[4] for t in table[1:]), "CSV quoting round-trips titles")
    check(all(";".join(by_id[int(t[0])]["tags"]) == t[8] for t in table[1:]), "CSV joins tags with ';'")

    # --- search ----------------------------------------------------------------------------------
    r = newsmon("search", "Facebook AND Google", "--json", db=db)
    hits = [json.loads(line) for line in r.out.splitlines()]
    check(any(h["url"] == "https://trade.example/hk" for h in hits), "search finds the revised text")
    r = newsmon("search", "telegram", "--tag", "country:HK", "--limit", "5", db=db)
    check_eq(r.code, 0, "search with a tag filter exits 0")
    check_in("WhatsApp, Telegram refuse Hong Kong data requests", r.out, "and lists the entry")
    r = newsmon("search", "telegram AND", db=db)
    check_eq(r.code, 2, "a malformed query is bad usage")
    check_in("cannot read the query", r.err, "and is explained in words")
    check(len(r.err.strip().splitlines()) == 1, "in one line")
    r = newsmon("search", "zzzznotaword", db=db)
    check_eq((r.code, r.out), (0, ""), "no match: exit 0, nothing on stdout")

    # --- databases newsmon must not use -------------------------------------------------------
    junk = tmp / "junk.db"
    junk.write_bytes(b"GIF89a" + bytes(range(256)) * 40)
    before = junk.read_bytes()
    for cmd in (["export"], ["import", corpus[0]]):
        r = newsmon(*cmd, db=junk)
        check_eq(r.code, 1, f"{cmd[0]} on a file that is not a database exits 1")
        check_in("not a database", r.err, "and says so")
        check_eq(len(r.err.strip().splitlines()), 1, "in one line")
    check_eq(junk.read_bytes(), before, "and leaves the file as it was")

    other = tmp / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, amount REAL)")
    con.commit()
    con.close()
    r = newsmon("import", corpus[0], db=other)
    check_eq(r.code, 1, "another program's database is refused")
    check_in("another program", r.err, "and named as such")
    with sqlite(other) as con:
        check_eq([x[0] for x in con.rows("SELECT name FROM sqlite_schema")], ["invoices"],
                 "nothing is added to it")

    newer = tmp / "newer.db"
    newsmon("import", corpus[0], db=newer)
    con = sqlite3.connect(newer)
    con.execute("PRAGMA user_version = 42")
    con.close()
    r = newsmon("export", db=newer)
    check_eq(r.code, 1, "a database from a newer newsmon is refused")
    check_in("newer than this newsmon", r.err, "and the user is told to upgrade")

    missing = tmp / "nowhere" / "t.db"
    r = newsmon("import", corpus[0], db=missing)
    check_eq(r.code, 1, "a database in a missing directory is an error")
    check_in(str(missing), r.err, "naming the path")

    corrupt = tmp / "corrupt.db"
    newsmon("import", *corpus[:10], db=corrupt)
    data = bytearray(corrupt.read_bytes())
    for i in range(8192, len(data), 4096):  # scribble over every page's header but the first
        data[i:i + 64] = b"\xff" * 64
    corrupt.write_bytes(bytes(data))
    r = newsmon("export", db=corrupt)
    check_eq(r.code, 1, "a corrupt database is an error")
    check("malformed" in r.err or "not a database" in r.err, "named as corrupt")

    readonly = tmp / "ro.db"
    newsmon("import", corpus[0], db=readonly)
    os.chmod(readonly, 0o444)
    os.chmod(tmp, 0o555)
    if os.geteuid() != 0:
        r = newsmon("import", corpus[1], db=readonly)
        check_eq(r.code, 1, "importing into a read-only database is an error")
        check_in("read-only", r.err, "that says read-only")
    r = newsmon("export", db=readonly)
    check_eq(r.code, 0, "a read-only database can still be exported")
    os.chmod(tmp, 0o755)
    os.chmod(readonly, 0o644)

    # --- a database of an earlier schema is upgraded in place, losing and changing nothing ----
    stories = repo_root() / "tests" / "data" / "stories"

    def feed_args(names):
        return [a for n in names for a in ("--url", f"https://{n}.example/feed.xml", stories / f"{n}.xml")]

    first = feed_args(["brusselsbytes", "policycircuit", "eastdesk"])  # what the fixture holds
    later = feed_args(["harbourpost", "netrights"])
    tags = ["--tags", repo_root() / "tags.txt"]
    old = tmp / "schema1.db"
    con = sqlite3.connect(old)
    con.executescript(gzip.decompress((repo_root() / "tests" / "data" / "upgrade" /
                                       "schema1.sql.gz").read_bytes()).decode())
    con.close()
    r = newsmon(*tags, "export", db=old)
    check_eq(r.code, 1, "a read-only command does not upgrade a database")
    check_in("run a writing command (import, crawl) first", r.err, "and says what will")
    r = newsmon(*tags, "import", *first, *later, db=old, env=NOW)
    check_eq(r.code, 0, "importing into a schema 1 database upgrades it and exits 0")
    summaries = [line for line in r.err.splitlines() if "entries (" in line]
    check(len(summaries) == 5 and all("(0 new, 0 updated" in line for line in summaries[:3]),
          "the entries it held are found unchanged")
    fresh = tmp / "fresh.db"
    newsmon(*tags, "import", *first, db=fresh, env=NOW)
    newsmon(*tags, "import", *first, *later, db=fresh, env=NOW)
    upgraded_rows = export_rows(old)
    check_eq(len(upgraded_rows), 41, "the upgraded database holds the old and the new entries")
    check_eq(upgraded_rows, export_rows(fresh),
             "and the same entries, tags, stories and relations as a database made now")
    for query in ("telegram", "encryption", "court"):
        hits = [newsmon("search", query, "--json", db=d).out for d in (old, fresh)]
        check(hits[0] != "" and hits[0] == hits[1], f"search '{query}' finds the same entries in both")
    with sqlite(old) as con:
        check_eq(con.rows("PRAGMA user_version")[0][0], 4, "the schema is at version 4")
        check_eq(con.rows("PRAGMA integrity_check")[0][0], "ok", "and the database is intact")

    # an entry stored but not yet processed when the run was cut short, before the upgrade, is
    # processed after it like any other: here a copy, in another feed, of an entry processed then
    cut = tmp / "schema1-cut.db"
    con = sqlite3.connect(cut)
    con.executescript(gzip.decompress((repo_root() / "tests" / "data" / "upgrade" /
                                       "schema1.sql.gz").read_bytes()).decode())
    copy = con.execute(
        "INSERT INTO entries(feed_id, key, content_hash, at, title_key, url, canon_url, first_seen,"
        " version_seen, title, text) SELECT 3, 'g:syndicated', content_hash, at + 3600, title_key,"
        " url, canon_url, first_seen, version_seen, title, text FROM entries WHERE id = 10").lastrowid
    con.execute("INSERT INTO pending(entry_id, kind, at) SELECT id, 1, at FROM entries WHERE id = ?",
                (copy,))
    con.commit()
    con.close()
    r = newsmon(*tags, "import", *later, db=cut, env=NOW)
    check_eq(r.code, 0, "importing into it upgrades it and exits 0")
    rows = {x["id"]: x for x in export_rows(cut)}
    check_eq((rows[copy]["relation"], rows[copy]["related_to"]), ("duplicate", 10),
             "the entry left pending is found to be a copy of the one processed before")
    r = newsmon("story", str(rows[copy]["story"]), db=cut)
    check_in("why: same canonical URL as entry 10", r.out, "by its canonical URL")

    # --- an entry revised before it is processed is compared by its last version -----------
    def one_item(feed, guid, link, title, date, text):
        return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{feed}</title>'
                f"<link>https://{feed}.example/</link><item><guid>{guid}</guid><title>{title}</title>"
                f"<link>{link}</link><description>{text}</description>"
                f"<pubDate>{date}</pubDate></item></channel></rss>")

    moved = tmp / "moved"
    moved.mkdir()
    date = "Mon, 06 Jul 2020 10:00:00 GMT"
    docs = {"first": one_item("desk", "d-1", "https://desk.example/draft", "Regulator asks for logs",
                              date, "A draft."),
            "revised": one_item("desk", "d-1", "https://desk.example/final", "Regulator asks for logs",
                                date, "The regulator asked two platforms for a year of logs."),
            "copy": one_item("wire", "w-9", "https://desk.example/final", "Logs demanded by regulator",
                             "Mon, 06 Jul 2020 08:00:00 GMT", "Two platforms were asked for logs.")}
    for name, body in docs.items():
        (moved / f"{name}.xml").write_text(body)
    r = newsmon("import", "--url", "https://desk.example/feed", moved / "first.xml",
                "--url", "https://desk.example/feed", moved / "revised.xml",
                "--url", "https://wire.example/feed", moved / "copy.xml", db=moved / "m.db", env=NOW)
    check_eq(r.code, 0, "an import of a feed, its revision and a copy elsewhere exits 0")
    rows = {x["guid"]: x for x in export_rows(moved / "m.db")}
    check_eq((rows["d-1"]["relation"], rows["d-1"]["related_to"]), ("duplicate", rows["w-9"]["id"]),
             "the revised entry is found to be a copy of the earlier entry at its new URL")

    # --- a full disk: the write fails, the error is clear, the database is intact -------------
    small = tmp / "small.db"
    newsmon("import", corpus[0], db=small, env=NOW)
    count_before = len(export_rows(small))
    big = [p for p in corpus if p.stat().st_size > 100000]
    limit = small.stat().st_size + 64 * 1024

    def limited():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = subprocess.run([newsmon_bin(), "--db", str(small), "import", *map(str, big)],
                          preexec_fn=limited, capture_output=True, text=True, env={**os.environ, **NOW})
    check_eq(proc.returncode, 1, "running out of file space is an error, not a crash")
    check("disk" in proc.stderr or "full" in proc.stderr, "the message says the disk is the problem")
    with sqlite(small) as con:
        check_eq(con.integrity(), "ok", "the database is consistent after the failed write")
    check(len(export_rows(small)) >= count_before, "and nothing stored before is lost")

    # --- kill -9 during an import, again and again: consistent every time, complete after ------
    # The corpus several times over under different URLs: a long enough import to interrupt.
    args = []
    for copy in range(6):
        for p in corpus:
            args += ["--url", f"https://copy{copy}.example/{p.name}", str(p)]
    reference = tmp / "reference.db"
    r = newsmon("import", *args, db=reference, env=NOW, timeout=300)
    check_eq(r.code, 0, "the reference import completes")
    killed = tmp / "killed.db"
    rng = random.Random(7)
    iterations = 20
    intact = 0
    for _ in range(iterations):
        proc = subprocess.Popen([newsmon_bin(), "--db", str(killed), "import", *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, **NOW})
        time.sleep(rng.uniform(0.02, 0.8))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if not killed.exists():  # killed before it created the file: nothing to check
            intact += 1
            continue
        with sqlite(killed) as con:
            intact += con.integrity() == "ok"
    check_eq(intact, iterations, "PRAGMA integrity_check is ok after every kill")
    r = newsmon("import", *args, db=killed, env=NOW, timeout=300)
    check_eq(r.code, 0, "a rerun after the kills completes")

    def identity(rows):
        return sorted((x["feed"], x["guid"] or "", x["url"] or "", x["title"], x["published"] or "",
                       x["first_seen"], x["revisions"], tuple(x["tags"])) for x in rows)

    got, want = export_rows(killed), export_rows(reference)
    check_eq(len(got), len(want), "nothing lost, nothing twice")
    check(identity(got) == identity(want), "the same entries, revisions and tags as an uninterrupted import")
    with sqlite(killed) as con:
        check_eq(con.value("SELECT count(*) FROM pending"), 0,
                 "every entry was processed in the end")

done()
