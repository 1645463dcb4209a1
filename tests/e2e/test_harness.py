"""test_harness.py — proves feedserver.py and harness.py with urllib, http.client and raw
sockets; newsmon itself is not needed (NEWSMON_BIN=/bin/false will do). Run from the repo root:
    NEWSMON_BIN=/bin/false python3 tests/e2e/test_harness.py
"""

import gzip
import http.client
import io
import json
import os
import pathlib
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
import zlib

from feedserver import FeedServer
from harness import (check, check_eq, check_in, corpus_dir, data_dir, done, newsmon, repo_root,
                     sqlite, tempdir)

FIXTURE = (data_dir() / "http" / "policy.rss").read_bytes()
FIXTURE_BR = (data_dir() / "http" / "policy.rss.br").read_bytes()
BODY = b"<rss version='2.0'><channel><title>t</title></channel></rss>\n"


# A test script run as a child by test_harness_itself; line numbers matter.
CHILD = r"""import os, sys
sys.path.insert(0, "@E2E@")
from harness import check, check_eq, check_in, done, newsmon
check(True, "fine")
check_eq(41, 42, "the answer")
check_in("needle", "haystack", "needle in haystack")
os.environ["NEWSMON_BIN"] = "/bin/sleep"
r = newsmon("5", timeout=0.5)
check_eq((r.code, r.timed_out), (-9, True), "killed")
os.environ["NEWSMON_BIN"] = "/bin/sh"
r = newsmon("-c", "cat; printf '\\377' >&2; exit 3", stdin="in")
check_eq((r.code, r.out, r.err, r.err_bytes), (3, "in", "\ufffd", b"\xff"), "io")
r = newsmon("-c", "echo \"$X.$Y\"", env={"X": "set", "Y": None})
check_eq(r.out, "set.\n", "env added and removed")
os.environ["NEWSMON_BIN"] = "/bin/echo"
check_eq(newsmon("crawl", db="x.db").out, "--db x.db crawl\n", "--db goes first")
os.environ["NEWSMON_BIN"], os.environ["NEWSMON_WRAP"] = "/bin/sh", "/usr/bin/env W=wrapped"
check_eq(newsmon("-c", "echo $W").out, "wrapped\n", "NEWSMON_WRAP is a prefix split on spaces")
done()
"""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def get(srv, path, host=0, headers=None, follow=True):
    """One GET through http.client on a fresh connection: (status, headers, body)."""
    if follow:
        req = urllib.request.Request(srv.url(path, host), headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()
    conn = http.client.HTTPConnection(srv.hosts[host], srv.ports[host], timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def raw_get(srv, path, host=0, timeout=2.0):
    """Sends a bare GET on a raw socket and reads until EOF, error or TIMEOUT of silence.

    Returns (head, body, how) with how one of "eof", "timeout", "reset".
    """
    s = socket.create_connection((srv.hosts[host], srv.ports[host]))
    s.settimeout(timeout)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    data = b""
    how = "eof"
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        how = "timeout"
    except ConnectionResetError:
        how = "reset"
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return head, body, how


def test_addresses():
    with FeedServer({"/f": {"body": BODY}}, hosts=3) as srv:
        check_eq(srv.hosts, ["127.0.0.1", "127.0.0.2", "127.0.0.3"], "three loopback addresses")
        check_eq(srv.url("/f", host=2), f"http://127.0.0.3:{srv.ports[2]}/f", "url() per host")
        for i in range(3):
            status, _, body = get(srv, "/f", host=i)
            check_eq((status, body), (200, BODY), f"host {i} answers")
            check_eq(srv.last("/f").address, srv.hosts[i], f"request {i} seen on its address")
        check_eq(srv.count("/f"), 3, "per-path count")
        check_eq([h["requests"] for h in srv.stats()["hosts"]], [1, 1, 1], "per-host count")
        status, _, _ = get(srv, "/nowhere")
        check_eq(status, 404, "unknown path is 404")
        check_eq(srv.count("/nowhere"), 1, "404s are counted by path")
    try:
        FeedServer(hosts=["10.1.2.3"])
        check(False, "a non-loopback address is refused")
    except ValueError:
        check(True, "a non-loopback address is refused")


def test_basics():
    routes = {
        "/latin": {"body": "caf\u00e9", "content_type": "text/xml; charset=iso-8859-1"},
        "/q?page=2": {"body": "page two"},
        "/q": {"body": "page one"},
        "/hdr": {"body": "x", "headers": [("X-Dup", "1"), ("X-Dup", "2"),
                                           ("Content-Type", "text/html")]},
        "/retry": {"retry_after": 120},
        "/slow": {"body": "late", "delay": 0.3},
        "/nm": {"body": "dropped", "status": 304},
    }
    with FeedServer(routes) as srv:
        status, headers, body = get(srv, "/latin")
        check_eq(body, b"caf\xe9", "str body encoded in the announced charset")
        check_eq(headers["Content-Type"], "text/xml; charset=iso-8859-1", "content type sent")
        check_eq(get(srv, "/q?page=2")[2], b"page two", "path with query matches first")
        check_eq(get(srv, "/q?page=3")[2], b"page one", "then the path without it")
        _, headers, _ = get(srv, "/hdr")
        check_eq(headers.get_all("X-Dup"), ["1", "2"], "repeated extra headers")
        check_eq(headers.get_all("Content-Type"), ["text/html"], "extra headers replace defaults")
        status, headers, _ = get(srv, "/retry")
        check_eq((status, headers["Retry-After"]), (503, "120"), "retry_after: 503 + Retry-After")
        conn = http.client.HTTPConnection(srv.hosts[0], srv.port, timeout=10)
        conn.request("GET", "/nm")
        r = conn.getresponse()
        check_eq((r.status, r.read(), r.headers["Content-Length"]), (304, b"", None),
                 "a 304 never has a body")
        conn.request("GET", "/q")
        check_eq(conn.getresponse().read(), b"page one", "and the connection stays usable")
        conn.close()
        t0 = time.monotonic()
        get(srv, "/slow")
        check(0.25 < time.monotonic() - t0 < 2.0, "delay holds the response back")
        get(srv, "/q", headers={"User-Agent": "newsmon-test/1 (+https://example.org/bot)"})
        check_eq(srv.headers("/q", "User-Agent")[-1], "newsmon-test/1 (+https://example.org/bot)",
                 "request headers are recorded")
        check_eq(srv.errors, [], "no server-side errors")


def test_conditional():
    lm = "Mon, 06 Jul 2020 09:30:00 GMT"
    routes = {"/c": {"body": BODY, "etag": '"v1"', "last_modified": lm},
              "/lie": {"body": BODY, "lying_validators": True}}
    with FeedServer(routes) as srv:
        status, headers, body = get(srv, "/c")
        check_eq((status, headers["ETag"], headers["Last-Modified"]), (200, '"v1"', lm),
                 "validators sent")
        status, headers, body = get(srv, "/c", headers={"If-None-Match": '"v1"'}, follow=False)
        check_eq((status, body, headers["ETag"]), (304, b"", '"v1"'), "304 on matching ETag")
        status, _, _ = get(srv, "/c", headers={"If-None-Match": 'W/"v0", W/"v1"'}, follow=False)
        check_eq(status, 304, "weak comparison over a list")
        status, _, _ = get(srv, "/c", headers={"If-Modified-Since": lm}, follow=False)
        check_eq(status, 304, "304 on If-Modified-Since")
        status, _, _ = get(srv, "/c", headers={"If-None-Match": '"v0"', "If-Modified-Since": lm},
                           follow=False)
        check_eq(status, 200, "If-None-Match decides over If-Modified-Since")
        status, _, _ = get(srv, "/c", headers={"If-Modified-Since":
                                               "Sun, 05 Jul 2020 09:30:00 GMT"}, follow=False)
        check_eq(status, 200, "200 when modified since")
        check_eq(srv.not_modified, 3, "304s counted")
        check_eq(srv.headers("/c", "If-None-Match"), [None, '"v1"', 'W/"v0", W/"v1"', None,
                                                      '"v0"', None], "validators recorded")
        srv.set("/c", body=b"new body", etag='"v2"')
        status, headers, body = get(srv, "/c", headers={"If-None-Match": '"v1"'}, follow=False)
        check_eq((status, body, headers["ETag"]), (200, b"new body", '"v2"'), "set() changes it")

        _, h1, _ = get(srv, "/lie")
        status, h2, body = get(srv, "/lie", headers={"If-None-Match": h1["ETag"],
                                                     "If-Modified-Since": h1["Last-Modified"]},
                               follow=False)
        check_eq((status, body), (200, BODY), "lying validators: 200 and the same body")
        check(h1["ETag"] != h2["ETag"] and h1["Last-Modified"] != h2["Last-Modified"],
              "lying validators: new ones every time")


def test_versions_and_handler():
    def flaky(req):
        if req.n == 1:
            return {"status": 500, "body": "try again"}
        if req.n == 2:
            req.raw.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nraw")
            return None
        return {}

    routes = {"/v": {"versions": ["one", {"body": "two", "etag": True}, "three"]},
              "/flaky": {"body": "fine", "handler": flaky}}
    with FeedServer(routes) as srv:
        check_eq(get(srv, "/v")[2], b"one", "versions: round 0")
        check_eq(srv.next_round(), 1, "next_round returns the new round")
        status, headers, body = get(srv, "/v")
        check_eq(body, b"two", "versions: round 1")
        check_eq(get(srv, "/v", headers={"If-None-Match": headers["ETag"]}, follow=False)[0], 304,
                 "a version's own etag")
        srv.next_round()
        srv.next_round()
        check_eq(get(srv, "/v")[2], b"three", "the last version repeats")
        check_eq([r.round for r in srv.requests("/v")], [0, 1, 1, 3], "round recorded")
        check_eq(get(srv, "/flaky")[:3:2], (500, b"try again"), "handler: dict spec")
        check_eq(get(srv, "/flaky")[:3:2], (200, b"raw"), "handler: raw response")
        check_eq(get(srv, "/flaky")[:3:2], (200, b"fine"), "handler: the route's own spec")
        check_eq(srv.errors, [], "no server-side errors")


def test_redirects():
    with FeedServer(hosts=2) as srv:
        srv.route("/r1", redirect=(301, "/r2"))
        srv.route("/r2", redirect=(308, srv.url("/r3", host=1)))
        srv.route("/r3", redirect="/final")
        srv.route("/final", body=BODY)
        srv.route("/loop1", redirect=(302, "/loop2"))
        srv.route("/loop2", redirect=(302, "/loop1"))
        srv.route("/ftp", redirect=(302, "ftp://127.0.0.1/feed"))
        status, headers, _ = get(srv, "/r1", follow=False)
        check_eq((status, headers["Location"]), (301, "/r2"), "redirect status and Location")
        status, _, body = get(srv, "/r1")
        check_eq((status, body), (200, BODY), "redirect chain across hosts ends at the body")
        check_eq([srv.count(p) for p in ("/r1", "/r2", "/r3", "/final")], [2, 1, 1, 1],
                 "every hop requested")
        check_eq(srv.last("/final").host, 1, "the chain moved to host 1")
        status, _, _ = get(srv, "/loop1")
        check_eq(status, 302, "redirect loop: the client gives up")
        check(srv.count("/loop1") >= 2, "redirect loop: it went round")
        check_eq(get(srv, "/ftp", follow=False)[1]["Location"], "ftp://127.0.0.1/feed",
                 "non-http Location served as given")


def test_encodings():
    routes = {"/gz": {"body": FIXTURE, "encoding": "gzip"},
              "/br": {"fixture": "policy.rss", "encoding": "br"},
              "/bronly": {"br_body": FIXTURE_BR, "encoding": "br"},
              "/forced": {"body": FIXTURE_BR, "headers": {"Content-Encoding": "br"}}}
    with FeedServer(routes) as srv:
        status, headers, body = get(srv, "/gz", headers={"Accept-Encoding": "gzip, deflate"})
        check_eq(headers["Content-Encoding"], "gzip", "gzip when accepted")
        check_eq(gzip.decompress(body), FIXTURE, "gzip body decodes to the original")
        check_eq(headers["Vary"], "Accept-Encoding", "Vary sent")
        _, headers, body = get(srv, "/gz", headers={"Accept-Encoding": "gzip;q=0, br"})
        check_eq((headers["Content-Encoding"], body), (None, FIXTURE), "gzip;q=0 gets identity")
        _, headers, body = get(srv, "/gz")
        check_eq((headers["Content-Encoding"], body), (None, FIXTURE), "no Accept-Encoding")
        _, headers, body = get(srv, "/br", headers={"Accept-Encoding": "gzip, deflate, br"})
        check_eq(headers["Content-Encoding"], "br", "br fixture with Content-Encoding: br")
        check_eq(body, FIXTURE_BR, "br fixture bytes")
        check_eq(int(headers["Content-Length"]), len(FIXTURE_BR), "br Content-Length")
        _, headers, body = get(srv, "/br", headers={"Accept-Encoding": "gzip"})
        check_eq((headers["Content-Encoding"], body), (None, FIXTURE), "br not accepted")
        check_eq(get(srv, "/bronly", headers={"Accept-Encoding": "gzip"})[0], 406,
                 "br-only body without br accepted: 406")
        _, headers, body = get(srv, "/forced")
        check_eq((headers["Content-Encoding"], body), ("br", FIXTURE_BR), "forced coding")


def test_bodies():
    big = bytes(range(256)) * 40
    routes = {"/chunked": {"body": big, "chunked": True},
              "/cut": {"body": big, "chunked_cut": 3000},
              "/short": {"body": big, "content_length": len(big) + 500},
              "/close": {"body": big, "content_length": False},
              "/huge": {"huge": 5 * 1024 * 1024},
              "/hugechunk": {"huge": 300000, "body": "<feed>", "chunked": True},
              "/bomb": {"gzip_bomb": 64 * 1024 * 1024}}
    with FeedServer(routes) as srv:
        check_eq(get(srv, "/chunked", follow=False)[2], big, "chunked body decodes")
        try:
            get(srv, "/cut", follow=False)
            check(False, "chunked_cut: the client sees an incomplete read")
        except http.client.IncompleteRead as e:
            check_eq(e.partial, big[:3000], "chunked_cut: N bytes, then nothing")
        try:
            get(srv, "/short", follow=False)
            check(False, "lying Content-Length: the client sees an incomplete read")
        except http.client.IncompleteRead as e:
            check_eq((len(e.partial), e.expected), (len(big), 500), "lying Content-Length")
        _, headers, body = get(srv, "/close", follow=False)
        check_eq((headers["Content-Length"], body), (None, big), "body ended by close")

        conn = http.client.HTTPConnection(srv.hosts[0], srv.port, timeout=10)
        conn.request("GET", "/huge")
        r = conn.getresponse()
        n, first = 0, None
        while chunk := r.read(1 << 16):
            first = first or chunk
            n += len(chunk)
        conn.close()
        check_eq(n, 5 * 1024 * 1024, "huge: exactly N bytes")
        check(first.startswith(b"<?xml"), "huge: an XML prefix")
        body = get(srv, "/hugechunk", follow=False)[2]
        check_eq((len(body), body[:6]), (300000, b"<feed>"), "huge, chunked, with a prefix")

        conn = http.client.HTTPConnection(srv.hosts[0], srv.port, timeout=10)
        conn.request("GET", "/bomb")
        r = conn.getresponse()
        compressed = r.read()
        conn.close()
        check_eq(r.headers["Content-Encoding"], "gzip", "gzip bomb: Content-Encoding gzip")
        check(len(compressed) < 64 * 1024 * 1024 // 500, "gzip bomb: small on the wire")
        d = zlib.decompressobj(31)
        inflated, nonzero, data = 0, False, compressed
        while data:
            out = d.decompress(data, 1 << 20)
            inflated += len(out)
            nonzero = nonzero or out.count(0) != len(out)
            data = d.unconsumed_tail
        check_eq((inflated, nonzero), (64 * 1024 * 1024, False), "gzip bomb: inflates to N zeros")
        check((pathlib.Path(tempfile.gettempdir()) / f"newsmon-gzip-bomb-{64 << 20}.gz").exists(),
              "gzip bomb: cached in the temp directory")
        check_eq(srv.errors, [], "no server-side errors")


def test_drip_stall_reset():
    body = b"x" * 1000
    routes = {"/drip": {"body": b"d" * 2000, "drip": 4000},
              "/stall": {"body": body, "stall_after": 100},
              "/reset": {"body": body, "reset_after": 100},
              "/dripstall": {"body": body, "drip": 1000, "stall_after": 300}}
    with FeedServer(routes) as srv:
        t0 = time.monotonic()
        _, _, got = get(srv, "/drip")
        took = time.monotonic() - t0
        check_eq(got, b"d" * 2000, "drip: the whole body")
        check(0.4 <= took < 1.2, f"drip: 2000 B at 4000 B/s takes about 0.5 s (took {took:.2f})")

        head, got, how = raw_get(srv, "/stall", timeout=0.5)
        check_in(b"Content-Length: 1000", head, "stall: the full length announced")
        check_eq((len(got), how), (100, "timeout"), "stall: N bytes then silence, not closed")
        head, got, how = raw_get(srv, "/reset")
        check_eq((len(got) <= 100, how), (True, "reset"), "reset: at most N bytes, then RST")
        t0 = time.monotonic()
        head, got, how = raw_get(srv, "/dripstall", timeout=0.6)
        check_eq((len(got), how), (300, "timeout"), "drip then stall")
        check(time.monotonic() - t0 >= 0.85, "drip then stall: paced")

        # A client that leaves mid-body: no traceback anywhere, no error recorded.
        saved = sys.stderr
        sys.stderr = captured = io.StringIO()
        try:
            for _ in range(3):
                s = socket.create_connection((srv.hosts[0], srv.port))
                s.sendall(b"GET /drip HTTP/1.1\r\nHost: x\r\n\r\n")
                s.recv(10)
                s.close()
            time.sleep(0.3)
        finally:
            sys.stderr = saved
        check_eq(captured.getvalue(), "", "client disconnects print nothing")
        check_eq(srv.errors, [], "client disconnects are not errors")

        # stop() must not wait for stalled handlers.
        stalled = [socket.create_connection((srv.hosts[0], srv.port)) for _ in range(3)]
        for s in stalled:
            s.sendall(b"GET /stall HTTP/1.1\r\nHost: x\r\n\r\n")
        deadline = time.monotonic() + 2
        while srv.in_flight(0) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        check_eq(srv.in_flight(0), 3, "stalled requests count as in flight")
        t0 = time.monotonic()
        srv.stop()
        check(time.monotonic() - t0 < 1.0, "stop() with stalled handlers is quick")
        for s in stalled:
            s.close()


def test_concurrency():
    with FeedServer({"/slow": {"body": BODY, "delay": 0.4}}, hosts=3) as srv:
        def fetch(host):
            get(srv, "/slow", host=host)

        threads = [threading.Thread(target=fetch, args=(0,)) for _ in range(3)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check(time.monotonic() - t0 < 1.0, "three parallel requests are served in parallel")
        check_eq(srv.max_in_flight(0), 3, "3 parallel clients on one address: 3 in flight")
        check_eq(srv.max_connections(0), 3, "3 parallel clients on one address: 3 connections")
        check_eq(srv.in_flight(0), 0, "none left in flight")

        srv.reset_stats()
        threads = [threading.Thread(target=fetch, args=(h,)) for h in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        check_eq([srv.max_in_flight(h) for h in (0, 1, 2)], [0, 1, 1],
                 "one client per address: 1 in flight on each")
        check_eq(srv.max_in_flight("127.0.0.2"), 1, "hosts by address")
        check_eq(srv.total, 2, "reset_stats() restarted the totals")

        # Keep-alive: two requests on one connection are one connection, sequentially.
        srv.reset_stats()
        conn = http.client.HTTPConnection(srv.hosts[0], srv.port, timeout=10)
        for _ in range(2):
            conn.request("GET", "/slow")
            conn.getresponse().read()
        conn.close()
        check_eq((srv.total, srv.max_connections(0), srv.max_in_flight(0)), (2, 1, 1),
                 "keep-alive: one connection for two requests")
        check_eq(len({r.client for r in srv.requests("/slow")}), 1, "same client port")


def test_standalone():
    with tempdir() as tmp:
        (tmp / "body.xml").write_bytes(BODY)
        config = {"hosts": ["127.0.0.5", "127.0.0.6"],
                  "routes": {"/f": {"body_file": "body.xml", "etag": '"s1"'},
                             "/r": {"redirect": [301, "/f"]}}}
        (tmp / "c.json").write_text(json.dumps(config))
        proc = subprocess.Popen([sys.executable, str(repo_root() / "tests/e2e/feedserver.py"),
                                 "--config", str(tmp / "c.json"), "--stats", str(tmp / "s.json")],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        try:
            info = json.loads(proc.stdout.readline())
            check_eq(info["hosts"], ["127.0.0.5", "127.0.0.6"], "standalone: ports JSON")
            url = info["urls"][1] + "/r"
            with urllib.request.urlopen(url, timeout=5) as r:
                check_eq(r.read(), BODY, "standalone: serves body_file through a redirect")
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=5)
        check_eq((proc.returncode, out, err), (0, b"", b""), "standalone: clean exit on SIGTERM")
        stats = json.loads((tmp / "s.json").read_text())
        check_eq((stats["total"], stats["paths"]), (2, {"/r": 1, "/f": 1}), "standalone: stats")


def test_harness_itself():
    with tempdir() as tmp:
        check(tmp.is_dir(), "tempdir() exists inside")
        kept = tmp
        db = tmp / "t.db"
        conn = sqlite3.connect(db)
        conn.executescript("PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (7);")
        conn.close()
        with sqlite(db) as ro:
            check_eq(ro.integrity(), "ok", "integrity_check helper")
            check_eq(ro.value("SELECT x FROM t"), 7, "value()")
            check_eq([tuple(row) for row in ro.rows("SELECT x FROM t")], [(7,)], "rows()")
            try:
                ro.execute("INSERT INTO t VALUES (8)")
                check(False, "sqlite() is read-only")
            except sqlite3.OperationalError:
                check(True, "sqlite() is read-only")
    check(not kept.exists(), "tempdir() removed afterwards")
    check((corpus_dir() / "MANIFEST.md").exists(), "corpus_dir() finds the shared corpus")

    # newsmon(), failures and done() seen from outside, in a child test script whose "binary"
    # is a shell, sleep or env.
    with tempdir() as tmp:
        script = tmp / "test_child.py"
        script.write_text(CHILD.replace("@E2E@", str(repo_root() / "tests" / "e2e")))
        env = dict(os.environ, Y="unset me")
        env.pop("NEWSMON_WRAP", None)
        child = subprocess.run([sys.executable, str(script)], capture_output=True, env=env,
                               timeout=30, text=True, cwd=tmp)
        check_eq(child.stdout, "6 passed, 3 failed\n", "child: the summary is all of stdout")
        check_eq(child.returncode, 1, "child: exit 1 on failure")
        check_in("test_child.py:5: check failed: the answer", child.stderr, "file:line")
        check_in("got:  41\n    want: 42", child.stderr, "check_eq prints both values")
        check_in("missing: 'needle'", child.stderr, "check_in prints the needle")
        check_in("test_child.py:8: check failed: timed out after 0.5s and killed: /bin/sleep 5",
                 child.stderr, "a timeout is a failure at the caller's line")
        check(child.stderr.rstrip().count("\n") < 10, "child: nothing else on stderr")


def main():
    t0 = time.monotonic()
    for test in (test_addresses, test_basics, test_conditional, test_versions_and_handler,
                 test_redirects, test_encodings, test_bodies, test_drip_stall_reset,
                 test_concurrency, test_standalone, test_harness_itself):
        try:
            test()
        except Exception:
            check(False, f"{test.__name__} raised:\n{traceback.format_exc()}")
    check(time.monotonic() - t0 < 20, "the self-test stays under 20 s")
    done()


main()
