"""benchlib.py — what the benchmark reports share: running a process and reading its CPU time,
key=value output, verdicts against targets. Standard library only."""
import os
import tempfile


def run(argv, stdin=None, stdout=None, stderr=None, env=None):
    """Runs argv with stdin/stdout/stderr from/to the paths given (default /dev/null) and the
    environment env (default this one's). Returns (exit status, CPU seconds (user+sys), wall
    seconds, max RSS in KiB) of that process and the descendants it waited for, so that nothing
    else this script does is counted."""
    status, user, system, wall, rss = run_split(argv, stdin, stdout, stderr, env)
    return status, user + system, wall, rss


def run_split(argv, stdin=None, stdout=None, stderr=None, env=None):
    """run(), with the CPU time split: (exit status, user s, system s, wall s, max RSS KiB).

    The figures come from GNU time, which forks the command from its own small process: a
    process spawned straight from this one starts out with this interpreter's peak RSS (the
    kernel keeps the larger of the two across exec), which would hide any figure under it."""
    fd, report = tempfile.mkstemp(prefix="benchlib-time.")
    os.close(fd)
    argv = ["/usr/bin/time", "-q", "-f", "%e %U %S %M", "-o", report] + list(argv)
    actions = [(os.POSIX_SPAWN_OPEN, 0, stdin or os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, stdout or os.devnull,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, stderr or os.devnull,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    try:
        pid = os.posix_spawn(argv[0], argv, env or os.environ, file_actions=actions)
        _, status, _ = os.wait4(pid, 0)
        with open(report, encoding="ascii") as f:
            wall, user, system, rss = f.read().split()[-4:]
    finally:
        os.unlink(report)
    return (os.waitstatus_to_exitcode(status), float(user), float(system), float(wall),
            int(rss))


def chunks(pairs, limit):
    """The (url, path) pairs of a `newsmon import --url URL PATH ...` cut into runs whose
    arguments take at most limit bytes (a quarter of ARG_MAX is safe)."""
    out, cur, size = [], [], 0
    for url, path in pairs:
        n = len("--url") + len(url) + len(path) + 3 + 3 * 8  # strings, NULs, argv pointers
        if cur and size + n > limit:
            out.append(cur)
            cur, size = [], 0
        cur.append((url, path))
        size += n
    if cur:
        out.append(cur)
    return out


def keyvals(text):
    """The key=value pairs of one line of a bench_* program's output, as a dict of strings."""
    return dict(kv.split("=", 1) for kv in text.split())


def verdict(value, target):
    """"met" when value reaches target (a lower bound), else "NOT MET"."""
    return "met" if value >= target else "NOT MET"
