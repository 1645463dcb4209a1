/*
 * lock.c — the crawl lock (see lock.h).
 */
#include "crawler/lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

int lock_acquire(const char *db_path, bool wait, char *err, size_t errsize)
{
	char path[4096], pid[32] = "";
	int fd, n;

	if (snprintf(path, sizeof path, "%s.lock", db_path) >= (int)sizeof path) {
		snprintf(err, errsize, "%s: path too long", db_path);
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;
		/* the lock file is made beside the database: say which of the two is in the way */
		const char *why = e == ENOENT ? "; the database's directory does not exist"
		                  : e != EACCES ? ""
		                  : access(path, F_OK) == 0 ? "; the lock file is not writable"
		                                            : "; the database's directory is not writable";
		snprintf(err, errsize, "%s: cannot open the crawl's lock file %s: %s%s", db_path, path,
		         strerror(e), why);
		return -1;
	}
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) < 0) {
		if (errno == EINTR && wait)
			continue;
		if (errno == EWOULDBLOCK) {
			n = (int)pread(fd, pid, sizeof pid - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			pid[strcspn(pid, "\n")] = '\0';
			snprintf(err, errsize, "another crawl%s%s%s is using %s; try again later or run "
			         "with --wait", *pid ? " (pid " : "", pid, *pid ? ")" : "", db_path);
			close(fd);
			return -2;
		}
		snprintf(err, errsize, "%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	ssize_t written = ftruncate(fd, 0) == 0 ? pwrite(fd, pid, (size_t)n, 0) : -1;
	(void)written; /* the lock holds without the pid: only a second crawl's message is poorer */
	return fd;
}
