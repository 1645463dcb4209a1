"""benchlib.py — what the benchmark reports share: running a process and reading its CPU time,
key=value output, verdicts against targets. Standard library only."""
import os
import time


def run(argv, stdin=None, stdout=None, stderr=None, env=None):
    """Runs argv with stdin/stdout/stderr from/to the paths given (default /dev/null) and the
    environment env (default this one's). Returns
    (exit status, CPU seconds (user+sys), wall seconds, max RSS in KiB) of that process alone
    (wait4), so that nothing else this script does is counted."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, stdin or os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, stdout or os.devnull,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, stderr or os.devnull,
                os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    w0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, env or os.environ, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    wall = time.perf_counter() - w0
    return os.waitstatus_to_exitcode(status), ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss


def keyvals(text):
    """The key=value pairs of one line of a bench_* program's output, as a dict of strings."""
    return dict(kv.split("=", 1) for kv in text.split())


def verdict(value, target):
    """"met" when value reaches target (a lower bound), else "NOT MET"."""
    return "met" if value >= target else "NOT MET"
