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
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#ifdef SYS_openat2
#include <linux/openat2.h>
#endif

#include "ctx.h"
#include "layout.h"
#include "safedir.h"
#include "sunpath.h"

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

/* Not a descriptor: the walk starts at "/", not opened yet. */
#define AT_ROOT (-100 - 1)

/* The anchor's descriptor and the rest of path below it; AT_ROOT for
 * "/", which the first step needs no descriptor of (step_open()); held
 * (if not negative) for the home. */
static int
open_anchor(const struct al_ctx *ctx, const char *path, const char **rest,
	    int held)
{
	size_t hl = al_home_prefix(ctx->home, path, strlen(path));

	if (hl > 0) {
		*rest = path + hl;
		/* The pass's own (held), when a step below it follows: only
		 * then is it not what the walk returns. */
		if (held >= 0 && (*rest)[strspn(*rest, "/")] != '\0')
			return held;
		return open(ctx->home, STEP_FLAGS & ~O_NOFOLLOW);
	}
	*rest = path;
	return AT_ROOT;
}

/*
 * One step of the walk: name (one component) below fd.  Below AT_ROOT it
 * is opened by its absolute name "/name", which the kernel resolves
 * exactly as openat() of name in an open "/" (the process's root, no
 * symbolic link followed at name): the same file, one open() and one
 * close() of "/" fewer.
 */
static int
step_open(int fd, const char *name)
{
	char abs[AL_SUN_PATH_MAX + 1];

	if (fd != AT_ROOT)
		return openat(fd, name, STEP_FLAGS);
	abs[0] = '/';
	strcpy(abs + 1, name);		/* name is shorter than AL_SUN_PATH_MAX */
	return open(abs, STEP_FLAGS);
}

/* "/" itself, where a descriptor of it is wanted after all. */
static int
root_fd(int fd)
{
	return fd == AT_ROOT ? open("/", STEP_FLAGS) : fd;
}

int
al_dir_open(const struct al_ctx *ctx, const char *path, int flags,
	    int *deepest)
{
	char name[AL_SUN_PATH_MAX];
	const char *rest, *next;
	struct stat st;
	int fd, nfd, saved, held, have_st = 0;
	size_t n;

	if (ctx->pass != NULL)
		ctx->pass->lastdev_ok = 0;
	if (deepest != NULL)
		*deepest = -1;
	/* held: the pass's descriptor of the home, never closed here (nor
	 * handed out as *deepest, which the caller closes). */
	held = ctx->pass != NULL && deepest == NULL ? ctx->pass->homefd : -1;
	if (held < 0)
		held = AT_ROOT;		/* matches no descriptor */
	if ((fd = open_anchor(ctx, path, &rest, held)) < 0 && fd != AT_ROOT)
		return -1;
	for (;;) {
		rest += strspn(rest, "/");
		if (*rest == '\0')
			break;
		next = rest + strcspn(rest, "/");
		n = (size_t)(next - rest);
		if (n >= sizeof(name)) {
			if (fd >= 0 && fd != held)
				close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(name, rest, n);
		name[n] = '\0';
		nfd = step_open(fd, name);
		if (nfd < 0) {
			saved = errno;
			if (saved == ENOENT && deepest != NULL)
				*deepest = root_fd(fd);
			else if (fd >= 0 && fd != held)
				close(fd);
			errno = saved;
			return -1;
		}
		if (fd >= 0 && fd != held)
			close(fd);
		fd = nfd;
		if (fstat(fd, &st) != 0 || !component_ok(&st, ctx->uid)) {
			close(fd);
			errno = EPERM;
			return -1;
		}
		have_st = 1;
		rest = next;
	}
	if ((fd = root_fd(fd)) < 0)
		return -1;
	/* The last step's fstat() was of this very descriptor. */
	if ((flags & AL_DIR_USERS) &&
	    ((!have_st && fstat(fd, &st) != 0) ||
	     !al_user_dir_ok(&st, ctx->uid))) {
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
	if (fd >= 0 && have_st && ctx->pass != NULL) {
		ctx->pass->lastdev = st.st_dev;
		ctx->pass->lastdev_ok = 1;
	}
	return fd;
}

/*
 * Looks at name below dirfd without following it and without waiting on
 * its file system: AT_STATX_DONT_SYNC answers from what the kernel has,
 * so another user's FUSE mount that never answers cannot hold a login.
 */
static int
peek(int dirfd, const char *name, struct stat *st)
{
	struct statx sx;

	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC |
		  AT_NO_AUTOMOUNT, STATX_TYPE | STATX_MODE | STATX_UID | STATX_INO,
		  &sx) != 0)
		return -1;
	/* A mount point is nobody's per-connection directory. */
	if ((sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	    (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT)) {
		errno = EXDEV;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_mode = sx.stx_mode;
	st->st_uid = sx.stx_uid;
	st->st_ino = sx.stx_ino;
	st->st_dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	return 0;
}

/* openat() that crosses no mount and follows no link, where the kernel
 * can say so (openat2, Linux 5.6); else O_NOFOLLOW alone. */
static int
open_beneath(int dirfd, const char *name, int flags)
{
#ifdef SYS_openat2
	struct open_how how;
	int fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS | RESOLVE_BENEATH;
	fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd;
#endif
	return openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC);
}

int
al_pass_place(const struct al_ctx *ctx, int fd)
{
	int i;

	for (i = 0; fd >= 0 && ctx->pass != NULL && i < AL_PLACES_MAX; i++)
		if (ctx->pass->placefd[i] == fd)
			return i;
	return -1;
}

int
al_user_subdir_open(const struct al_ctx *ctx, int dirfd, const char *name,
		    int flags)
{
	struct stat dst, st, fst;
	int fd, i;

	/* Only on the directory's own device: a mount point is nobody's
	 * per-connection directory.  A place the pass holds was stat()ed
	 * when it was vouched for. */
	if ((i = al_pass_place(ctx, dirfd)) >= 0)
		dst.st_dev = ctx->pass->placedev[i];
	else if (fstat(dirfd, &dst) != 0)
		return -1;
	if (peek(dirfd, name, &st) != 0 ||
	    st.st_dev != dst.st_dev || !al_user_dir_ok(&st, ctx->uid))
		return -1;
	if ((fd = open_beneath(dirfd, name, flags | O_DIRECTORY)) < 0)
		return -1;
	if (fstat(fd, &fst) != 0 || fst.st_dev != st.st_dev ||
	    fst.st_ino != st.st_ino || !al_user_dir_ok(&fst, ctx->uid)) {
		close(fd);
		return -1;
	}
	return fd;
}
