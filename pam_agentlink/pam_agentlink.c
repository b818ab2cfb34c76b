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
 * (al_creds_drop), the watch with the user's credentials only.
 */
#define PAM_SM_SESSION

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* The watch, as the middle process of the double fork reports it. */
struct watch_report {
	pid_t pid;
	unsigned long long start;	/* /proc starttime, against pid reuse */
};

/* What open_session leaves for close_session: the login it prepared, so
 * that close acts for the same user with the same options without reading
 * them again, and the watch it started. */
struct session_data {
	struct login l;
	struct watch_report watch;
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

static unsigned long long
proc_starttime(pid_t pid)
{
	unsigned long long start;

	return al_proc_stat(pid, NULL, &start) == 0 ? start : 0;
}

static int
pidfd_open_(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

static void
on_term(int sig)
{
	(void)sig;
	al_watch_stop = 1;
}

/*
 * The watch inherits sshd's signal handlers with the fork and runs with
 * every signal blocked (start_watch() forks with all of them blocked), so
 * none of those handlers can ever run in it; al_watch() lets SIGTERM alone
 * in while it waits, and this is its handler.
 */
static void
watch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigfillset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
}

/* Drops to the user for good; the process can never regain root. */
static int
become_user(const struct passwd *pw)
{
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 ||
	     setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
	     setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0))
		return -1;
	if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -1;
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid)
		return -1;
	/* It was forked from sshd's monitor: keep its memory out of reach of
	 * the user's debuggers and core files. */
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return 0;
}

static void __attribute__((noreturn))
run_watch(struct login *l, pid_t monitor, int pidfd,
	  const struct timespec *since)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct al_hung hung = { 0 };

	/* stdout was the pipe to the monitor. */
	if (fd >= 0) {
		(void)dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	watch_signals();
	if (become_user(l->pw) != 0) {
		al_log(&l->lg, LOG_ERR, "watch: cannot switch to user %s; "
		       "not watching", l->pw->pw_name);
		_exit(1);
	}
	/* Here, and only here, the time to wait for agents to answer. */
	l->ctx.probe_full = 1;
	l->ctx.hung = &hung;
	l->ctx.guard_pid = monitor;
	(void)al_watch(&l->ctx, monitor, pidfd, l->cfg.wait * 1000U, since);
	_exit(0);
}

/*
 * stdin and stderr to /dev/null, every descriptor above 2 closed, as
 * pam_modutil_sanitize_helper_fds() does.  That one closes descriptors one
 * by one up to RLIMIT_NOFILE (at most 65535: the figure under systemd),
 * tens of milliseconds of sshd's monitor waiting on every login that
 * starts a watch; close_range() does it in one call.  Falls back to
 * libpam's loop where close_range() is missing.
 */
static int
sanitize_fds(pam_handle_t *pamh)
{
	int fd;

	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	if ((fd != STDIN_FILENO && dup2(fd, STDIN_FILENO) < 0) ||
	    (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) < 0))
		return -1;
	if (fd > STDERR_FILENO)
		close(fd);
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return 0;
#endif
	return pam_modutil_sanitize_helper_fds(pamh, PAM_MODUTIL_NULL_FD,
					       PAM_MODUTIL_IGNORE_FD,
					       PAM_MODUTIL_NULL_FD);
}

/*
 * The middle process of the double fork: leaves sshd's descriptors and
 * session behind, starts the watch, reports its pid and exits, so that
 * sshd never sees or reaps the watch.
 */
static void __attribute__((noreturn))
spawn_watch(pam_handle_t *pamh, struct login *l, int report, pid_t monitor,
	    const struct timespec *since)
{
	struct watch_report sd;
	pid_t pid;
	int pidfd;

	/* Whole, padding included: all of it goes down the pipe. */
	memset(&sd, 0, sizeof(sd));
	if (report != STDOUT_FILENO && dup2(report, STDOUT_FILENO) < 0)
		_exit(1);
	/* syslog's socket is about to be closed under it. */
	closelog();
	if (sanitize_fds(pamh) != 0)
		_exit(1);
	/* The monitor waits for us, so this pid is still the monitor. */
	pidfd = pidfd_open_(monitor);
	(void)setsid();
	pid = fork();
	if (pid == 0)
		run_watch(l, monitor, pidfd, since);
	if (pid > 0) {
		sd.pid = pid;
		sd.start = proc_starttime(pid);
	}
	(void)!write(STDOUT_FILENO, &sd, sizeof(sd));
	_exit(0);
}

static void
free_session_data(pam_handle_t *pamh, void *data, int status)
{
	(void)pamh;
	(void)status;
	free(data);
}

static void
start_watch(pam_handle_t *pamh, struct login *l, struct watch_report *w,
	    const struct timespec *since)
{
	struct sigaction dfl, old;
	sigset_t all, oldmask;
	pid_t pid, monitor = getpid();
	int p[2], status;
	ssize_t n;

	memset(w, 0, sizeof(*w));
	if (pipe2(p, O_CLOEXEC) != 0) {
		al_log(&l->lg, LOG_ERR, "cannot start the watch: pipe: %m");
		return;
	}
	/* As pam_mkhomedir: reap our own child even if the host ignores
	 * SIGCHLD, and put its handler back afterwards. */
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old);
	/* The children start with every signal blocked: none of sshd's
	 * handlers runs in them.  The monitor's mask is back at once. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &oldmask);
	pid = fork();
	if (pid == 0)
		spawn_watch(pamh, l, p[1], monitor, since);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	close(p[1]);
	if (pid < 0) {
		al_log(&l->lg, LOG_ERR, "cannot start the watch: fork: %m");
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		do {
			n = read(p[0], w, sizeof(*w));
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(*w)) {
			memset(w, 0, sizeof(*w));
			al_log(&l->lg, LOG_ERR, "cannot start the watch");
		} else {
			al_debug(&l->lg, "open: watching for the agent socket of "
				 "this connection for %u s (pid %ld)", l->cfg.wait,
				 (long)w->pid);
		}
	}
	close(p[0]);
	sigaction(SIGCHLD, &old, NULL);
}

/* Ends this connection's watch, if it is still the process we started. */
static void
stop_watch(const struct login *l, const struct watch_report *w)
{
	struct pollfd pfd;
	int pidfd;

	if (w->pid <= 0)
		return;
	/* The pidfd pins the process; the start time proves it is ours. */
	if ((pidfd = pidfd_open_(w->pid)) < 0)
		return;
	if (w->start != 0 && proc_starttime(w->pid) == w->start &&
	    syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0) {
		/* It ends within microseconds; do not let close wait on it
		 * for long if the user has stopped it. */
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) == 0)
			al_log(l->ctx.log, LOG_NOTICE, "watch %ld did not end at "
			       "once", (long)w->pid);
		else
			al_debug(l->ctx.log, "close: stopped watch %ld",
				 (long)w->pid);
	}
	close(pidfd);
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
		stop_watch(&sd->l, &sd->watch);
		return status_to_pam(apply_as_user(&sd->l, "close", &out));
	}
	if ((r = prepare(pamh, argc, argv, &fresh)) != PAM_SUCCESS)
		return r;
	return status_to_pam(apply_as_user(&fresh, "close", &out));
}
