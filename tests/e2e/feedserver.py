"""feedserver.py — a configurable, hostile HTTP/1.1 server on loopback addresses for newsmon's
end-to-end tests and crawl benchmarks. Python 3.11 standard library only.

In a test it runs in background threads:

    with FeedServer({"/feed": {"fixture": "policy.rss", "etag": True}}, hosts=2) as srv:
        newsmon("crawl", ...)                      # feeds.txt lists srv.url("/feed", host=1)
        check_eq(srv.count("/feed"), 1, "fetched once")
        check(srv.max_in_flight(1) <= 2, "per-host politeness")

As a process (benchmarks): `python3 tests/e2e/feedserver.py --config FILE.json [--stats OUT.json]`
prints one JSON line {"pid", "hosts", "ports", "port", "urls"} on stdout and serves until SIGTERM
or SIGINT, then writes stats() to OUT.json. The config is {"hosts": N | [addresses], "port": P,
"routes": {path: spec}}; in JSON a spec's "redirect" is a [code, location] list and "body_file"
names a file (relative to the config file) whose bytes become "body".

Listening. hosts=N listens on 127.0.0.1 ... 127.0.0.N (Linux routes all of 127/8 to lo), or pass
a list of loopback addresses; anything but loopback is refused. Every address gets its own socket,
on the same port when it is free there, else an ephemeral one; srv.url(path, host=i) is exact.

Routes. A request matches its path with query first, then without it; anything else is a 404.
srv.route(path, **spec) replaces a route, srv.set(path, **spec) merges into it (between rounds).
A spec's keys, all optional:
  body           bytes, or str encoded with content_type's charset (default UTF-8); default b"".
  fixture        a file name under tests/data/http whose bytes are the body (and, with
                 encoding="br", whose NAME.br is the compressed body).
  status         default 200 (503 when retry_after is given).
  headers        dict or list of (name, value) pairs, sent after, and replacing by name, the
                 defaults (Server, Date, Content-Type, validators, codings, Content-Length).
                 A list may repeat a name. headers={"Content-Encoding": "br"} with a brotli body
                 forces a coding the client never asked for.
  content_type   default "application/xml"; include "; charset=..." to announce one.
  etag           sent verbatim (include the quotes); True derives a strong one from the body.
  last_modified  an HTTP-date string sent verbatim, or Unix seconds.
                 With either, If-None-Match (weak comparison, RFC 9110 §13.1.2) and, when that is
                 absent, If-Modified-Since (§13.1.3) are honoured with a bodiless 304.
  lying_validators  always 200 and the same body, with a new ETag and Last-Modified each time.
  encoding       "gzip" | "br" | "identity": the coding used when Accept-Encoding allows it
                 (identity otherwise, or 406 for br without an identity body); sends Vary.
  br_body        pre-compressed brotli bytes for encoding="br" (else the fixture's NAME.br).
  redirect       (code, location) or a location (302); location may be relative, so chains
                 and loops are routes pointing at each other.
  delay          seconds to wait before responding at all.
  drip           body bytes per second (paced in about 20 writes a second).
  stall_after    send the headers and N body bytes, then hang without closing until the
                 client leaves or the server stops.
  reset_after    send the headers and N body bytes, then reset the connection (SO_LINGER 0).
  content_length an int sent as Content-Length whatever the body is (the connection closes
                 after the body when it lies); False sends none and ends the body by closing.
  chunked        True: Transfer-Encoding: chunked, no Content-Length.
  chunked_cut    chunked, cut short: N body bytes, no terminating chunk, then close.
  gzip_bomb      N: Content-Encoding: gzip whatever was asked, with a ~N/1000-byte body that
                 inflates to N zero bytes. Built once per size per machine, cached in the temp
                 directory and in memory.
  huge           N: a body of exactly N bytes (body, if given, then XML-comment padding)
                 streamed in 64 KiB pieces, never held in memory.
  retry_after    sent as Retry-After (seconds or an HTTP-date).
  handler        handler(req) -> dict | None, called per request with its Request record: a
                 dict is a spec served for this request (over the route's own spec); None means
                 the handler wrote the whole response itself through req.raw (the
                 http.server.BaseHTTPRequestHandler).
  versions       list of bodies (bytes/str) or specs, one per round: srv.next_round() moves on,
                 the last one repeats. Each version is served over the route's spec.
Only one of stall_after, reset_after and chunked_cut may be given; byte counts are of the body
as sent (after any coding, before chunk framing), and drip applies to them all.

Observability (thread-safe; hosts by index or address): count(path), requests(path), last(path),
headers(path, name), total, not_modified, max_in_flight(host) and in_flight(host) (requests
being served), max_connections(host) and connections(host) (open connections), stats(),
reset_stats(), errors (tracebacks of server-side bugs; client disconnects are not errors).
max_in_flight is the politeness measure: a request stops counting before its last byte is
written, so a client that waits for it is never double-counted, while max_connections can
exceed a client's limit for the moment between the client closing one connection and the
server reading that close.
"""

import email.utils
import errno
import hashlib
import http.server
import ipaddress
import json
import os
import pathlib
import re
import select
import selectors
import signal
import socket
import socketserver
import struct
import sys
import tempfile
import threading
import time
import traceback
import zlib

DATA_DIR = pathlib.Path(__file__).resolve().parent.parent / "data" / "http"

_KEYS = frozenset({
    "body", "fixture", "status", "headers", "content_type", "etag", "last_modified",
    "lying_validators", "encoding", "br_body", "redirect", "delay", "drip", "stall_after",
    "reset_after", "content_length", "chunked", "chunked_cut", "gzip_bomb", "huge",
    "retry_after", "handler", "versions",
})
_CUTS = ("stall_after", "reset_after", "chunked_cut")
_PIECE = 64 * 1024
# Client-side disconnects and the server's own stop() surface as these; none is a server bug.
_GONE = frozenset({errno.EBADF, errno.ENOTCONN, errno.EPIPE, errno.ECONNRESET, errno.ESHUTDOWN,
                   errno.ECONNABORTED})
_HUGE_PREFIX = b'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>' \
               b"<title>huge</title>\n"
_HUGE_FILL = b"<!-- padding padding padding padding padding padding padding -->\n" * 1024
# lying_validators dates count up from here (2020-07-06T01:46:40Z), one minute per response.
_LIE_EPOCH = 1594000000

_bomb_lock = threading.Lock()
_bombs = {}
_gzip_cache = {}


class Request:
    """One request as the server saw it.

    seq: 0-based order over the whole server; n: 1-based count of requests to this route;
    path: as requested; route: the matched route (or the bare path for a 404); method; host:
    listening address index; address: that address; client: (ip, port), which identifies the
    connection; headers: http.client.HTTPMessage (case-insensitive .get()); time: time.time()
    on arrival; status: the status sent (None when none was); round: srv.round at arrival.
    While a handler runs, raw is the http.server handler and server the FeedServer; both are
    None afterwards.
    """

    __slots__ = ("seq", "n", "path", "route", "method", "host", "address", "client", "headers",
                 "time", "status", "round", "raw", "server", "_done")

    def __repr__(self):
        return f"<Request #{self.seq} {self.method} {self.path} host={self.host} {self.status}>"


def _addresses(hosts):
    if isinstance(hosts, int):
        if not 1 <= hosts <= 254:
            raise ValueError(f"hosts={hosts}: between 1 and 254 loopback addresses")
        hosts = [f"127.0.0.{i}" for i in range(1, hosts + 1)]
    out = []
    for h in hosts:
        addr = ipaddress.ip_address(h)
        if addr.version != 4 or not addr.is_loopback:
            raise ValueError(f"{h}: only IPv4 loopback addresses are served")
        out.append(str(addr))
    if not out:
        raise ValueError("no address to listen on")
    return out


def _http_date(seconds):
    return email.utils.formatdate(seconds, usegmt=True)


def _parse_date(value):
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def _charset(content_type):
    m = re.search(r";\s*charset\s*=\s*\"?([^\";\s]+)", content_type or "", re.I)
    return m.group(1) if m else None


def _opaque(tag):
    return tag[2:] if tag.startswith("W/") else tag


def _etag_matches(header, etag):
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2): W/ is ignored on both sides."""
    if header.strip() == "*":
        return True
    want = _opaque(etag)
    return any(_opaque(t) == want for t in re.findall(r'(?:W/)?"[^"]*"|[^,\s]+', header))


def _accepts(header, coding):
    """Whether Accept-Encoding allows CODING. A request without the header gets identity: curl
    without CURLOPT_ACCEPT_ENCODING sends none and then cannot decode anything."""
    if header is None:
        return False
    q = {}
    for item in header.split(","):
        name, _, params = item.partition(";")
        weight = 1.0
        m = re.search(r"q\s*=\s*([0-9.]+)", params)
        if m:
            try:
                weight = float(m.group(1))
            except ValueError:
                weight = 0.0
        q[name.strip().lower()] = weight
    if coding in q:
        return q[coding] > 0
    return q.get("*", 0) > 0


def _gzip(body):
    """gzip of BODY with mtime 0, cached: the same body always compresses to the same bytes."""
    z = _gzip_cache.get(body)
    if z is None:
        c = zlib.compressobj(6, zlib.DEFLATED, 31)
        z = c.compress(body) + c.flush()
        _gzip_cache[body] = z
    return z


def _gzip_bomb(size):
    """A gzip member inflating to SIZE zero bytes (1 GB -> about 1 MB, built in a few seconds),
    cached in memory and as newsmon-gzip-bomb-SIZE.gz in the temp directory, written
    atomically so that concurrent servers never read a half-written one."""
    with _bomb_lock:
        bomb = _bombs.get(size)
        if bomb is not None:
            return bomb
        path = pathlib.Path(tempfile.gettempdir()) / f"newsmon-gzip-bomb-{size}.gz"
        try:
            bomb = path.read_bytes()
        except OSError:
            c = zlib.compressobj(9, zlib.DEFLATED, 31)
            zeros = bytes(min(size, 1 << 20))
            parts = []
            left = size
            while left:
                take = min(left, len(zeros))
                parts.append(c.compress(zeros[:take] if take < len(zeros) else zeros))
                left -= take
            parts.append(c.flush())
            bomb = b"".join(parts)
            tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}")
            try:
                tmp.write_bytes(bomb)
                os.replace(tmp, path)
            except OSError:
                tmp.unlink(missing_ok=True)  # a read-only temp dir only costs the disk cache
        _bombs[size] = bomb
        return bomb


def _huge_pieces(size, prefix):
    head = (prefix if prefix else _HUGE_PREFIX)[:size]
    yield head
    left = size - len(head)
    while left > 0:
        piece = _HUGE_FILL if left >= len(_HUGE_FILL) else _HUGE_FILL[:left]
        yield piece
        left -= len(piece)


def _pieces(data):
    view = memoryview(data)
    for i in range(0, len(view), _PIECE):
        yield view[i:i + _PIECE]


def _compile(spec, where):
    """Checks a route spec and resolves everything that can be resolved once (str bodies,
    fixtures, redirects, gzip bombs). Raises ValueError or OSError naming WHERE."""
    unknown = set(spec) - _KEYS
    if unknown:
        raise ValueError(f"{where}: unknown route keys {sorted(unknown)}")
    c = dict(spec)
    ctype = c.setdefault("content_type", "application/xml")
    body = c.get("body")
    if "fixture" in c:
        path = DATA_DIR / c["fixture"]
        if body is None:
            body = path.read_bytes()
        if c.get("encoding") == "br" and "br_body" not in c:
            c["br_body"] = path.with_name(path.name + ".br").read_bytes()
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode(_charset(ctype) or "utf-8")
    c["body"] = bytes(body)
    if c.get("etag") is True:
        c["etag"] = '"%s"' % hashlib.sha1(c["body"]).hexdigest()[:20]
    lm = c.get("last_modified")
    if isinstance(lm, (int, float)) and not isinstance(lm, bool):
        c["last_modified"] = _http_date(lm)
    enc = c.get("encoding")
    if enc not in (None, "gzip", "br", "identity"):
        raise ValueError(f"{where}: encoding must be gzip, br or identity, not {enc!r}")
    if enc == "br" and "br_body" not in c:
        raise ValueError(f"{where}: encoding='br' needs br_body or a fixture with a .br twin")
    redirect = c.get("redirect")
    if isinstance(redirect, str):
        c["redirect"] = (302, redirect)
    elif redirect is not None:
        c["redirect"] = (int(redirect[0]), str(redirect[1]))
    if sum(k in c for k in _CUTS) > 1:
        raise ValueError(f"{where}: at most one of {', '.join(_CUTS)}")
    if "gzip_bomb" in c:
        c["bomb"] = _gzip_bomb(int(c["gzip_bomb"]))
    headers = c.get("headers") or []
    c["headers"] = list(headers.items()) if isinstance(headers, dict) else list(headers)
    return c


_NOT_FOUND = _compile({"status": 404, "body": b"not found\n", "content_type": "text/plain"},
                      "404")


def _overlay(base, over):
    """BASE updated with OVER, where a body or fixture in OVER replaces both in BASE."""
    merged = dict(base)
    if "body" in over or "fixture" in over:
        merged.pop("body", None)
        merged.pop("fixture", None)
    merged.update(over)
    return merged


class _Route:
    """A route as given (spec), as one spec per version (sources) and compiled."""

    __slots__ = ("spec", "sources", "compiled")

    def __init__(self, path, spec):
        self.spec = dict(spec)
        base = {k: v for k, v in spec.items() if k != "versions"}
        versions = spec.get("versions")
        if versions is None:
            self.sources = [base]
        elif not versions:
            raise ValueError(f"{path}: versions is empty")
        else:
            self.sources = [_overlay(base, v if isinstance(v, dict) else {"body": v})
                            for v in versions]
        self.compiled = []
        for i, src in enumerate(self.sources):
            if "versions" in src:
                raise ValueError(f"{path}: versions[{i}] has versions of its own")
            self.compiled.append(_compile(src, path if versions is None else
                                          f"{path} versions[{i}]"))

    def version(self, n):
        """The index of the version served in round N: the last one repeats."""
        return min(n, len(self.sources) - 1)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsmon-feedserver/1"
    sys_version = ""
    # Idle keep-alive connections end after this; body writes to a reader this slow fail.
    timeout = 60
    # Headers and body go out as separate writes; with Nagle on, delayed ACKs on loopback
    # would add 40 ms to every response.
    disable_nagle_algorithm = True

    def setup(self):
        super().setup()
        self.server.feed._opened(self)

    def finish(self):
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.feed._closed(self)

    def log_message(self, format, *args):
        pass  # http.server logs every request to stderr; tests read counters instead

    def do_GET(self):
        self.server.feed._serve(self, head=False)

    def do_HEAD(self):
        self.server.feed._serve(self, head=True)


class _Listener(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024

    def __init__(self, feed, index, address, port):
        self.feed = feed
        self.index = index
        super().__init__((address, port), _Handler)
        self.socket.setblocking(False)

    def server_bind(self):
        # HTTPServer.server_bind would ask the resolver for getfqdn(127.0.0.N), which can take
        # seconds per address where DNS is unreachable.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request, client_address):
        self.feed._error(sys.exc_info()[1])


class FeedServer:
    """The server. Listens from construction; start() (or `with`) begins serving, stop() ends it.

    routes: {path: spec} (see the module comment); hosts: a count or a list of loopback
    addresses; port: the port to try first on every address (0: ephemeral).
    Raises ValueError for a bad spec or address, OSError when an address cannot be bound.
    """

    def __init__(self, routes=None, hosts=1, port=0):
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._routes = {}
        self._round = 0
        self._thread = None
        self._conns = set()
        self.errors = []
        for path, spec in (routes or {}).items():
            self.route(path, **spec)
        addresses = _addresses(hosts)
        self._wake_r, self._wake_w = socket.socketpair()
        self._listeners = []
        try:
            for i, addr in enumerate(addresses):
                want = port if i == 0 else self._listeners[0].server_port
                try:
                    lst = _Listener(self, i, addr, want)
                except OSError as e:
                    if e.errno != errno.EADDRINUSE:
                        raise
                    lst = _Listener(self, i, addr, 0)
                self._listeners.append(lst)
        except BaseException:
            self._close_sockets()
            raise
        n = len(addresses)
        self._conn_now = [0] * n
        self._conn_max = [0] * n
        self._busy_now = [0] * n
        self._busy_max = [0] * n
        self._reset_counts()

    # ---- lifecycle -------------------------------------------------------------------------

    def start(self):
        """Starts the accepting thread; returns self."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._accept_loop, name="feedserver",
                                            daemon=True)
            self._thread.start()
        return self

    def stop(self):
        """Stops accepting, closes the listening sockets and shuts every open connection down,
        which releases stalled, dripping and delayed handlers at once. Idempotent."""
        if self._stop.is_set():
            return
        self._stop.set()
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        if self._thread is not None:
            self._thread.join(5)
        with self._lock:
            conns = list(self._conns)
        for h in conns:
            try:
                h.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._close_sockets()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def _close_sockets(self):
        for lst in self._listeners:
            lst.server_close()
        self._wake_r.close()
        self._wake_w.close()

    def _accept_loop(self):
        sel = selectors.DefaultSelector()
        try:
            for lst in self._listeners:
                sel.register(lst.socket, selectors.EVENT_READ, lst)
            sel.register(self._wake_r, selectors.EVENT_READ, None)
            while True:
                for key, _ in sel.select():
                    lst = key.data
                    if lst is None:
                        return
                    try:
                        request, client = lst.get_request()
                    except OSError:
                        continue  # another wake-up took it, or the client already left
                    try:
                        lst.process_request(request, client)
                    except Exception:
                        lst.handle_error(request, client)
                        lst.shutdown_request(request)
        finally:
            sel.close()

    # ---- configuration ---------------------------------------------------------------------

    def route(self, path, **spec):
        """Serves SPEC at PATH, replacing any route there. Raises ValueError/OSError on a bad
        spec (the old route stays)."""
        r = _Route(path, spec)
        with self._lock:
            self._routes[path] = r

    def set(self, path, **spec):
        """Merges SPEC into PATH's route (creating it): srv.set("/feed", body=new_body).
        A new body or fixture replaces the other; on a versioned route the versions still
        decide what they set."""
        with self._lock:
            old = self._routes.get(path)
        self.route(path, **_overlay(old.spec if old else {}, spec))

    @property
    def round(self):
        """The round that picks each route's version (0 at start)."""
        return self._round

    @round.setter
    def round(self, n):
        with self._lock:
            self._round = int(n)

    def next_round(self):
        """Moves every versioned route to its next version; returns the new round."""
        with self._lock:
            self._round += 1
            return self._round

    # ---- addresses -------------------------------------------------------------------------

    @property
    def hosts(self):
        """The listening addresses, by index."""
        return [lst.server_name for lst in self._listeners]

    @property
    def ports(self):
        """The listening ports, by host index."""
        return [lst.server_port for lst in self._listeners]

    @property
    def port(self):
        """Host 0's port."""
        return self._listeners[0].server_port

    def base(self, host=0):
        """"http://ADDRESS:PORT" of host index HOST."""
        lst = self._listeners[self._index(host)]
        return f"http://{lst.server_name}:{lst.server_port}"

    def url(self, path, host=0):
        """The full URL of PATH (which starts with "/") on host index HOST."""
        if not path.startswith("/"):
            raise ValueError(f"{path!r}: a path starts with /")
        return self.base(host) + path

    def _index(self, host):
        if isinstance(host, int):
            return host
        return self.hosts.index(host)

    # ---- observability ---------------------------------------------------------------------

    def _reset_counts(self):
        self._records = []
        self._by_path = {}
        self._total = 0
        self._not_modified = 0
        self._host_requests = [0] * len(self._listeners)

    def reset_stats(self):
        """Forgets requests and counts; maxima restart from the current values."""
        with self._lock:
            self._reset_counts()
            self._conn_max = list(self._conn_now)
            self._busy_max = list(self._busy_now)

    def count(self, path):
        """How many requests PATH's route (or, unrouted, PATH itself) received."""
        with self._lock:
            return len(self._by_path.get(path, ()))

    def requests(self, path=None):
        """Request records in arrival order, all or PATH's only (a new list)."""
        with self._lock:
            return list(self._records if path is None else self._by_path.get(path, ()))

    def last(self, path):
        """PATH's latest Request, or None."""
        with self._lock:
            reqs = self._by_path.get(path)
            return reqs[-1] if reqs else None

    def headers(self, path, name):
        """The NAME header of each request to PATH, in order (None where it was absent)."""
        return [r.headers.get(name) for r in self.requests(path)]

    @property
    def total(self):
        """Requests received over all paths and hosts."""
        with self._lock:
            return self._total

    @property
    def not_modified(self):
        """304 responses sent."""
        with self._lock:
            return self._not_modified

    def in_flight(self, host=0):
        """Requests being served on HOST now."""
        with self._lock:
            return self._busy_now[self._index(host)]

    def max_in_flight(self, host=0):
        """The most requests ever served at once on HOST."""
        with self._lock:
            return self._busy_max[self._index(host)]

    def connections(self, host=0):
        """Connections open on HOST now."""
        with self._lock:
            return self._conn_now[self._index(host)]

    def max_connections(self, host=0):
        """The most connections ever open at once on HOST."""
        with self._lock:
            return self._conn_max[self._index(host)]

    def stats(self):
        """Every counter as a JSON-ready dict."""
        with self._lock:
            return {
                "total": self._total,
                "not_modified": self._not_modified,
                "hosts": [{"address": lst.server_name, "port": lst.server_port,
                           "requests": self._host_requests[i],
                           "max_in_flight": self._busy_max[i],
                           "max_connections": self._conn_max[i]}
                          for i, lst in enumerate(self._listeners)],
                "paths": {p: len(r) for p, r in self._by_path.items()},
                "errors": len(self.errors),
            }

    # ---- bookkeeping called from handler threads --------------------------------------------

    def _opened(self, h):
        i = h.server.index
        with self._lock:
            self._conns.add(h)
            self._conn_now[i] += 1
            self._conn_max[i] = max(self._conn_max[i], self._conn_now[i])

    def _closed(self, h):
        with self._lock:
            if h in self._conns:
                self._conns.discard(h)
                self._conn_now[h.server.index] -= 1

    def _begin(self, h, route_key):
        i = h.server.index
        rec = Request()
        rec.path = h.path
        rec.route = route_key
        rec.method = h.command
        rec.host = i
        rec.address = h.server.server_name
        rec.client = h.client_address
        rec.headers = h.headers
        rec.time = time.time()
        rec.status = None
        rec.raw = h
        rec.server = self
        rec._done = False
        with self._lock:
            rec.seq = self._total
            rec.round = self._round
            self._total += 1
            self._host_requests[i] += 1
            bucket = self._by_path.setdefault(route_key, [])
            bucket.append(rec)
            rec.n = len(bucket)
            self._records.append(rec)
            self._busy_now[i] += 1
            self._busy_max[i] = max(self._busy_max[i], self._busy_now[i])
        return rec

    def _end(self, rec):
        """Stops counting REC as in flight (idempotent); called just before the response's
        last write, so that a client reacting to the response never sees it counted."""
        with self._lock:
            if rec._done:
                return
            rec._done = True
            self._busy_now[rec.host] -= 1

    def _error(self, exc):
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return
        if isinstance(exc, OSError) and (exc.errno in _GONE or self._stop.is_set()):
            return
        text = traceback.format_exc()
        with self._lock:
            self.errors.append(text)
        print(f"feedserver: {text}", file=sys.stderr, end="")

    # ---- serving ---------------------------------------------------------------------------

    def _serve(self, h, head):
        path = h.path
        with self._lock:
            route = self._routes.get(path)
            key = path
            if route is None:
                key = path.partition("?")[0]
                route = self._routes.get(key)
            rnd = self._round
        rec = self._begin(h, key)
        try:
            if route is None:
                self._respond(h, rec, _NOT_FOUND, head)
                return
            v = route.version(rnd)
            spec = route.compiled[v]
            fn = spec.get("handler")
            if fn is not None:
                out = fn(rec)
                if out is None:
                    h.close_connection = True
                    return
                src = {k: x for k, x in route.sources[v].items() if k != "handler"}
                spec = _compile(_overlay(src, out), f"{key} handler")
            self._respond(h, rec, spec, head)
        finally:
            self._end(rec)
            rec.raw = None
            rec.server = None

    def _status(self, h, rec, status, headers, extra, last):
        """Sends the status line and headers: HEADERS (defaults) with EXTRA (the route's own)
        replacing them by name. LAST: nothing follows, so the request stops counting first."""
        names = {n.lower() for n, _ in extra}
        h.send_response_only(status)
        for name, value in headers:
            if name.lower() not in names:
                h.send_header(name, str(value))
        for name, value in extra:
            h.send_header(name, str(value))
        rec.status = status
        if status == 304:
            with self._lock:
                self._not_modified += 1
        if last:
            self._end(rec)
        h.end_headers()

    def _respond(self, h, rec, spec, head):
        delay = spec.get("delay")
        if delay and self._stop.wait(delay):
            h.close_connection = True
            return
        status = spec.get("status", 503 if "retry_after" in spec else 200)
        base = [("Server", h.server_version), ("Date", h.date_time_string())]
        extra = spec["headers"]
        if "retry_after" in spec:
            base.append(("Retry-After", spec["retry_after"]))

        if "redirect" in spec:
            code, location = spec["redirect"]
            base += [("Location", location), ("Content-Length", "0")]
            self._status(h, rec, code, base, extra, last=True)
            return

        validators = []
        if spec.get("lying_validators"):
            n = rec.n
            validators = [("ETag", f'"lie-{n}"'),
                          ("Last-Modified", _http_date(_LIE_EPOCH + 60 * n))]
        else:
            if spec.get("etag"):
                validators.append(("ETag", spec["etag"]))
            if spec.get("last_modified"):
                validators.append(("Last-Modified", spec["last_modified"]))
            if status == 200 and validators and self._fresh(h, spec):
                self._status(h, rec, 304, base + validators, extra, last=True)
                return
        base += validators
        if status in (204, 304):
            # Never content, whatever the spec says (RFC 9110 §15.3.5, §15.4.5): a body here
            # would be read as the start of the next response on this connection.
            self._status(h, rec, status, base, extra, last=True)
            return

        body = spec["body"]
        source = None
        coding = None
        if "bomb" in spec:
            body, coding = spec["bomb"], "gzip"
        elif "huge" in spec:
            size = int(spec["huge"])
            source = (size, _huge_pieces(size, body))
        elif spec.get("encoding") in ("gzip", "br"):
            enc = spec["encoding"]
            if _accepts(h.headers.get("Accept-Encoding"), enc):
                body, coding = (_gzip(body) if enc == "gzip" else spec["br_body"]), enc
            elif enc == "br" and not body:
                status, body = 406, b"brotli only\n"
        if source is None:
            source = (len(body), _pieces(body))
        length = source[0]

        base.append(("Content-Type", spec["content_type"]))
        if coding:
            base.append(("Content-Encoding", coding))
        if spec.get("encoding"):
            base.append(("Vary", "Accept-Encoding"))
        chunked = bool(spec.get("chunked") or "chunked_cut" in spec)
        declared = spec.get("content_length")
        if chunked:
            base.append(("Transfer-Encoding", "chunked"))
        if declared is None:
            if not chunked:
                base.append(("Content-Length", length))
        elif declared is not False:
            base.append(("Content-Length", int(declared)))
        if declared is False or (declared is not None and int(declared) != length):
            # The body does not end where the headers say: nothing can follow on this connection.
            h.close_connection = True

        self._status(h, rec, status, base, extra, last=head or (length == 0 and not chunked))
        if head:
            return
        self._send_body(h, rec, spec, source, chunked)

    def _fresh(self, h, spec):
        """Whether the client's validators match (RFC 9110 §13.2.2: If-None-Match decides when
        present, If-Modified-Since only otherwise)."""
        inm = h.headers.get("If-None-Match")
        if inm is not None:
            return bool(spec.get("etag")) and _etag_matches(inm, spec["etag"])
        ims = h.headers.get("If-Modified-Since")
        lm = spec.get("last_modified")
        if ims is None or not lm:
            return False
        if ims.strip() == lm:
            return True
        lm_date, ims_date = _parse_date(lm), _parse_date(ims)
        if lm_date is None or ims_date is None:
            return False
        try:
            return lm_date <= ims_date
        except TypeError:  # a naive date against an aware one: a client quirk, not fresh
            return False

    def _send_body(self, h, rec, spec, source, chunked):
        length, pieces = source
        cut_kind = next((k for k in _CUTS if k in spec), None)
        limit = int(spec[cut_kind]) if cut_kind else None
        drip = spec.get("drip")
        step = max(1, int(drip) // 20) if drip else None
        started = time.monotonic()
        sent = 0
        write = h.wfile.write
        for piece in pieces:
            view = memoryview(piece)
            while len(view):
                take = len(view)
                if limit is not None:
                    take = min(take, limit - sent)
                if step is not None:
                    take = min(take, step)
                if take <= 0:
                    break
                if drip and self._stop.wait(max(0.0, started + (sent + take) / drip -
                                                time.monotonic())):
                    h.close_connection = True
                    return
                part = view[:take]
                if cut_kind is None and not chunked and sent + take == length:
                    self._end(rec)
                if chunked:
                    write(b"%x\r\n" % take + part + b"\r\n")
                else:
                    write(part)
                sent += take
                view = view[take:]
            if limit is not None and sent >= limit:
                break
        if cut_kind == "stall_after":
            self._hang(h)  # still in flight: the client has seen no end
        elif cut_kind == "reset_after":
            self._end(rec)
            self._reset(h)
        elif cut_kind == "chunked_cut":
            h.close_connection = True
        elif chunked:
            self._end(rec)
            write(b"0\r\n\r\n")

    def _hang(self, h):
        """Holds the connection open, sending nothing, until the client closes it or stop()
        shuts it down; whatever the client sends meanwhile is read and dropped."""
        h.close_connection = True
        sock = h.connection
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([sock], [], [], 0.5)
                if ready and not sock.recv(65536):
                    return
            except OSError:
                return

    def _reset(self, h):
        """Aborts the connection with a TCP RST: SO_LINGER on with a zero timeout makes close()
        discard unsent data and reset instead of sending FIN."""
        h.close_connection = True
        sock = h.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            return
        h.rfile.close()  # the socket really closes only when no file object still refers to it
        sock.close()


def _from_json(spec, base):
    spec = dict(spec)
    if "body_file" in spec:
        spec["body"] = (base / spec.pop("body_file")).read_bytes()
    if isinstance(spec.get("redirect"), list):
        spec["redirect"] = tuple(spec["redirect"])
    if "versions" in spec:
        spec["versions"] = [_from_json(v, base) if isinstance(v, dict) else v
                            for v in spec["versions"]]
    return spec


def main(argv=None):
    import argparse

    ap = argparse.ArgumentParser(description="Serve feed routes on loopback until killed.")
    ap.add_argument("--config", required=True, help="JSON: {hosts, port, routes}")
    ap.add_argument("--stats", help="write the counters here as JSON on SIGTERM/SIGINT")
    args = ap.parse_args(argv)
    config_path = pathlib.Path(args.config)
    config = json.loads(config_path.read_text(encoding="utf-8"))
    base = config_path.resolve().parent
    routes = {p: _from_json(s, base) for p, s in config.get("routes", {}).items()}

    # Block the stop signals before any thread exists so that every thread inherits the mask
    # and only sigwait() below receives them.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    srv = FeedServer(routes, hosts=config.get("hosts", 1), port=config.get("port", 0)).start()
    print(json.dumps({"pid": os.getpid(), "hosts": srv.hosts, "ports": srv.ports,
                      "port": srv.port, "urls": [srv.base(i) for i in range(len(srv.hosts))]}),
          flush=True)
    signal.sigwait(stop_signals)
    srv.stop()
    if args.stats:
        pathlib.Path(args.stats).write_text(json.dumps(srv.stats(), indent=1) + "\n",
                                            encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
