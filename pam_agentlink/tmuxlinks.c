/*
 * tmuxlinks.c - what close_session does for the tmux session links that
 * "agentlink tmux" keeps next to the link (<link>.tmux-<pid>-<id>).
 *
 * A session link points at the socket of its client's connection itself.
 * When that connection ends, tmux's client-detached hook normally moves
 * it; when no sync runs then (the hooks missing, agentlink not in tmux's
 * PATH), the link would keep a path in a per-connection directory sshd
 * has removed, which another user could make again in /tmp.  Close puts
 * such a link back on the link itself, which works as before.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentlink.h"
#include "cmd_tmux.h"

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

/* Puts the session link name (in dirfd) back on the link, if it is a
 * symbolic link of the user's whose target is gone. */
static void
release_one(const struct al_ctx *ctx, int dirfd, const char *name)
{
	char target[AL_SUN_PATH_MAX * 2], esc[AL_SUN_PATH_MAX * 8];
	enum al_link_kind kind;
	struct al_ctx x;
	const char *slash = strrchr(ctx->link, '/');
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISLNK(st.st_mode) || st.st_uid != ctx->uid ||
	    al_link_read(dirfd, name, &kind, target, sizeof(target)) != 0 ||
	    kind != AL_LINK_SYMLINK || strcmp(target, ctx->link) == 0 ||
	    !al_target_gone(ctx, target))
		return;
	x = *ctx;
	if (snprintf(x.link, sizeof(x.link), "%.*s/%s",
		     (int)(slash - ctx->link), ctx->link, name) >=
	    (int)sizeof(x.link))
		return;
	if (al_link_replace(&x, dirfd, name, ctx->link) == 0)
		al_log(ctx->log, LOG_INFO, "close: tmux session link %s pointed "
		       "at %s, which is gone; it points at %s again", x.link,
		       al_esc(target, esc, sizeof(esc)), ctx->link);
}

void
al_tmux_links_release(const struct al_ctx *ctx, int dirfd, const char *base)
{
	struct dirent *de;
	size_t seen = 0;
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
	while (seen++ < AL_SCAN_ENTRIES_MAX && (de = readdir(d)) != NULL)
		if (tm_link_name_parse(de->d_name, base, &pid, &sid) == 0)
			release_one(ctx, dirfd, de->d_name);
	closedir(d);
}
