/*
 * conn.c - the connection behind an agent socket, from /proc.
 *
 * The pid a socket's name carries is the connection's unprivileged sshd
 * process, which runs as the user and whose title sshd sets with
 * setproctitle(): "sshd: USER" once the user is authenticated, then
 * "sshd: USER@pts/N" when a terminal is allocated, or "sshd: USER@notty"
 * when a command starts without one (sshd-session instead of sshd from
 * OpenSSH 9.8; a list "pts/1,pts/2" when one connection carries several
 * sessions).  Only a process whose every uid is the user's is read: the
 * name is the user's to choose, and another user's process is none of
 * ours.  /proc/<pid>/status and /proc/<pid>/cmdline are readable by
 * everybody even for a process that is not dumpable, as sshd's is; all
 * are read through one held /proc/<pid>, so that they describe one
 * process even if the pid is reused meanwhile.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "ctx.h"
#include "log.h"
#include "proc.h"
#include "rule.h"
#include "scan.h"

/* Are the real, effective, saved and file system uids of the process
 * (its /proc directory dfd) all uid? */
static int
proc_is_users(int dfd, uid_t uid)
{
	char buf[2048], *p;
	unsigned long u[4];

	if (al_read_small_at(dfd, "status", buf, sizeof(buf)) < 0 ||
	    (p = strstr(buf, "\nUid:")) == NULL ||
	    sscanf(p + 5, "%lu %lu %lu %lu", &u[0], &u[1], &u[2], &u[3]) != 4)
		return 0;
	return u[0] == uid && u[1] == uid && u[2] == uid && u[3] == uid;
}

enum al_tty
al_title_tty(const char *title, const char *user, char *ttys, size_t sz)
{
	const char *p = strstr(title, ": ");
	size_t ul = strlen(user), n;

	if (sz > 0)
		ttys[0] = '\0';
	/* "sshd", "sshd-session" or whatever name sshd was started by. */
	if (strncmp(title, "sshd", 4) != 0 || p == NULL || ul == 0)
		return AL_TTY_UNKNOWN;
	p += 2;
	if (strncmp(p, user, ul) != 0 || p[ul] != '@')
		return AL_TTY_UNKNOWN;	/* "sshd: USER": no session yet */
	p += ul + 1;
	n = strcspn(p, " ");
	if (n == 0 || n >= sz)
		return AL_TTY_UNKNOWN;
	memcpy(ttys, p, n);
	ttys[n] = '\0';
	return strcmp(ttys, "notty") == 0 ? AL_TTY_NO : AL_TTY_YES;
}

int
al_conn_read(pid_t pid, uid_t uid, const char *user, struct al_conn *out)
{
	char title[512];
	ssize_t n;
	int dfd, bad;

	memset(out, 0, sizeof(*out));
	out->pid = pid;
	if ((dfd = al_proc_open(pid)) < 0)
		return -1;
	bad = !proc_is_users(dfd, uid) ||
	    al_proc_stat_at(dfd, &out->ppid, &out->start) != 0 ||
	    (n = al_read_small_at(dfd, "cmdline", title, sizeof(title))) <= 0;
	close(dfd);
	if (bad)
		return -1;
	/* The title is the first string; sshd pads the rest with NULs. */
	n = (ssize_t)strlen(title);
	while (n > 0 && isspace((unsigned char)title[n - 1]))
		title[--n] = '\0';
	if (strncmp(title, "sshd", 4) != 0)
		return -1;
	out->tty = al_title_tty(title, user, out->ttys, sizeof(out->ttys));
	return 0;
}

void
al_cands_tty(const struct al_ctx *ctx, struct al_cands *cands)
{
	struct al_conn conn;
	size_t i;

	for (i = 0; i < cands->n; i++) {
		struct al_candidate *c = &cands->v[i];

		c->interactive = c->pid > 0 &&
		    al_conn_read(c->pid, ctx->uid, ctx->user, &conn) == 0 ?
		    conn.tty : AL_TTY_UNKNOWN;
	}
}
