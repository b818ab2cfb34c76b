/*
 * linkops.c - read, replace and remove the link, safely, in a directory
 * the user controls.  Callers run with the user's filesystem credentials;
 * on top of that every step works on directory descriptors, refuses to
 * follow symbolic links below the anchor, and the link is replaced by
 * renaming a fresh temporary symlink over it, so a reader sees the old
 * target or the new one and never a missing link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "layout.h"
#include "linkops.h"
#include "log.h"
#include "rule.h"
#include "safedir.h"
#include "selinux.h"
#include "sunpath.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

/* Opens (creating with mode 0700) one component below dirfd. */
static int
open_component(const struct al_ctx *ctx, int dirfd, const char *name,
	       const char *path)
{
	int fd = openat(dirfd, name, DIR_FLAGS);

	if (fd < 0 && errno == ENOENT) {
		int lbl = al_label_begin(ctx, path, S_IFDIR), r;

		r = mkdirat(dirfd, name, 0700);
		al_label_end(ctx, lbl);
		if (r == 0)
			al_log(ctx->log, LOG_INFO, "created directory %s", path);
		else if (errno != EEXIST) {
			al_log(ctx->log, LOG_ERR, "cannot create directory %s: %m",
			       path);
			return -1;
		}
		fd = openat(dirfd, name, DIR_FLAGS);
	}
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			al_log(ctx->log, LOG_ERR, "%s is a symbolic link or not a "
			       "directory; not touching the link", path);
		else
			al_log(ctx->log, LOG_ERR, "cannot open directory %s: %m", path);
	}
	return fd;
}

/*
 * The anchor is the home directory when the link lives below it (the
 * path up to it is the administrator's); else the link directory's
 * parent, walked down from "/" as OpenSSH's safe_path() trusts a path:
 * no symbolic link, every directory owned by root or the user and not
 * writable by others unless sticky.  The components after the anchor are
 * the user's, opened (or made) one by one without following links.
 */
int
al_linkdir_open(const struct al_ctx *ctx, const char **base)
{
	char dir[AL_SUN_PATH_MAX], sofar[AL_SUN_PATH_MAX];
	size_t hl, dl;
	const char *lslash;
	char *slash, *comp, *next;
	struct stat st;
	int fd, nfd, in_home, held = -1;

	/* C23's strrchr() keeps the const of its argument. */
	lslash = strrchr(ctx->link, '/');
	*base = lslash + 1;
	dl = (size_t)(lslash - ctx->link);
	if (dl == 0) {
		al_log(ctx->log, LOG_ERR, "link %s is directly under /; not "
		       "touching it", ctx->link);
		return -1;
	}
	memcpy(dir, ctx->link, dl);
	dir[dl] = '\0';

	hl = al_home_prefix(ctx->home, dir, dl);
	in_home = hl > 0;
	if (in_home) {
		memcpy(sofar, dir, hl);
		sofar[hl] = '\0';
		comp = dir + hl;
	} else {
		slash = strrchr(dir, '/');
		if (slash == dir)
			strcpy(sofar, "/");
		else {
			memcpy(sofar, dir, (size_t)(slash - dir));
			sofar[slash - dir] = '\0';
		}
		comp = slash;
	}
	/* The pass opened the home as this would (al_apply()); it is its
	 * own, and what this returns must be the caller's. */
	if (in_home && ctx->pass != NULL)
		held = ctx->pass->homefd;
	if (held >= 0 && comp[strspn(comp, "/")] == '\0')
		held = -1;
	/* Said by a flag: outside the home, comp can equal dir + hl too. */
	if (held >= 0)
		fd = held;
	else if (in_home)
		fd = open(sofar, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	else
		fd = al_dir_open(ctx, sofar, 0, NULL);
	if (fd < 0 && (errno == EPERM || errno == ELOOP || errno == ENOTDIR)) {
		/* Another user would choose where we work. */
		al_log(ctx->log, LOG_ERR, "directory %s: it or a directory above "
		       "it is a symbolic link, or owned by another user than root "
		       "or %s, or writable by others and not sticky; not touching "
		       "the link", sofar, ctx->user);
		return -1;
	}
	if (fd < 0) {
		al_log(ctx->log, LOG_ERR, "cannot open directory %s: %m", sofar);
		return -1;
	}
	for (; *comp == '/'; comp = next) {
		comp++;
		next = strchr(comp, '/');
		if (next == NULL)
			next = comp + strlen(comp);
		if (next == comp)
			break;
		snprintf(sofar, sizeof(sofar), "%.*s", (int)(next - dir), dir);
		{
			char name[AL_SUN_PATH_MAX];

			snprintf(name, sizeof(name), "%.*s", (int)(next - comp), comp);
			nfd = open_component(ctx, fd, name, sofar);
		}
		if (fd != held)
			close(fd);
		if (nfd < 0)
			return -1;
		fd = nfd;
	}
	/* Never hand out the pass's own (no step was taken below it). */
	if (fd == held &&
	    (fd = openat(held, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		al_log(ctx->log, LOG_ERR, "cannot open directory %s: %m", dir);
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		al_log(ctx->log, LOG_ERR, "cannot stat directory %s: %m", dir);
	} else if (st.st_uid != ctx->uid) {
		al_log(ctx->log, LOG_ERR, "link directory %s is owned by uid %u, "
		       "not by %s; not touching the link", dir,
		       (unsigned)st.st_uid, ctx->user);
	} else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		al_log(ctx->log, LOG_ERR, "link directory %s is writable by group "
		       "or others; not touching the link", dir);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

int
al_link_read(int dirfd, const char *base, enum al_link_kind *kind,
	     char *buf, size_t bufsz)
{
	ssize_t n;

	/* One call answers both what it is and where it points. */
	buf[0] = '\0';
	n = readlinkat(dirfd, base, buf, bufsz - 1);
	if (n >= 0) {
		*kind = AL_LINK_SYMLINK;
		buf[n] = '\0';
		return 0;
	}
	if (errno == ENOENT) {
		*kind = AL_LINK_MISSING;
		return 0;
	}
	if (errno == EINVAL) {
		*kind = AL_LINK_OTHER;	/* exists, not a symbolic link */
		return 0;
	}
	*kind = AL_LINK_MISSING;
	return -1;
}

int
al_link_replace(const struct al_ctx *ctx, int dirfd, const char *base,
		const char *target)
{
	char tmp[300];
	unsigned int rnd;
	int tries, lbl, r;

	for (tries = 0; tries < 8; tries++) {
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (unsigned)getpid() * 2654435761u + (unsigned)tries;
		if (snprintf(tmp, sizeof(tmp), ".%s.%08x.tmp", base, rnd) >=
		    (int)sizeof(tmp)) {
			al_log(ctx->log, LOG_ERR, "link name %s is too long", base);
			return -1;
		}
		/* The final path's label: rename keeps it. */
		lbl = al_label_begin(ctx, ctx->link, S_IFLNK);
		r = symlinkat(target, dirfd, tmp);
		al_label_end(ctx, lbl);
		if (r == 0)
			break;
		if (errno != EEXIST) {
			al_log(ctx->log, LOG_ERR, "cannot create a symbolic link "
			       "next to %s: %m", ctx->link);
			return -1;
		}
	}
	if (tries == 8) {
		al_log(ctx->log, LOG_ERR, "cannot find a free temporary name "
		       "next to %s", ctx->link);
		return -1;
	}
	if (renameat(dirfd, tmp, dirfd, base) != 0) {
		al_log(ctx->log, LOG_ERR, "cannot rename a new link onto %s: %m",
		       ctx->link);
		(void)unlinkat(dirfd, tmp, 0);
		return -1;
	}
	return 0;
}

int
al_link_remove(const struct al_ctx *ctx, int dirfd, const char *base)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISLNK(st.st_mode))
		return -1;
	if (unlinkat(dirfd, base, 0) != 0 && errno != ENOENT) {
		al_log(ctx->log, LOG_ERR, "cannot remove %s: %m", ctx->link);
		return -1;
	}
	return 0;
}
