/*
 * tmuxlinks.c - what close_session does for the tmux session links that
 * "agentlink tmux" keeps next to the link (<link>.tmux-<pid>-<id>).
 *
 * A session link points at the socket of its client's connection itself.
 * When that connection ends, tmux's client-detached hook normally moves
 * it; when no sync runs then (the hooks missing, agentlink not in tmux's
 * PATH), the link would keep a path in a per-connection directory sshd
 * has removed, which another user could make again in /tmp.  Close puts
 * a session link that points at no socket of the user's back on the link
 * itself, which works as before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "linkops.h"
#include "log.h"
#include "rule.h"
#include "scan.h"
#include "sunpath.h"
#include "tmuxlinks.h"
#include "tmuxparse.h"

/* Session links are looked for only where agentlink tmux has run: it
 * leaves its lock file (".<link's name>.tmux-lock") next to them.  For
 * everybody else this costs close one fstatat(). */
static int
tmux_ran_here(int dirfd, const char *base)
{
	char name[AL_SUN_PATH_MAX + 16];
	struct stat st;

	snprintf(name, sizeof(name), ".%s.tmux-lock", base);
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Is target a socket of the user's, found as a scan finds one?  Gone,
 * or made again by someone else (a /tmp/ssh-* directory re-created
 * after sshd removed it), it is not. */
static int
users_socket(const struct al_ctx *ctx, const char *target)
{
	struct al_cands c = { 0 };
	int found = al_scan_target(ctx, target, &c) == 0 && c.n == 1;

	al_cands_free(&c);
	return found;
}

/* Puts the session link name (in dirfd) back on the link, if it is a
 * symbolic link of the user's that points neither there nor at a socket
 * of the user's; 1 when it did. */
static int
release_one(const struct al_ctx *ctx, int dirfd, const char *name)
{
	char target[AL_SUN_PATH_MAX * 2], esc[AL_SUN_PATH_MAX * 8];
	enum al_link_kind kind;
	struct al_ctx x;
	const char *slash = strrchr(ctx->link, '/');
	struct stat st;

	/* ctx->link is absolute (the home's, checked at its expansion). */
	if (slash == NULL ||
	    fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISLNK(st.st_mode) || st.st_uid != ctx->uid ||
	    al_link_read(dirfd, name, &kind, target, sizeof(target)) != 0 ||
	    kind != AL_LINK_SYMLINK || strcmp(target, ctx->link) == 0 ||
	    users_socket(ctx, target))
		return 0;
	x = *ctx;
	if (snprintf(x.link, sizeof(x.link), "%.*s/%s",
		     (int)(slash - ctx->link), ctx->link, name) >=
	    (int)sizeof(x.link) ||
	    al_link_replace(&x, dirfd, name, ctx->link) != 0)
		return 0;
	al_debug(ctx->log, "close: tmux session link %s pointed at %s, not a "
		 "socket of %s's (any more)", x.link,
		 al_esc(target, esc, sizeof(esc)), ctx->user);
	return 1;
}

void
al_tmux_links_release(const struct al_ctx *ctx, int dirfd, const char *base)
{
	struct dirent *de;
	size_t seen = 0, links = 0, moved = 0;
	long pid, sid;
	DIR *d;
	int fd;

	if (!tmux_ran_here(dirfd, base) ||
	    (fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	/* agentlink tmux keeps no more than TM_LINKS_MAX of them. */
	while (links < TM_LINKS_MAX && seen++ < AL_SCAN_ENTRIES_MAX &&
	       (de = readdir(d)) != NULL)
		if (tm_link_name_parse(de->d_name, base, &pid, &sid) == 0) {
			links++;
			moved += (size_t)release_one(ctx, dirfd, de->d_name);
		}
	closedir(d);
	if (moved > 0)
		al_log(ctx->log, LOG_INFO, "close: %zu tmux session link%s of %s "
		       "pointed at no socket of %s's any more: back on %s", moved,
		       moved == 1 ? "" : "s", ctx->link, ctx->user, ctx->link);
}
