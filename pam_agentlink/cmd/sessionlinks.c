/*
 * sessionlinks.c - the tmux session links in the link's directory
 * (~/.ssh/agent-<host>.sock.tmux-<server pid>-<session id>): listed for
 * agentlink status and for the tmux sync's cleanup, read as the user.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "log.h"
#include "proc.h"
#include "scan.h"
#include "sunpath.h"
#include "tmuxparse.h"

/* Does the server whose pid a link's name carries still run as the
 * user?  (A pid taken by another user's process is not it.) */
static int
server_runs(long pid)
{
	return !al_proc_gone((pid_t)pid) && kill((pid_t)pid, 0) == 0;
}

/* One link's path, target and numbers, if it is a session link of the
 * user's: a symbolic link of the uid, named exactly as the sync names. */
static int
link_entry(const struct cmd *c, int dirfd, const char *dir, const char *base,
	   const char *name, struct tmux_link *l)
{
	struct stat st;
	ssize_t n;

	if (tm_link_name_parse(name, base, &l->srvpid, &l->sid) != 0 ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISLNK(st.st_mode) || st.st_uid != c->ctx.uid ||
	    al_join(l->path, sizeof(l->path), dir, name) != 0 ||
	    (n = readlinkat(dirfd, name, l->target, sizeof(l->target) - 1)) < 0)
		return -1;
	l->target[n] = '\0';
	l->running = server_runs(l->srvpid);
	return 0;
}

/* By server, then session: a stable order for people and scripts. */
static int
by_server(const void *a, const void *b)
{
	const struct tmux_link *x = a, *y = b;

	if (x->srvpid != y->srvpid)
		return x->srvpid < y->srvpid ? -1 : 1;
	return x->sid < y->sid ? -1 : x->sid > y->sid;
}

size_t
cmd_tmux_links(const struct cmd *c, int dirfd, struct tmux_link *out,
	       size_t max)
{
	const char *slash = strrchr(c->ctx.link, '/');
	char dir[AL_SUN_PATH_MAX];
	struct dirent *de;
	size_t n = 0, seen = 0;
	DIR *d;
	int fd;

	/* c->ctx.link is absolute (checked when it was expanded). */
	if (slash == NULL)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - c->ctx.link), c->ctx.link);
	if ((fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	while (n < max && seen++ < AL_SCAN_ENTRIES_MAX && (de = readdir(d)) != NULL)
		if (link_entry(c, dirfd, dir[0] ? dir : "/", slash + 1, de->d_name,
			       &out[n]) == 0)
			n++;
	closedir(d);
	qsort(out, n, sizeof(*out), by_server);
	return n;
}
