/*
 * selinux.c - give what the module creates the label the policy wants.
 *
 * Files created by a process get the label of the directory they are in,
 * unless the process asks for another one (setfscreatecon).  The policy
 * names labels by path (~/.ssh is ssh_home_t, not user_home_t), so before
 * each mkdirat/symlinkat the label for the final path is looked up and
 * set, and reset right after.  Without SELinux, or when it is disabled,
 * nothing happens.  Failures are logged and the file is created anyway:
 * it then gets the label it would have had without this code.
 */
#include <errno.h>

#include "ctx.h"
#include "log.h"
#include "selinux.h"

#ifdef HAVE_SELINUX
#include <selinux/label.h>
#include <selinux/selinux.h>

int
al_label_begin(const struct al_ctx *ctx, const char *path, mode_t mode)
{
	struct selabel_handle *h;
	char *con = NULL;
	int set = 0, saved = errno;

	if (is_selinux_enabled() <= 0)
		return 0;
	if ((h = selabel_open(SELABEL_CTX_FILE, NULL, 0)) == NULL) {
		al_log(ctx->log, LOG_NOTICE, "selinux: cannot open the file "
		       "context database: %m; %s gets its default label", path);
		errno = saved;
		return 0;
	}
	if (selabel_lookup(h, &con, path, mode) != 0) {
		if (errno != ENOENT)
			al_log(ctx->log, LOG_NOTICE, "selinux: no label for %s: %m",
			       path);
	} else if (setfscreatecon(con) != 0) {
		al_log(ctx->log, LOG_NOTICE, "selinux: cannot ask for label %s "
		       "for %s: %m", con, path);
	} else {
		set = 1;
	}
	freecon(con);
	selabel_close(h);
	errno = saved;
	return set;
}

void
al_label_end(const struct al_ctx *ctx, int set)
{
	int saved = errno;

	if (set && setfscreatecon(NULL) != 0)
		al_log(ctx->log, LOG_ERR, "selinux: cannot reset the file "
		       "creation label: %m");
	errno = saved;
}

#else /* !HAVE_SELINUX */

int
al_label_begin(const struct al_ctx *ctx, const char *path, mode_t mode)
{
	(void)ctx;
	(void)path;
	(void)mode;
	return 0;
}

void
al_label_end(const struct al_ctx *ctx, int set)
{
	(void)ctx;
	(void)set;
}

#endif
