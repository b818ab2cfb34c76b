/*
 * login.h - the PAM side of a login (login.c), for the entry points in
 * pam_agentlink.c.  Only these two files see a PAM handle.
 */
#ifndef AGENTLINK_LOGIN_H
#define AGENTLINK_LOGIN_H

#include <pwd.h>
#include <time.h>

#include <security/pam_modules.h>

#include "apply.h"
#include "cfg.h"
#include "ctx.h"
#include "log.h"
#include "spawn.h"

struct login {
	struct al_cfg cfg;
	struct al_log lg;
	struct al_ctx ctx;
	const struct passwd *pw;	/* libpam's, kept until pam_end() */
	char host[256], shorthost[256];
};

/* Reads options and the user; PAM_SUCCESS when there is work to do. */
int al_login_prepare(pam_handle_t *pamh, int argc, const char **argv,
		     struct login *l);
/* Runs al_apply() with the user's file system credentials; flags as
 * al_apply()'s. */
enum al_status al_login_apply(const struct login *l, const char *when,
			      int flags, struct al_outcome *out);
int al_login_pam_status(enum al_status st);
/* The link's path into the session environment (env=). */
void al_login_publish(pam_handle_t *pamh, struct login *l);
/* Nothing is linked: is sshd putting sockets where we do not look? */
void al_login_check_sshd(const struct login *l);
/* Starts agentlink-watch for this connection (spawn.c). */
void al_login_start_watch(pam_handle_t *pamh, const struct login *l,
			  struct al_watch_proc *w, const struct timespec *since);

#endif /* AGENTLINK_LOGIN_H */
