/*
 * safedir.h - trusted directories (safedir.c).
 */
#ifndef AGENTLINK_SAFEDIR_H
#define AGENTLINK_SAFEDIR_H

#include <sys/types.h>

#include "ctx.h"

#define AL_DIR_USERS 1			/* the last one must be the user's */
#define AL_DIR_READ 2			/* return a readable descriptor */

/*
 * Opens path walking down from the home directory (if below it) or "/",
 * refusing symbolic links and components not owned by root or the user
 * or writable by others and not sticky (errno EPERM).  Without
 * AL_DIR_READ, returns an O_PATH descriptor.  When a component is missing
 * (ENOENT) and deepest is given, *deepest gets the last one that exists.
 */
int al_dir_open(const struct al_ctx *ctx, const char *path, int flags,
		int *deepest);
/*
 * Opens the entry name of dirfd, with flags (O_RDONLY or O_PATH), only
 * if it is a directory of the user's on dirfd's own device, writable by
 * nobody else: looked at first without following it or waiting on its
 * file system, never opened if another user's, and opened without
 * crossing a mount or following a link.  -1 otherwise.
 */
int al_user_subdir_open(const struct al_ctx *ctx, int dirfd, const char *name,
			int flags);
/* Which of the pass's held places (ctx->pass) fd is: its index, or -1
 * (outside a pass, or not one of them). */
int al_pass_place(const struct al_ctx *ctx, int fd);
/* A directory of uid's that nobody else may write to. */
struct stat;
int al_user_dir_ok(const struct stat *st, uid_t uid);

#endif /* AGENTLINK_SAFEDIR_H */
