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

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <security/pam_modules.h>

#include "apply.h"
#include "spawn.h"
#include "login.h"

#define SESSION_DATA "pam_agentlink_session"

/* What open_session leaves for close_session: the login it prepared, so
 * that close acts for the same user with the same options without reading
 * them again, and the watch it started. */
struct session_data {
	struct login l;
	struct al_watch_proc watch;
};

static void
free_session_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
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
	if ((r = al_login_prepare(pamh, argc, argv, l)) != PAM_SUCCESS ||
	    (st = al_login_apply(l, "open", 0, &out)) != AL_OK) {
		if (sd != &local)
			free(sd);
		return r != PAM_SUCCESS ? r : al_login_pam_status(st);
	}
	al_login_publish(pamh, l);
	if (sd == &local)
		return PAM_SUCCESS;

	if (!out.link_alive)
		al_login_check_sshd(l);
	/* With policy=keep a link whose agent answered stays as it is,
	 * whatever appears.  One that did not answer within open's few
	 * milliseconds is asked again by the watch, with time to answer.
	 * Under the other policies this connection's socket may take the
	 * link (interactive: once its title shows a terminal). */
	if (l->cfg.wait > 0 &&
	    (l->cfg.policy != AL_POLICY_KEEP || !out.link_alive ||
	     (l->cfg.probe_ms > 0 && !out.link_answers)))
		al_login_start_watch(pamh, l, &sd->watch, &since);
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
		return al_login_pam_status(al_login_apply(&sd->l, "close", AL_CLOSING,
		    &out));
	}
	if ((r = al_login_prepare(pamh, argc, argv, &fresh)) != PAM_SUCCESS)
		return r;
	return al_login_pam_status(al_login_apply(&fresh, "close", AL_CLOSING, &out));
}
