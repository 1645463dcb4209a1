"""End-to-end: crashes, concurrency and resources. kill -9 at random moments of a crawl (in
fetching, storing and linking), over and over, each time rerunning: the database stays sound
and the end result equals an uninterrupted crawl's. A crawl waiting with --wait behind a crawl
that is killed. A crawl while other processes export and search in a loop: readers never block
the writer and never see half of a feed's document. A read-only database or file system, a
full disk, a missing or unwritable directory: one clear line, exit 1, nothing corrupted.

NEWSMON_LONG=1 runs 50 kills instead of 5 (RELIABILITY.md records both). NEWSMON_STATS=1
prints the figures to stderr. Under NEWSMON_WRAP (valgrind) every time budget scales.
"""

import fcntl
import hashlib
import json
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from feedserver import FeedServer  # noqa: E402
from harness import (check, check_eq, corpus_dir, data_dir, done, newsmon,  # noqa: E402
                     newsmon_bin, sqlite, tempdir)

LONG = os.environ.get("NEWSMON_LONG") == "1"
STATS = os.environ.get("NEWSMON_STATS") == "1"
WRAP = os.environ.get("NEWSMON_WRAP", "").split()
SLOW = 20 if WRAP else 1
KILLS = 50 if LONG else 5
COPIES = 1 if WRAP else 2  # copies of the corpus served: under valgrind one is work enough
NOW = "1767225600"  # 2026-01-01: first_seen is the same in every run
ENV = {**os.environ, "NEWSMON_NOW": NOW}
NOBODY = 65534
FILES = sorted(p for p in corpus_dir().iterdir() if p.suffix in (".xml", ".rss", ".atom", ".json"))
FILES += sorted((data_dir() / "stories").glob("*.xml"))


def stat(text):
    if STATS:
        print(text, file=sys.stderr)


def serve(srv, copies, seed, hosts):
    """Routes COPIES of the corpus and the stories set, each document with a latency of its own;
    returns the feed URLs spread over HOSTS hosts."""
    rng = random.Random(seed)
    urls = []
    for c in range(copies):
        for i, p in enumerate(FILES):
            path = f"/c{c}/{p.name}"
            srv.route(path, body=p.read_bytes(), delay=rng.uniform(0.01, 0.12))
            urls.append(srv.url(path, host=(i + c) % hosts))
    return urls


def argv(db, feeds, *extra):
    return WRAP + [newsmon_bin(), "--db", str(db), "--tags", "tags.txt", "-v", "crawl",
                   "--feeds", str(feeds), "--force", *extra]


def export(db):
    r = newsmon("export", db=db, timeout=60 * SLOW)
    check_eq(r.code, 0, "export exits 0")
    return [json.loads(line) for line in r.out.splitlines()]


def view(rows):
    """What must not depend on interruptions: each entry's identity, text, dates, revisions,
    tags, relation and what it relates to (by identity: ids depend on the order of arrival), and
    the stories as a partition of the entries."""
    key = {r["id"]: (r["feed"], r["guid"] or "", r["url"] or "", r["title"]) for r in rows}
    entries = sorted((key[r["id"]], r["published"] or "", r["first_seen"], r["revisions"],
                      tuple(r["tags"]), r["relation"], key.get(r["related_to"]))
                     for r in rows)
    stories = {}
    for r in rows:
        stories.setdefault(r["story"], []).append(key[r["id"]])
    return entries, sorted(sorted(s) for s in stories.values())


class Crawl:
    """A crawl running in the background with its -v log read as it comes: fetch.done lines
    are counted, so that a kill can be aimed after the last fetch (linking)."""

    def __init__(self, db, feeds, *extra):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv(db, feeds, *extra), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=ENV, text=True,
                                     errors="replace", start_new_session=True)
        self.fetched = 0
        self.lines = []
        self.all_fetched = threading.Event()
        self.fetched_after = None   # seconds from the start to the last fetch.done
        self.total = None
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.lines.append(line)
            if " fetch.done " in line:
                self.fetched += 1
                if self.total is not None and self.fetched == self.total:
                    self.fetched_after = time.monotonic() - self.started
                    self.all_fetched.set()
        self.all_fetched.set()

    def phase(self):
        """Where the crawl is now: 'fetching' (waiting in poll for the network), 'storing'
        (parsing and writing a document), 'linking' (every fetch done: tagging, copies,
        stories), or None when it has exited."""
        if self.proc.poll() is not None:
            return None
        if self.total is not None and self.fetched >= self.total:
            return "linking"
        try:
            with open(f"/proc/{self.proc.pid}/wchan") as f:
                wchan = f.read()
        except OSError:
            return None
        return "fetching" if "poll" in wchan else "storing"

    def kill(self):
        """SIGKILL now; returns the phase it landed in, or None when the crawl had ended."""
        where = self.phase()
        if where is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.wait()
        return where if self.proc.returncode == -signal.SIGKILL else None

    def wait(self, timeout=300):
        try:
            self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            check(False, "a crawl did not end in time")
        self.reader.join(10)
        self.seconds = time.monotonic() - self.started
        return self.proc.returncode


def integrity(db):
    if not db.exists():
        return "ok"
    with sqlite(db) as con:
        return con.integrity()


# ------------------------------------------------------------------ kill -9, over and over
with tempdir() as tmp, FeedServer(hosts=4) as srv:
    urls = serve(srv, COPIES, 7, 4)
    feeds = tmp / "feeds.txt"
    feeds.write_text("".join(u + "\n" for u in urls))

    ref_db = tmp / "ref.db"
    ref = Crawl(ref_db, feeds)
    ref.total = len(urls)
    check_eq(ref.wait(), 0, "the uninterrupted crawl exits 0")
    ref_view = view(export(ref_db))
    check(len(ref_view[0]) > 1000 * COPIES,
          f"a crawl with work in every phase ({len(ref_view[0])} entries)")
    link_time = ref.seconds - ref.fetched_after
    check(link_time > 0.1, f"linking takes long enough to be hit ({link_time:.2f} s)")
    stat(f"kill loop: {len(urls)} feeds, {len(ref_view[0])} entries, {len(ref_view[1])} stories; "
         f"uninterrupted crawl {ref.seconds:.2f} s, of which linking {link_time:.2f} s")

    rng = random.Random(1594000000)
    phases = {"fetching": 0, "storing": 0, "linking": 0}
    kills = attempts = episodes = sound = 0
    matched = []
    locked_out = 0
    db = None
    in_episode = 0

    def finish_episode():
        """Completes the episode's database with an uninterrupted crawl and compares it."""
        global db, in_episode, episodes
        if db is None:
            return
        c = Crawl(db, feeds)
        code = c.wait()
        check_eq(code, 0, "the crawl after the kills completes")
        with sqlite(db) as con:
            pending = con.value("SELECT count(*) FROM pending")
        check_eq(pending, 0, "and processes every entry")
        got = view(export(db))
        matched.append(got == ref_view)
        if got != ref_view:
            extra = set(got[0]) ^ set(ref_view[0])
            check(False, f"episode {episodes}: the export differs from the uninterrupted crawl's "
                         f"({len(extra)} entries differ: {sorted(extra)[:3]}; stories equal: "
                         f"{got[1] == ref_view[1]})")
        episodes += 1
        db, in_episode = None, 0

    loop_started = time.monotonic()
    while kills < KILLS and attempts < KILLS * 4:
        attempts += 1
        if db is None:
            db = tmp / f"kill{episodes}.db"
        c = Crawl(db, feeds)
        c.total = len(urls)
        if attempts % 2 == 0:
            # aim at linking: wait for the last fetch, then a moment into the linking
            c.all_fetched.wait(60 * SLOW)
            time.sleep(rng.uniform(0, link_time))
        else:
            time.sleep(rng.uniform(0.02, ref.fetched_after))
        where = c.kill()
        locked_out += c.proc.returncode == 75
        ok = integrity(db) == "ok"
        sound += ok
        if where is None:
            # the crawl finished first: the episode is complete
            check_eq(c.proc.returncode, 0, "a crawl that was not killed exits 0")
            finish_episode()
            continue
        kills += 1
        in_episode += 1
        phases[where] += 1
        if in_episode >= 3:
            finish_episode()
    finish_episode()
    loop_seconds = time.monotonic() - loop_started
    check_eq(kills, KILLS, f"{KILLS} crawls were killed ({attempts} started)")
    check_eq(sound, attempts, "PRAGMA integrity_check is ok after every kill")
    check_eq(locked_out, 0, "no rerun is locked out by a killed crawl's lock file")
    check(all(matched), f"every episode ends equal to the uninterrupted crawl ({sum(matched)}/"
                        f"{len(matched)})")
    check(phases["fetching"] + phases["storing"] > 0 and phases["linking"] > 0,
          f"kills landed before the last fetch and while linking: {phases}")
    if LONG:
        check(all(phases.values()), f"and in each of fetching, storing and linking: {phases}")
    stat(f"kill loop: {kills} kills in {attempts} crawls, phases {phases}, {episodes} episodes "
         f"compared, {sum(matched)} equal, integrity ok {sound}/{attempts}, {loop_seconds:.0f} s")

    # --- a crawl waiting with --wait behind one that is killed takes over --------------------
    held = tmp / "held.db"
    first = Crawl(held, feeds)
    deadline = time.monotonic() + 30 * SLOW
    lock = tmp / "held.db.lock"
    while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
        time.sleep(0.02)
    waiter = Crawl(held, feeds, "--wait")
    time.sleep(0.3 * SLOW)
    check(waiter.proc.poll() is None, "the second crawl waits for the first")
    first.kill()
    check_eq(waiter.wait(), 0, "and runs once the first is killed -9 (the lock dies with it)")
    check_eq(view(export(held)), ref_view, "completing the work")


# ------------------------------------------------------------------ readers during a crawl
def seeded(path):
    """A database that already holds one small document, as after a first small crawl."""
    r = newsmon("--tags", "tags.txt", "import", FILES[0], db=path, env={"NEWSMON_NOW": NOW})
    check_eq(r.code, 0, "a small import seeds the database")
    return path


def per_feed(rows):
    counts = {}
    for row in rows:
        counts[row["feed"]] = counts.get(row["feed"], 0) + 1
    return counts


with tempdir() as tmp, FeedServer(hosts=4) as srv:
    urls = serve(srv, COPIES, 11, 4)
    feeds = tmp / "feeds.txt"
    feeds.write_text("".join(u + "\n" for u in urls))
    alone = Crawl(tmp / "alone.db", feeds)
    check_eq(alone.wait(), 0, "the crawl alone exits 0")
    full = per_feed(export(tmp / "alone.db"))

    # A database first used for something small must not make the next large crawl slow
    # (statistics of the young database once made linking 20 times slower).
    after_small = Crawl(seeded(tmp / "seeded.db"), feeds)
    check_eq(after_small.wait(), 0, "the crawl after a small import exits 0")
    check(after_small.seconds < alone.seconds * 1.5 + 1.0 * SLOW,
          f"and takes about as long as on a new database ({after_small.seconds:.2f} s, "
          f"{alone.seconds:.2f} s)")

    # Readers run niced (their processes and the threads that check their output): on two
    # cores their CPU would otherwise be counted as blocking.
    db = seeded(tmp / "read.db")
    held = sqlite(db)   # a read transaction held open through the whole crawl
    held.execute("BEGIN")
    held_before = held.value("SELECT count(*) FROM entries")
    crawl = Crawl(db, feeds)
    stop = threading.Event()
    reads = {"export": 0, "search": 0}
    problems = []
    partial = []
    slowest = [0.0]
    lock = threading.Lock()

    def reader(kind):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)  # this thread only
        args = ["export"] if kind == "export" else ["search", "data", "--limit", "20"]
        while not stop.is_set():
            t = time.monotonic()
            r = subprocess.run(WRAP + [newsmon_bin(), "--db", str(db), *args],
                               capture_output=True, text=True, preexec_fn=lambda: os.nice(19))
            took = time.monotonic() - t
            with lock:
                slowest[0] = max(slowest[0], took)
                if r.returncode != 0:
                    problems.append(f"{kind} exit {r.returncode}: {r.stderr.strip()[:200]}")
                    continue
                reads[kind] += 1
            if kind == "export":
                counts = per_feed(json.loads(line) for line in r.stdout.splitlines())
                bad = {f: n for f, n in counts.items() if f in full and n != full[f]}
                if bad:
                    partial.append(bad)

    threads = [threading.Thread(target=reader, args=(k,)) for k in ("export", "search")]
    for t in threads:
        t.start()
    code = crawl.wait()
    stop.set()
    for t in threads:
        t.join(60 * SLOW)
    check_eq(held.value("SELECT count(*) FROM entries"), held_before,
             "the held read transaction kept its snapshot")
    held.rollback()
    held.close()
    check_eq(code, 0, "the crawl with readers exits 0")
    check(not any("locked" in line or "busy" in line for line in crawl.lines),
          "the crawl never waited on a lock")
    check_eq(problems, [], "every read succeeded while the crawl wrote")
    check(reads["export"] >= 2 and reads["search"] >= 2, f"the readers ran throughout ({reads})")
    check_eq(partial, [], "no export ever saw part of a feed's document")
    check(crawl.seconds < alone.seconds * 1.75 + 1.0 * SLOW,
          f"readers do not slow the crawl much ({crawl.seconds:.2f} s with them, "
          f"{alone.seconds:.2f} s alone)")
    got = per_feed(export(db))
    check(all(got.get(f) == n for f, n in full.items()), "the crawl stored every feed in full")
    stat(f"readers: crawl {alone.seconds:.2f} s alone, {after_small.seconds:.2f} s after a small "
         f"import, {crawl.seconds:.2f} s with readers and a held read transaction; "
         f"{reads['export']} exports and {reads['search']} searches meanwhile, slowest "
         f"{slowest[0]:.2f} s; partial feeds seen: {len(partial)}")

# --- an import during a crawl waits for it, and takes none of its alerts -----------------------
RULES = "hk = country:HK\nplatforms = platform:WhatsApp OR platform:Google OR platform:Apple\n"
with tempdir() as tmp, FeedServer(hosts=1) as srv:
    stories = sorted((data_dir() / "stories").glob("*.xml"))
    for i, p in enumerate(stories):
        srv.route(f"/s{i}", body=p.read_bytes(), delay=0.15)
    feeds, rules = tmp / "feeds.txt", tmp / "alerts.txt"
    feeds.write_text("".join(srv.url(f"/s{i}") + "\n" for i in range(len(stories))))
    rules.write_text(RULES)

    def alerting(db):
        return subprocess.Popen(WRAP + [newsmon_bin(), "--db", str(db), "--tags", "tags.txt",
                                        "crawl", "--feeds", str(feeds), "--alerts", str(rules),
                                        "--per-host", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)

    out, _ = alerting(tmp / "alone.db").communicate(timeout=120 * SLOW)
    want = out.splitlines()
    check(len(want) > 20, f"the crawl alone alerts ({len(want)} lines)")
    db = seeded(tmp / "both.db")
    served = srv.total  # the crawl alone's requests, on the same server
    crawl = alerting(db)
    # the crawl holds the lock before its first request: wait for that, not for a guess of time
    # (counting from the requests served before it: else, on a loaded machine, the import
    # could take the lock first and the crawl exit 75)
    deadline = time.monotonic() + 60 * SLOW
    while srv.total == served and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    imported = newsmon("--tags", "tags.txt", "import", "--url", "https://imported.example/feed",
                       FILES[1], db=db, env={"NEWSMON_NOW": NOW}, timeout=120 * SLOW)
    # the crawl's lock is free: the import waited for the crawl's work to end (the process
    # itself may still be exiting; under ASan its leak check takes a while)
    with open(f"{db}.lock", "rb") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            crawl_done = True
            fcntl.flock(lock, fcntl.LOCK_UN)
        except BlockingIOError:
            crawl_done = False
    out, err = crawl.communicate(timeout=120 * SLOW)
    check_eq(crawl.returncode, 0, f"the crawl exits 0 ({err.strip()[-200:]})")
    check_eq(imported.code, 0, "an import during a crawl exits 0")
    check(crawl_done, "having waited for the crawl to end")
    check_eq(out.splitlines(), want, "the crawl prints every alert it would print alone")
    with sqlite(db) as con:
        check_eq(con.value("SELECT count(*) FROM pending"), 0,
                 "and everything is processed")

    # retag rewrites every entry in one transaction: it too waits for a running crawl
    served = srv.total
    crawl = subprocess.Popen(WRAP + [newsmon_bin(), "--db", str(db), "--tags", "tags.txt",
                                     "crawl", "--feeds", str(feeds), "--per-host", "1",
                                     "--force"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, text=True)
    deadline = time.monotonic() + 60 * SLOW
    while srv.total == served and crawl.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    retag = newsmon("--tags", "tags.txt", "retag", db=db, timeout=120 * SLOW)
    crawl_running = crawl.poll() is None
    _, err = crawl.communicate(timeout=120 * SLOW)
    check_eq(retag.code, 0, "a retag during a crawl exits 0")
    check(not crawl_running, "having waited for the crawl to end")
    check_eq(crawl.returncode, 0, f"and the crawl is not disturbed ({err.strip()[-200:]})")


# ------------------------------------------------------------------ resources
def as_nobody():
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def run_crawl(db, feeds, user=None, limit=None):
    """One crawl as a subprocess (as NOBODY when user is set, with RLIMIT_FSIZE when limit is)."""
    def pre():
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        if user is not None:
            as_nobody()
    r = subprocess.run(WRAP + [newsmon_bin(), "--db", str(db), "--tags", "tags.txt", "crawl",
                               "--feeds", str(feeds), "--force"],
                       capture_output=True, text=True, env=ENV,
                       preexec_fn=pre if (user is not None or limit is not None) else None,
                       timeout=120 * SLOW)
    return r


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def mount_tmpfs(path, size):
    """Mounts a tmpfs of SIZE at PATH; False where this process may not mount."""
    path.mkdir(exist_ok=True)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                       capture_output=True)
    return r.returncode == 0


def umount(path):
    subprocess.run(["umount", str(path)], capture_output=True)


def one_line(r):
    return len(r.stderr.strip().splitlines()) == 1


root = os.geteuid() == 0
with tempdir() as tmp, FeedServer(hosts=2) as srv:
    os.chmod(tmp, 0o755)
    urls = serve(srv, 1, 3, 2)
    small, big = tmp / "small.txt", tmp / "big.txt"
    small.write_text("".join(u + "\n" for u in urls[:3]))
    big.write_text("".join(u + "\n" for u in urls))

    # --- a read-only database file ------------------------------------------------------------
    if root:
        d = tmp / "ro"
        d.mkdir()
        os.chmod(d, 0o777)
        db = d / "ro.db"
        check_eq(run_crawl(db, small).returncode, 0, "a first crawl fills the database")
        (d / "ro.db.lock").unlink()
        os.chmod(db, 0o444)
        before = digest(db)
        r = run_crawl(db, big, user=NOBODY)
        check_eq(r.returncode, 1, "a crawl into a read-only database exits 1")
        check_eq(r.stderr.strip(), f"newsmon: {db} is read-only; newsmon needs to write it",
                 "with one line that says so")
        check_eq(digest(db), before, "and leaves the file untouched")

    # --- a read-only file system --------------------------------------------------------------
    mnt = tmp / "mnt"
    if root and mount_tmpfs(mnt, "8m"):
        try:
            db = mnt / "fs.db"
            check_eq(run_crawl(db, small).returncode, 0, "a first crawl on the file system")
            before = digest(db)
            subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
            r = run_crawl(db, big)
            check_eq(r.returncode, 1, "a crawl on a read-only file system exits 1")
            check(one_line(r) and "Read-only file system" in r.stderr,
                  f"with one line that says so: {r.stderr.strip()}")
            check_eq(digest(db), before, "and leaves the file untouched")
        finally:
            umount(mnt)
    else:
        check(True, "no tmpfs here: the read-only file system case is skipped")

    # --- a full disk: a file system too small for the crawl -----------------------------------
    full_db = None
    if root and mount_tmpfs(mnt, "700k"):
        full_db = mnt / "full.db"
    else:
        full_db = tmp / "full.db"
    try:
        check_eq(run_crawl(full_db, small).returncode, 0, "a small crawl fits")
        with sqlite(full_db) as con:
            kept = con.rows("SELECT feed_id, key, title, content_hash FROM entries ORDER BY id")
        limit = None if full_db.parent == mnt else full_db.stat().st_size + 64 * 1024
        r = run_crawl(full_db, big, limit=limit)
        check_eq(r.returncode, 1, "running out of disk during a crawl exits 1")
        check(one_line(r) and f"{full_db}: database or disk is full" in r.stderr,
              f"with one clear line naming the database: {r.stderr.strip()}")
        with sqlite(full_db) as con:
            check_eq(con.integrity(), "ok", "the database is sound after the failed write")
            now = con.rows("SELECT feed_id, key, title, content_hash FROM entries ORDER BY id")
        check_eq([tuple(x) for x in now[:len(kept)]], [tuple(x) for x in kept],
                 "every entry stored before is intact")
        if full_db.parent == mnt:
            subprocess.run(["mount", "-o", "remount,size=64m", str(mnt)], check=True)
        r = run_crawl(full_db, big)
        check_eq(r.returncode, 0, "with space again, the next crawl completes")
        with sqlite(full_db) as con:
            check_eq(con.value("SELECT count(*) FROM pending"), 0,
                     "and processes everything")
    finally:
        if full_db.parent == mnt:
            umount(mnt)

    # --- a missing directory, an unwritable one -----------------------------------------------
    missing = tmp / "nowhere" / "m.db"
    r = run_crawl(missing, small)
    check_eq(r.returncode, 1, "a database in a missing directory exits 1")
    check(one_line(r) and str(missing) in r.stderr and "No such file or directory" in r.stderr
          and "the database's directory does not exist" in r.stderr,
          f"naming the path and the cause: {r.stderr.strip()}")
    check(not missing.parent.exists(), "and creates nothing")
    if root:
        d = tmp / "locked"
        d.mkdir()
        os.chmod(d, 0o555)
        r = run_crawl(d / "u.db", small, user=NOBODY)
        check_eq(r.returncode, 1, "a database in an unwritable directory exits 1")
        check(one_line(r) and str(d) in r.stderr and "Permission denied" in r.stderr
              and "the database's directory is not writable" in r.stderr,
              f"naming the path and the cause: {r.stderr.strip()}")
        check_eq(os.listdir(d), [], "and creates nothing")

        # the database and its lock writable, the directory not: no -wal or -shm can be made
        d = tmp / "nodir"
        d.mkdir()
        db = d / "w.db"
        check_eq(run_crawl(db, small).returncode, 0, "a first crawl")
        for f in d.iterdir():
            os.chmod(f, 0o666)
        os.chmod(d, 0o555)
        before = digest(db)
        r = run_crawl(db, big, user=NOBODY)
        check_eq(r.returncode, 1, "a database whose directory is not writable exits 1")
        check(one_line(r) and f"{db}: cannot create" in r.stderr and "directory" in r.stderr,
              f"saying the directory is the problem: {r.stderr.strip()}")
        check_eq(digest(db), before, "and leaves the file untouched")
        os.chmod(d, 0o755)

done()
