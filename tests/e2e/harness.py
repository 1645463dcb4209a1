"""harness.py — the Python twin of tests/test.h for newsmon's end-to-end tests.

An end-to-end test is a plain script, tests/e2e/test_<name>.py, run from the repository root by
tests/run.sh, which sums the "N passed, M failed" line each test prints last. A test imports this
module, drives the real binary with newsmon(), asserts with check()/check_eq()/check_in() and ends
with done():

    from harness import check_eq, done, newsmon, tempdir
    with tempdir() as tmp:
        r = newsmon("parse", "-", stdin=b"<rss/>", db=tmp / "t.db")
        check_eq(r.code, 0, "parse exits 0")
    done()

Failures print the calling test's file:line and what was expected to stderr; stdout carries only
the summary line, and done() exits 1 when anything failed. Also here: tempdir(), sqlite() (a
read-only connection with an integrity() helper), peak_rss_kb(), repo_root(), corpus_dir() and
data_dir(). Python 3.11 standard library only; the loopback HTTP server is feedserver.py.

Environment: NEWSMON_BIN is the binary under test (default <repo>/build/release/newsmon);
NEWSMON_WRAP, when set, is a command prefix split on spaces (valgrind under `make valgrind`);
NEWSMON_ROOT is the repository root (default: two directories above this file); NEWSMON_KEEP_TMP=1
keeps tempdir() directories for post-mortems and names them on stderr.
"""

import contextlib
import os
import pathlib
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

_HERE = os.path.abspath(__file__)
_passed = 0
_failed = 0
_count_lock = threading.Lock()


def _caller():
    """Returns "file:line" of the innermost frame outside this module (the test's own line)."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename) == _HERE:
        frame = frame.f_back
    if frame is None:
        return "?:0"
    return f"{os.path.relpath(frame.f_code.co_filename)}:{frame.f_lineno}"


def _shorten(value, limit=2000):
    text = repr(value)
    if len(text) > limit:
        return f"{text[:limit]}... ({len(text)} chars)"
    return text


def check(cond, what):
    """Counts one check. On failure prints "file:line: check failed: WHAT" to stderr.

    Returns bool(cond), so a test can skip dependent checks after a failure.
    """
    global _passed, _failed
    ok = bool(cond)
    with _count_lock:
        if ok:
            _passed += 1
        else:
            _failed += 1
    if not ok:
        print(f"{_caller()}: check failed: {what}", file=sys.stderr)
    return ok


def check_eq(got, want, what):
    """check(got == want); on failure also prints both values (repr, long ones shortened)."""
    ok = check(got == want, what)
    if not ok:
        print(f"    got:  {_shorten(got)}\n    want: {_shorten(want)}", file=sys.stderr)
    return ok


def check_in(needle, hay, what):
    """check(needle in hay); on failure prints the needle and (the start of) the haystack.

    A None haystack fails instead of raising.
    """
    ok = check(hay is not None and needle in hay, what)
    if not ok:
        print(f"    missing: {_shorten(needle)}\n    in:      {_shorten(hay)}", file=sys.stderr)
    return ok


def done():
    """Prints "N passed, M failed" as the last line of stdout and exits: 1 if M > 0, else 0.

    stderr is flushed first: tests/run.sh reads the last line of the merged output.
    """
    sys.stderr.flush()
    print(f"{_passed} passed, {_failed} failed", flush=True)
    sys.exit(1 if _failed else 0)


def repo_root():
    """The repository root as a pathlib.Path: $NEWSMON_ROOT, else two levels above this file."""
    env = os.environ.get("NEWSMON_ROOT")
    if env:
        return pathlib.Path(env)
    return pathlib.Path(_HERE).parent.parent.parent


def corpus_dir():
    """The shared real-world feed corpus: <repo>/../shared/corpus/realworld (read-only)."""
    return repo_root().parent / "shared" / "corpus" / "realworld"


def data_dir():
    """The repository's test data: <repo>/tests/data."""
    return repo_root() / "tests" / "data"


@contextlib.contextmanager
def tempdir():
    """Yields a fresh directory (pathlib.Path) that is removed on exit.

    With NEWSMON_KEEP_TMP=1 the directory is kept and its path printed to stderr.
    """
    path = pathlib.Path(tempfile.mkdtemp(prefix="newsmon-e2e-"))
    try:
        yield path
    finally:
        if os.environ.get("NEWSMON_KEEP_TMP") == "1":
            print(f"{_caller()}: kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(path, ignore_errors=True)


class Result:
    """What one newsmon run produced.

    code: exit status (negative: killed by that signal; -9 after a timeout); out, err: stdout and
    stderr decoded as UTF-8 with errors='replace'; out_bytes, err_bytes: the raw bytes;
    timed_out: bool; seconds: wall time; rss_kb: this run's peak resident set (of the wrapper
    when NEWSMON_WRAP is set); argv: the command line that ran.
    """

    __slots__ = ("argv", "code", "out_bytes", "err_bytes", "out", "err", "timed_out", "seconds",
                 "rss_kb")

    def __init__(self, argv, code, out_bytes, err_bytes, timed_out, seconds, rss_kb):
        self.argv = argv
        self.code = code
        self.out_bytes = out_bytes
        self.err_bytes = err_bytes
        self.out = out_bytes.decode("utf-8", errors="replace")
        self.err = err_bytes.decode("utf-8", errors="replace")
        self.timed_out = timed_out
        self.seconds = seconds
        self.rss_kb = rss_kb

    def __repr__(self):
        return (f"Result(code={self.code}, out={_shorten(self.out, 200)}, "
                f"err={_shorten(self.err, 200)})")


def newsmon_bin():
    """The binary under test: $NEWSMON_BIN, else <repo>/build/release/newsmon."""
    return os.environ.get("NEWSMON_BIN") or str(repo_root() / "build" / "release" / "newsmon")


def _drain(stream, sink):
    sink.append(stream.read())
    stream.close()


def _feed(stream, data):
    try:
        stream.write(data)
    except BrokenPipeError:
        pass  # the program may exit without reading all of its input; that is its business
    finally:
        try:
            stream.close()
        except BrokenPipeError:
            pass


def newsmon(*args, db=None, stdin=None, env=None, timeout=120, cwd=None):
    """Runs the binary under test with ARGS and returns a Result; never hangs.

    db: passed first as --db DB. stdin: bytes or str (UTF-8) fed to the program; None gives it
    an empty stdin (never the terminal). env: variables set on top of os.environ (a None value
    removes one). cwd: the working directory. Arguments may be str or path-like.
    A run that outlives TIMEOUT seconds has its whole process group killed, counts as one failed
    check naming the command, and returns with timed_out set and code -9. A binary that cannot be
    started counts as one failed check and returns code 127.
    """
    argv = os.environ.get("NEWSMON_WRAP", "").split() + [newsmon_bin()]
    if db is not None:
        argv += ["--db", os.fspath(db)]
    argv += [os.fspath(a) for a in args]
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)
        else:
            full_env[key] = value
    if isinstance(stdin, str):
        stdin = stdin.encode("utf-8")

    start = time.monotonic()
    try:
        # A session of its own, so a timeout kills valgrind's children too.
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else
                                subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=full_env, cwd=cwd, start_new_session=True)
    except OSError as e:
        check(False, f"cannot run {argv[0]}: {e}")
        return Result(argv, 127, b"", str(e).encode(), False, 0.0, 0)

    # Popen.communicate() reaps the child itself; reading here and reaping with wait4() keeps
    # this run's own rusage (peak RSS) instead of the maximum over every child ever waited for.
    out, err = [], []
    workers = [threading.Thread(target=_drain, args=(proc.stdout, out), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True)]
    if stdin is not None:
        workers.append(threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True))
    for w in workers:
        w.start()
    deadline = start + timeout
    for w in workers:
        w.join(max(0.0, deadline - time.monotonic()))
    timed_out = any(w.is_alive() for w in workers)
    pid, status, usage = 0, 0, None
    while not timed_out:
        # Output closed; the process itself may still be finishing (or ignoring its pipes).
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        timed_out = time.monotonic() >= deadline
        time.sleep(0.005)
    if timed_out:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        for w in workers:
            w.join(5)
    if not pid:
        _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - start
    result = Result(argv, proc.returncode, b"".join(out), b"".join(err), timed_out, seconds,
                    usage.ru_maxrss)
    if timed_out:
        tail = f"\n    stderr tail: {result.err[-2000:]}" if result.err else ""
        check(False, f"timed out after {timeout}s and killed: {' '.join(argv)}{tail}")
    return result


def peak_rss_kb():
    """The largest peak resident set size, in KiB, of any child process already waited for
    (Linux reports ru_maxrss in KiB). For one run's figure use Result.rss_kb."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


class Database(sqlite3.Connection):
    """A read-only connection for assertions; `with` closes it. Rows are sqlite3.Row."""

    def __exit__(self, *exc):
        self.close()
        return False

    def rows(self, sql, *params):
        """All rows of SQL as a list."""
        return self.execute(sql, params).fetchall()

    def value(self, sql, *params):
        """The first column of the first row, or None when there is no row."""
        row = self.execute(sql, params).fetchone()
        return None if row is None else row[0]

    def integrity(self):
        """PRAGMA integrity_check as one string: "ok" for a sound database."""
        return "\n".join(r[0] for r in self.execute("PRAGMA integrity_check"))


def sqlite(path):
    """Opens the database at PATH read-only (it must exist) and returns a Database.

    The caller closes it (or uses `with`). Raises sqlite3.Error when it cannot be opened.
    """
    uri = pathlib.Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, factory=Database)
    conn.row_factory = sqlite3.Row
    return conn
