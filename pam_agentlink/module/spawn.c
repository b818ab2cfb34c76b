/*
 * spawn.c - start and stop the watch, the one process the module leaves
 * running for a connection.
 *
 * open_session runs in sshd's privileged monitor, whose memory holds the
 * host's private keys.  So the watch is never a fork of it that goes on
 * running: as pam_unix runs unix_chkpwd and pam_mkhomedir runs
 * mkhomedir_helper, a double fork leaves sshd's session and descriptors
 * behind, drops to the user for good and execs agentlink-watch at a
 * path fixed at build time, with an empty environment and its inputs on
 * argv.  The exec replaces every page of sshd's memory; the monitor only
 * waits for the middle process, which exits at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"
#include "ctx.h"
#include "log.h"
#include "proc.h"
#include "spawn.h"

/* The helper's path comes from the build (the Makefile's HELPERDIR), so
 * that it is the one make install and the package put it at. */
#ifndef AL_WATCH_HELPER
#error "AL_WATCH_HELPER, the watch helper's path, must be defined (Makefile: HELPERDIR)"
#endif

/* How long close waits for the watch after SIGTERM, then after SIGKILL. */
#define TERM_WAIT_MS 100
#define KILL_WAIT_MS 1000

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

static int
pidfd_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

static unsigned long long
proc_starttime(pid_t pid)
{
	unsigned long long start;

	return al_proc_stat(pid, NULL, &start) == 0 ? start : 0;
}

/* One "name=value" argument into the next slot of a. */
static void __attribute__((format(printf, 2, 3)))
arg(struct al_watch_argv *a, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (a->n >= AL_WATCH_ARGS - 1) {
		a->overflow = 1;	/* a watch missing an option: none */
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(a->buf[a->n], sizeof(a->buf[a->n]), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(a->buf[a->n])) {
		a->overflow = 1;
		return;
	}
	a->v[a->n] = a->buf[a->n];
	a->v[++a->n] = NULL;
}

/* Everything the watch needs, written before any fork: the children
 * allocate nothing and only exec. */
static int
build_argv(struct al_watch_argv *a, const struct al_watch_spec *s)
{
	const struct al_ctx *c = s->ctx;
	size_t i;

	memset(a, 0, sizeof(*a));
	arg(a, "agentlink-watch");
	arg(a, "ident=%s", s->ident);
	arg(a, "service=%s", s->service);
	arg(a, "user=%s", c->user);
	arg(a, "uid=%u", (unsigned)c->uid);
	arg(a, "gid=%u", (unsigned)s->gid);
	arg(a, "home=%s", c->home);
	arg(a, "link=%s", c->link);
	arg(a, "hosthash=%s", c->hosthash);
	arg(a, "policy=%s", al_policy_name(c->policy));
	arg(a, "probe=%u", c->probe_ms);
	arg(a, "cleanup=%d", c->cleanup ? 1 : 0);
	arg(a, "wait=%u", s->wait_ms);
	arg(a, "monitor=%ld:%llu", (long)s->monitor, s->monitor_start);
	arg(a, "since=%lld.%09ld", (long long)s->since.tv_sec, s->since.tv_nsec);
	for (i = 0; i < c->nplaces; i++)
		arg(a, "place=%s:%s", c->places[i].kind == AL_PLACE_USER ?
		    "user" : "shared", c->places[i].dir);
	if (c->log->debug)
		arg(a, "debug");
	return a->overflow ? -1 : 0;
}

/*
 * stdin and stderr to /dev/null, every descriptor above 2 closed: what
 * pam_modutil_sanitize_helper_fds() does, in one close_range() call
 * instead of one close() per possible descriptor.
 */
static int
sanitize_fds(void)
{
	int fd, max;

	if ((fd = open("/dev/null", O_RDWR)) < 0)
		return -1;
	if ((fd != STDIN_FILENO && dup2(fd, STDIN_FILENO) < 0) ||
	    (fd != STDERR_FILENO && dup2(fd, STDERR_FILENO) < 0))
		return -1;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return 0;
#endif
	max = (int)sysconf(_SC_OPEN_MAX);
	for (fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		(void)close(fd);
	return 0;
}

/*
 * The watch itself: the helper, at once.  It drops to the user as its
 * first act (al_become_user), so no process of the user's ever holds a
 * copy of the monitor's memory, not even between fork and exec, where
 * the user could otherwise stop it and keep the copy alive.
 */
static void __attribute__((noreturn))
exec_watch(const struct al_watch_argv *a, int helper)
{
	static char *const no_env[] = { NULL };

	/* stdout was the report pipe. */
	if (dup2(STDIN_FILENO, STDOUT_FILENO) < 0 || chdir("/") != 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		_exit(1);
	umask(077);
	(void)syscall(SYS_execveat, helper, "", a->v, no_env, AT_EMPTY_PATH);
	_exit(127);
}

/*
 * The middle process: leaves sshd's descriptors and session behind,
 * starts the watch, reports its pid and start time (or why it could not)
 * down the pipe report, and exits, so that sshd never sees or reaps the
 * watch.
 */
static void __attribute__((noreturn))
middle(const struct al_watch_argv *a, int report)
{
	struct al_watch_proc w;
	int helper;
	pid_t pid;

	/* Whole, padding included: all of it goes down the pipe. */
	memset(&w, 0, sizeof(w));
	if (report != STDOUT_FILENO && dup2(report, STDOUT_FILENO) < 0)
		_exit(1);
	/* No closelog(): in a threaded host another thread may have held
	 * syslog's lock at fork(), and nothing logs here. */
	if (sanitize_fds() != 0)
		_exit(1);
	/* Opened and executed as root; the helper becomes the user first. */
	if ((helper = open(AL_WATCH_HELPER, O_PATH | O_CLOEXEC)) < 0) {
		w.err = errno;
	} else {
		(void)setsid();
		pid = fork();
		if (pid == 0)
			exec_watch(a, helper);
		if (pid > 0) {
			w.pid = pid;
			w.start = proc_starttime(pid);
		} else {
			w.err = errno;
		}
	}
	(void)!write(STDOUT_FILENO, &w, sizeof(w));
	_exit(0);
}

void
al_watch_start(const struct al_watch_spec *s, struct al_watch_proc *w)
{
	const struct al_log *lg = s->ctx->log;
	struct sigaction dfl, old;
	struct al_watch_argv a;
	sigset_t all, oldmask;
	int p[2], status;
	ssize_t n;
	pid_t pid;

	memset(w, 0, sizeof(*w));
	if (build_argv(&a, s) != 0) {
		al_log(lg, LOG_ERR, "cannot start the watch: an argument is too long");
		return;
	}
	if (pipe2(p, O_CLOEXEC) != 0) {
		al_log(lg, LOG_ERR, "cannot start the watch: pipe: %m");
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
		middle(&a, p[1]);
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	close(p[1]);
	if (pid < 0) {
		al_log(lg, LOG_ERR, "cannot start the watch: fork: %m");
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		do {
			n = read(p[0], w, sizeof(*w));
		} while (n < 0 && errno == EINTR);
		if (n != (ssize_t)sizeof(*w) || w->pid <= 0) {
			errno = n == (ssize_t)sizeof(*w) ? w->err : 0;
			al_log(lg, LOG_ERR, "cannot start the watch %s: %s",
			       AL_WATCH_HELPER, errno ? strerror(errno) : "failed");
			memset(w, 0, sizeof(*w));
		} else {
			al_debug(lg, "open: watching for the agent socket of this "
				 "connection for %u s (pid %ld)", s->wait_ms / 1000,
				 (long)w->pid);
		}
	}
	close(p[0]);
	sigaction(SIGCHLD, &old, NULL);
}

/* Waits up to ms for the process behind pidfd to exit; 1 if it did. */
static int
exited(int pidfd, int ms)
{
	struct pollfd pfd = { pidfd, POLLIN, 0 };
	int r;

	while ((r = poll(&pfd, 1, ms)) < 0 && errno == EINTR)
		;
	return r > 0;
}

void
al_watch_stop_proc(const struct al_ctx *ctx, const struct al_watch_proc *w)
{
	int pidfd;

	if (w->pid <= 0)
		return;
	/* The pidfd pins the process; the start time proves it is ours. */
	if ((pidfd = pidfd_open_(w->pid)) < 0)
		return;
	if (w->start == 0 || proc_starttime(w->pid) != w->start ||
	    pidfd_signal(pidfd, SIGTERM) != 0) {
		close(pidfd);
		return;
	}
	/* SIGTERM ends it within microseconds, between two changes.  One
	 * the user has stopped gets SIGKILL, which ends it where it stands:
	 * it never acts after close. */
	if (exited(pidfd, TERM_WAIT_MS)) {
		al_debug(ctx->log, "close: stopped watch %ld", (long)w->pid);
	} else if (pidfd_signal(pidfd, SIGKILL) == 0 &&
		   exited(pidfd, KILL_WAIT_MS)) {
		al_log(ctx->log, LOG_NOTICE, "close: watch %ld did not end at "
		       "once; killed it", (long)w->pid);
	} else {
		al_log(ctx->log, LOG_ERR, "close: watch %ld did not end",
		       (long)w->pid);
	}
	close(pidfd);
}
