/*
 * safedir.c - open a directory the way OpenSSH's safe_path() trusts one.
 *
 * From an anchor down, every component is opened relative to the one
 * before, never following a symbolic link, and must be owned by root or
 * the user and not writable by group or others unless sticky.  The
 * anchor is the user's home directory when the path is below it (the
 * path up to the home is the administrator's), else "/".
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentlink.h"

#define STEP_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

static int
component_ok(const struct stat *st, uid_t uid)
{
	return S_ISDIR(st->st_mode) && (st->st_uid == 0 || st->st_uid == uid) &&
	    ((st->st_mode & (S_IWGRP | S_IWOTH)) == 0 ||
	     (st->st_mode & S_ISVTX) != 0);
}

int
al_user_dir_ok(const struct stat *st, uid_t uid)
{
	return S_ISDIR(st->st_mode) && st->st_uid == uid &&
	    (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* The anchor's descriptor and the rest of path below it. */
static int
open_anchor(const struct al_ctx *ctx, const char *path, const char **rest)
{
	size_t hl = strlen(ctx->home);

	while (hl > 1 && ctx->home[hl - 1] == '/')
		hl--;
	if (hl > 1 && strncmp(path, ctx->home, hl) == 0 &&
	    (path[hl] == '/' || path[hl] == '\0')) {
		*rest = path + hl;
		return open(ctx->home, STEP_FLAGS & ~O_NOFOLLOW);
	}
	*rest = path;
	return open("/", STEP_FLAGS);
}

int
al_dir_open(const struct al_ctx *ctx, const char *path, int flags,
	    int *deepest)
{
	char name[AL_SUN_PATH_MAX];
	const char *rest, *next;
	struct stat st;
	int fd, nfd, saved;
	size_t n;

	if (deepest != NULL)
		*deepest = -1;
	if ((fd = open_anchor(ctx, path, &rest)) < 0)
		return -1;
	for (;;) {
		rest += strspn(rest, "/");
		if (*rest == '\0')
			break;
		next = rest + strcspn(rest, "/");
		n = (size_t)(next - rest);
		if (n >= sizeof(name)) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, rest, n);
		name[n] = '\0';
		nfd = openat(fd, name, STEP_FLAGS);
		if (nfd < 0) {
			saved = errno;
			if (saved == ENOENT && deepest != NULL)
				*deepest = fd;
			else
				close(fd);
			errno = saved;
			return -1;
		}
		close(fd);
		fd = nfd;
		if (fstat(fd, &st) != 0 || !component_ok(&st, ctx->uid)) {
			close(fd);
			errno = EPERM;
			return -1;
		}
		rest = next;
	}
	if ((flags & AL_DIR_USERS) &&
	    (fstat(fd, &st) != 0 || !al_user_dir_ok(&st, ctx->uid))) {
		close(fd);
		errno = EPERM;
		return -1;
	}
	if (flags & AL_DIR_READ) {
		/* From O_PATH to a descriptor readdir() can use. */
		nfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		saved = errno;
		close(fd);
		errno = saved;
		fd = nfd;
	}
	return fd;
}
