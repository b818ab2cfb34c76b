/*
 * proc.c - processes, from /proc: whether a pid is gone, its parent and
 * start time.  One place for the module, the watch and the command.
 *
 * Several reads about one process go through one held /proc/<pid>
 * directory (al_proc_open): if the pid is reused in between, the reads
 * of the old directory fail (ESRCH) instead of describing another
 * process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"

int
al_proc_open(pid_t pid)
{
	char path[64];

	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld", (long)pid);
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Reads <dfd>/stat; the fields after comm are returned in *after. */
static int
read_stat_at(int dfd, char *buf, size_t sz, char **after)
{
	if (al_read_small_at(dfd, "stat", buf, sz) <= 0)
		return -1;
	/* "pid (comm) state ppid ...": comm may hold anything, so fields are
	 * counted from the last ')'. */
	if ((*after = strrchr(buf, ')')) == NULL)
		return -1;
	(*after)++;
	return 0;
}

int
al_proc_gone(pid_t pid)
{
	char buf[1024], *p, state;
	int dfd, r;

	if (kill(pid, 0) != 0 && errno == ESRCH)
		return 1;
	/* Not readable (hidepid= hides another user's, such as the
	 * monitor's, from the watch): kill() said it exists. */
	if ((dfd = al_proc_open(pid)) < 0)
		return 0;
	/* A zombie will never listen again; sshd's monitor may not have
	 * reaped its child yet when it closes the session. */
	r = read_stat_at(dfd, buf, sizeof(buf), &p) == 0 &&
	    sscanf(p, " %c", &state) == 1 && (state == 'Z' || state == 'X');
	close(dfd);
	return r;
}

int
al_proc_stat_at(int dfd, pid_t *ppid, unsigned long long *start)
{
	char buf[1024], *p;
	unsigned long long st;
	long pp;

	/* ... state ppid ... starttime(22) */
	if (read_stat_at(dfd, buf, sizeof(buf), &p) != 0 ||
	    sscanf(p, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
		   "%*u %*d %*d %*d %*d %*d %*d %llu", &pp, &st) != 2)
		return -1;
	if (ppid != NULL)
		*ppid = (pid_t)pp;
	if (start != NULL)
		*start = st;
	return 0;
}

int
al_proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start)
{
	int dfd, r;

	if ((dfd = al_proc_open(pid)) < 0)
		return -1;
	r = al_proc_stat_at(dfd, ppid, start);
	close(dfd);
	return r;
}
