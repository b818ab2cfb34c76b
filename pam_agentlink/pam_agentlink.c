/*
 * pam_agentlink.c - the PAM session entry points.
 *
 * sshd opens the session as root in its privileged monitor, before the
 * forwarded agent socket exists, and closes it after the connection is
 * gone.  open_session settles the link at once, publishes its path, and
 * when the link is not alive starts a detached watch that settles it
 * again when this connection's socket appears.  close_session stops the
 * watch and settles the link once more, for the login open prepared.
 *
 * All file system work runs with the user's file system credentials
 * (al_creds_drop); the watch is a helper exec'd as the user (spawn.c).
 */
#define PAM_SM_SESSION

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

#include "agentlink.h"

#define SESSION_DATA "pam_agentlink_session"

struct login {
	struct al_cfg cfg;
	struct al_log lg;
	struct al_ctx ctx;
	const struct passwd *pw;	/* libpam's, kept until pam_end() */
	char host[256], shorthost[256];
};

/* What open_session leaves for close_session: the login it prepared, so
 * that close acts for the same user with the same options without reading
 * them again, and the watch it started. */
struct session_data {
	struct login l;
	struct al_watch_proc watch;
};

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
static int
prepare(pam_handle_t *pamh, int argc, const char **argv, struct login *l)
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
		al_log(&l->lg, LOG_NOTICE, "user %s unknown", user);
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
	al_hosthash(l->host, l->ctx.hosthash);
	return PAM_SUCCESS;
}

/* Runs al_apply() with the user's file system credentials. */
static enum al_status
apply_as_user(const struct login *l, const char *when, struct al_outcome *out)
{
	struct al_creds saved;
	enum al_status st;

	if (geteuid() != 0) {
		/* Not root: only our own files are reachable, and only ours
		 * may be touched. */
		if (geteuid() != l->pw->pw_uid) {
			al_log(&l->lg, LOG_ERR, "running as uid %u, cannot act "
			       "for %s", (unsigned)geteuid(), l->pw->pw_name);
			return AL_ERR;
		}
		return al_apply(&l->ctx, when, out);
	}
	if (al_creds_drop(&saved, l->pw->pw_uid, l->pw->pw_gid) != 0) {
		al_log(&l->lg, LOG_ERR, "cannot switch to the credentials of %s: "
		       "%m; not touching anything", l->pw->pw_name);
		return AL_ERR;
	}
	st = al_apply(&l->ctx, when, out);
	if (al_creds_restore(&saved) != 0)
		al_log(&l->lg, LOG_CRIT, "cannot regain privileges after acting "
		       "for %s", l->pw->pw_name);
	return st;
}

static int
status_to_pam(enum al_status st)
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

static void
free_session_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

/* Starts the watch: agentlink-watch, detached, as the user (spawn.c). */
static void
start_watch(pam_handle_t *pamh, const struct login *l, struct al_watch_proc *w,
	    const struct timespec *since)
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

static void
publish(pam_handle_t *pamh, struct login *l)
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
static void
sshd_config_check(const struct login *l)
{
	struct al_user au = { l->pw->pw_name, l->pw->pw_uid, l->pw->pw_gid,
			      l->pw->pw_dir };

	(void)al_sshd_config_check(&l->ctx, &au, AL_SSHD_CONFIG);
}

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct session_data *sd, local;
	struct al_outcome out;
	struct timespec since;
	enum al_status st;
	struct login *l;
	int r;

	(void)flags;
	/* Sockets stamped from now on may be this connection's. */
	clock_gettime(CLOCK_REALTIME_COARSE, &since);
	/* Without memory for close's copy the link is still settled now. */
	if ((sd = calloc(1, sizeof(*sd))) == NULL)
		sd = memset(&local, 0, sizeof(local));
	l = &sd->l;
	if ((r = prepare(pamh, argc, argv, l)) != PAM_SUCCESS ||
	    (st = apply_as_user(l, "open", &out)) != AL_OK) {
		if (sd != &local)
			free(sd);
		return r != PAM_SUCCESS ? r : status_to_pam(st);
	}
	publish(pamh, l);
	if (sd == &local)
		return PAM_SUCCESS;

	if (!out.link_alive)
		sshd_config_check(l);
	/* With policy=keep a link whose agent answered stays as it is,
	 * whatever appears.  One that did not answer within open's few
	 * milliseconds is asked again by the watch, with time to answer. */
	if (l->cfg.wait > 0 &&
	    (l->cfg.policy == AL_POLICY_NEWEST || !out.link_alive ||
	     (l->cfg.probe_ms > 0 && !out.link_answers)))
		start_watch(pamh, l, &sd->watch, &since);
	if (pam_set_data(pamh, SESSION_DATA, sd, free_session_data) != PAM_SUCCESS)
		free(sd);
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
		     const char **argv)
{
	const struct session_data *sd;
	const void *data = NULL;
	struct al_outcome out;
	struct login fresh;
	int r;

	(void)flags;
	/* What open prepared, if it ran: sshd may have changed PAM_TTY to
	 * the pty since, so scope is not asked again. */
	if (pam_get_data(pamh, SESSION_DATA, &data) == PAM_SUCCESS &&
	    data != NULL) {
		sd = data;
		al_watch_stop_proc(&sd->l.ctx, &sd->watch);
		return status_to_pam(apply_as_user(&sd->l, "close", &out));
	}
	if ((r = prepare(pamh, argc, argv, &fresh)) != PAM_SUCCESS)
		return r;
	return status_to_pam(apply_as_user(&fresh, "close", &out));
}
