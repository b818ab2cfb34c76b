/*
 * login.c - one login as PAM hands it to the module: the options, the
 * user and the context the library works in (al_login_prepare), the
 * library run with the user's file system credentials (al_login_apply),
 * the link's path in the session environment, and the watch's start.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "apply.h"
#include "cfg.h"
#include "creds.h"
#include "expand.h"
#include "hosthash.h"
#include "layout.h"
#include "log.h"
#include "proc.h"
#include "spawn.h"
#include "sshdconf.h"
#include "sunpath.h"
#include "login.h"

static void
pam_log_sink(void *arg, int prio, const char *fmt, va_list ap)
{
	pam_vsyslog((const pam_handle_t *)arg, prio, fmt, ap);
}

static const void *
get_item(pam_handle_t *pamh, int item)
{
	const void *v = NULL;

	if (pam_get_item(pamh, item, &v) != PAM_SUCCESS)
		return NULL;
	return v;
}

/* sshd sets PAM_TTY to "ssh" before it opens the session. */
static int
in_scope(pam_handle_t *pamh, const struct al_cfg *cfg)
{
	const char *tty = get_item(pamh, PAM_TTY);
	const char *service = get_item(pamh, PAM_SERVICE);

	return (tty != NULL && strcmp(tty, "ssh") == 0) ||
	    al_cfg_service_listed(cfg, service);
}

/* Reads options and the user; PAM_SUCCESS when there is work to do. */
int
al_login_prepare(pam_handle_t *pamh, int argc, const char **argv,
		 struct login *l)
{
	const char *user = NULL, *err;
	struct al_user au;

	memset(l, 0, sizeof(*l));
	l->lg.fn = pam_log_sink;
	l->lg.arg = pamh;
	al_cfg_load(&l->cfg, argc, argv, &l->lg);
	l->lg.debug = l->cfg.debug;
	if (!in_scope(pamh, &l->cfg))
		return PAM_IGNORE;

	if (pam_get_user(pamh, &user, NULL) != PAM_SUCCESS || user == NULL ||
	    *user == '\0') {
		al_log(&l->lg, LOG_NOTICE, "cannot determine the user name");
		return PAM_IGNORE;
	}
	if ((l->pw = pam_modutil_getpwnam(pamh, user)) == NULL) {
		char esc[256];

		/* PAM_USER is whatever the client typed. */
		al_log(&l->lg, LOG_NOTICE, "user %s unknown",
		       al_esc(user, esc, sizeof(esc)));
		return PAM_IGNORE;
	}
	if (l->pw->pw_dir == NULL || l->pw->pw_dir[0] != '/') {
		al_log(&l->lg, LOG_NOTICE, "user %s has no absolute home "
		       "directory; nothing to do", user);
		return PAM_IGNORE;
	}
	if (al_hostnames(l->host, sizeof(l->host), l->shorthost,
			 sizeof(l->shorthost)) != 0) {
		al_log(&l->lg, LOG_ERR, "gethostname: %m");
		return PAM_SESSION_ERR;
	}
	au.name = l->pw->pw_name;
	au.uid = l->pw->pw_uid;
	au.gid = l->pw->pw_gid;
	au.home = l->pw->pw_dir;
	if (al_expand(l->cfg.link, &au, l->shorthost, l->ctx.link,
		      sizeof(l->ctx.link), &err) != 0) {
		al_log(&l->lg, LOG_ERR, "option link: \"%s\" for user %s: %s",
		       l->cfg.link, user, err);
		return PAM_SESSION_ERR;
	}
	l->ctx.log = &l->lg;
	l->ctx.uid = l->pw->pw_uid;
	l->ctx.user = l->pw->pw_name;
	l->ctx.home = l->pw->pw_dir;
	l->ctx.nplaces = al_places_expand(l->cfg.sockpath, &au, l->ctx.places,
					  AL_PLACES_MAX, &l->lg);
	l->ctx.policy = l->cfg.policy;
	l->ctx.cleanup = l->cfg.cleanup;
	l->ctx.probe_ms = l->cfg.probe_ms;
	/* Other users' entries in /tmp must cost a login nothing: shared
	 * places are not listed here, and their dead sockets are left to
	 * the watch and the agentlink command. */
	l->ctx.shared_listeners_only = 1;
	al_hosthash(l->host, l->ctx.hosthash);
	return PAM_SUCCESS;
}

/* Runs al_apply() with the user's file system credentials. */
enum al_status
al_login_apply(const struct login *l, const char *when, int flags,
	       struct al_outcome *out)
{
	struct al_creds saved;
	enum al_status st;
	uid_t euid;

	/* al_creds_drop() asks geteuid() itself: a switch made means root
	 * acting for another user, and the question is not asked twice. */
	if (al_creds_drop(&saved, l->pw->pw_uid, l->pw->pw_gid) != 0) {
		al_log(&l->lg, LOG_ERR, "cannot switch to the credentials of %s: "
		       "%m; not touching anything", l->pw->pw_name);
		return AL_ERR;
	}
	if (!saved.dropped) {
		/* Not root: only our own files are reachable, and only ours
		 * may be touched.  (Root acting for root switches nothing.) */
		if ((euid = geteuid()) != 0 && euid != l->pw->pw_uid) {
			al_log(&l->lg, LOG_ERR, "running as uid %u, cannot act "
			       "for %s", (unsigned)euid, l->pw->pw_name);
			return AL_ERR;
		}
		return al_apply(&l->ctx, when, flags, out);
	}
	st = al_apply(&l->ctx, when, flags, out);
	if (al_creds_restore(&saved) != 0)
		al_log(&l->lg, LOG_CRIT, "cannot regain privileges after acting "
		       "for %s", l->pw->pw_name);
	return st;
}

int
al_login_pam_status(enum al_status st)
{
	switch (st) {
	case AL_OK:
		return PAM_SUCCESS;
	case AL_NOHOME:
		return PAM_IGNORE;
	case AL_ERR:
	case AL_AGAIN:
		break;
	}
	return PAM_SESSION_ERR;
}

/* Starts the watch: agentlink-watch, detached, as the user (spawn.c). */
void
al_login_start_watch(pam_handle_t *pamh, const struct login *l,
		     struct al_watch_proc *w, const struct timespec *since)
{
	struct al_watch_spec spec;
	const char *service = get_item(pamh, PAM_SERVICE);
	unsigned long long start = 0;

	memset(&spec, 0, sizeof(spec));
	spec.ctx = &l->ctx;
	spec.gid = l->pw->pw_gid;
	spec.wait_ms = l->cfg.wait * 1000U;
	spec.monitor = getpid();
	(void)al_proc_stat(spec.monitor, NULL, &start);
	spec.monitor_start = start;
	spec.since = *since;
	spec.ident = program_invocation_short_name;
	spec.service = service != NULL ? service : "";
	al_watch_start(&spec, w);
}

void
al_login_publish(pam_handle_t *pamh, struct login *l)
{
	char var[AL_ENV_MAX + AL_SUN_PATH_MAX + 2];

	if (l->cfg.env[0] == '\0')
		return;
	snprintf(var, sizeof(var), "%s=%s", l->cfg.env, l->ctx.link);
	if (pam_putenv(pamh, var) != PAM_SUCCESS)
		al_log(&l->lg, LOG_ERR, "cannot set %s in the session "
		       "environment", l->cfg.env);
}

/* Nothing is linked: is sshd putting sockets where we do not look? */
void
al_login_check_sshd(const struct login *l)
{
	struct al_user au = { l->pw->pw_name, l->pw->pw_uid, l->pw->pw_gid,
			      l->pw->pw_dir };

	(void)al_sshd_config_check(&l->ctx, &au, AL_SSHD_CONFIG);
}

