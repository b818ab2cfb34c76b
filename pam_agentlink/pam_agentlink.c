/*
 * pam_agentlink.c - the PAM session entry points.
 *
 * sshd opens the session as root in its privileged monitor, before the
 * forwarded agent socket exists, and closes it after the connection is
 * gone.  open_session settles the link at once, publishes its path, and
 * when the link is not alive starts a detached watch that settles it
 * again when this connection's socket appears.  close_session stops the
 * watch, removes stale sockets and settles the link once more.
 *
 * All filesystem work runs with the user's filesystem credentials
 * (pam_modutil_drop_priv), the watch with the user's credentials only.
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

/* What open_session leaves for close_session. */
struct session_data {
	pid_t watch_pid;
	unsigned long long watch_start;	/* /proc starttime, against pid reuse */
};

struct login {
	struct al_cfg cfg;
	struct al_log lg;
	struct al_ctx ctx;
	const struct passwd *pw;
	char host[256], shorthost[256];
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
prepare(pam_handle_t *pamh, int argc, const char **argv, struct login *l,
	int opened)
{
	const char *user = NULL, *err;
	struct al_user au;

	memset(l, 0, sizeof(*l));
	l->lg.fn = pam_log_sink;
	l->lg.arg = pamh;
	al_cfg_load(&l->cfg, argc, argv, &l->lg);
	l->lg.debug = l->cfg.debug;
	if (!opened && !in_scope(pamh, &l->cfg))
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
	l->ctx.tmpdir = AL_TMPDIR;
	l->ctx.policy = l->cfg.policy;
	l->ctx.cleanup = l->cfg.cleanup;
	al_hosthash(l->host, l->ctx.hosthash);
	return PAM_SUCCESS;
}

/* Runs al_apply() with the user's filesystem credentials. */
static enum al_status
apply_as_user(pam_handle_t *pamh, struct login *l, const char *when,
	      struct al_outcome *out)
{
	PAM_MODUTIL_DEF_PRIVS(privs);
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
	if (pam_modutil_drop_priv(pamh, &privs, l->pw) != 0) {
		al_log(&l->lg, LOG_ERR, "cannot switch to the credentials of %s; "
		       "not touching anything", l->pw->pw_name);
		return AL_ERR;
	}
	st = al_apply(&l->ctx, when, out);
	if (pam_modutil_regain_priv(pamh, &privs) != 0)
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

/* Signals as a fresh process has them, and SIGTERM ends the watch. */
static void
reset_signals(void)
{
	struct sigaction sa;
	sigset_t set;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sa.sa_handler = on_term;
	(void)sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	(void)sigprocmask(SIG_SETMASK, &set, NULL);
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

	/* stdout was the pipe to the monitor. */
	if (fd >= 0) {
		(void)dup2(fd, STDOUT_FILENO);
		close(fd);
	}
	if (become_user(l->pw) != 0) {
		al_log(&l->lg, LOG_ERR, "watch: cannot switch to user %s; "
		       "not watching", l->pw->pw_name);
		_exit(1);
	}
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
	struct session_data sd;
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
	reset_signals();
	pid = fork();
	if (pid == 0)
		run_watch(l, monitor, pidfd, since);
	if (pid > 0) {
		sd.watch_pid = pid;
		sd.watch_start = proc_starttime(pid);
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
start_watch(pam_handle_t *pamh, struct login *l, struct session_data *sd,
	    const struct timespec *since)
{
	struct sigaction dfl, old;
	pid_t pid, monitor = getpid();
	int p[2], status;
	ssize_t n;

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
	pid = fork();
	if (pid == 0)
		spawn_watch(pamh, l, p[1], monitor, since);
	close(p[1]);
	if (pid < 0) {
		al_log(&l->lg, LOG_ERR, "cannot start the watch: fork: %m");
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		do {
			n = read(p[0], sd, sizeof(*sd));
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(*sd)) {
			memset(sd, 0, sizeof(*sd));
			al_log(&l->lg, LOG_ERR, "cannot start the watch");
		} else {
			al_debug(&l->lg, "open: watching for the agent socket of "
				 "this connection for %u s (pid %ld)", l->cfg.wait,
				 (long)sd->watch_pid);
		}
	}
	close(p[0]);
	sigaction(SIGCHLD, &old, NULL);
}

/* Ends this connection's watch, if it is still the process we started. */
static void
stop_watch(const struct login *l, const struct session_data *sd)
{
	struct pollfd pfd;
	int pidfd;

	if (sd->watch_pid <= 0)
		return;
	/* The pidfd pins the process; the start time proves it is ours. */
	if ((pidfd = pidfd_open_(sd->watch_pid)) < 0)
		return;
	if (sd->watch_start != 0 &&
	    proc_starttime(sd->watch_pid) == sd->watch_start &&
	    syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0) {
		/* It ends within microseconds; do not let close wait on it
		 * for long if the user has stopped it. */
		pfd.fd = pidfd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 200) == 0)
			al_log(l->ctx.log, LOG_NOTICE, "watch %ld did not end at "
			       "once", (long)sd->watch_pid);
		else
			al_debug(l->ctx.log, "close: stopped watch %ld",
				 (long)sd->watch_pid);
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

PAM_EXTERN int
pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct session_data *sd;
	struct al_outcome out;
	struct timespec since;
	struct login l;
	enum al_status st;
	int r;

	(void)flags;
	/* Sockets stamped from now on may be this connection's. */
	clock_gettime(CLOCK_REALTIME_COARSE, &since);
	if ((r = prepare(pamh, argc, argv, &l, 0)) != PAM_SUCCESS)
		return r;
	st = apply_as_user(pamh, &l, "open", &out);
	if (st != AL_OK)
		return status_to_pam(st);
	publish(pamh, &l);

	if ((sd = calloc(1, sizeof(*sd))) == NULL)
		return PAM_SUCCESS;
	/* With policy=keep a live link stays as it is, whatever appears. */
	if (l.cfg.wait > 0 &&
	    (l.cfg.policy == AL_POLICY_NEWEST || !out.link_alive))
		start_watch(pamh, &l, sd, &since);
	if (pam_set_data(pamh, SESSION_DATA, sd, free_session_data) != PAM_SUCCESS)
		free(sd);
	return PAM_SUCCESS;
}

PAM_EXTERN int
pam_sm_close_session(pam_handle_t *pamh, int flags, int argc,
		     const char **argv)
{
	const void *data = NULL;
	struct al_outcome out;
	struct login l;
	int r, opened;

	(void)flags;
	/* sshd may have changed PAM_TTY to the pty since open_session. */
	opened = pam_get_data(pamh, SESSION_DATA, &data) == PAM_SUCCESS &&
	    data != NULL;
	if ((r = prepare(pamh, argc, argv, &l, opened)) != PAM_SUCCESS)
		return r;
	if (opened)
		stop_watch(&l, data);
	return status_to_pam(apply_as_user(pamh, &l, "close", &out));
}
