/*
 * agentlink-watch - the watch of one sshd connection, exec'd by
 * pam_agentlink's open_session (spawn.c) as the user, with an empty
 * environment and its inputs on argv as name=value words:
 *
 *   ident= service= user= uid= gid= home= link= hosthash=
 *   policy=keep|newest|interactive
 *   probe=MS wait=MS monitor=PID:START since=SEC.NSEC place=KIND:DIR...
 *   [debug]
 *
 * It follows the places where sshd puts agent sockets, settles the link
 * each time one appears (watch.c), and ends when this connection's own
 * socket is live, when wait= has passed, when the connection's monitor
 * exits, or on SIGTERM.  Started by the module as root, it becomes the
 * user (uid=, gid=) before anything else; started by a user, it acts
 * only for that user.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <syslog.h>
#include <unistd.h>

#include "cfg.h"
#include "creds.h"
#include "ctx.h"
#include "layout.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "race.h"
#include "watch.h"

struct watch_args {
	struct al_ctx ctx;
	struct al_log lg;
	struct al_hung hung;
	struct al_race race;
	char service[64];
	char user[256];
	char home[4096];
	unsigned wait_ms;
	pid_t monitor;
	unsigned long long monitor_start;
	struct timespec since;
	int have;			/* bit per required argument seen */
};

static char prefix[128];

/* Lines as pam_syslog writes them: "pam_agentlink(SERVICE:session): ". */
static void
syslog_sink(void *arg, int prio, const char *fmt, va_list ap)
{
	char msg[2048];

	(void)arg;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	syslog(LOG_AUTHPRIV | prio, "%s%s", prefix, msg);
}

static void
on_term(int sig)
{
	(void)sig;
	al_watch_stop = 1;
}

static int
copy(char *dst, size_t sz, const char *src)
{
	if (strlen(src) >= sz)
		return -1;
	strcpy(dst, src);
	return 0;
}

static int
number(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno != 0 || *end != '\0' || *out > max ? -1 : 0;
}

static int
place(struct watch_args *w, const char *v)
{
	struct al_place *pl;
	size_t hl;

	if (w->ctx.nplaces == AL_PLACES_MAX)
		return -1;
	pl = &w->ctx.places[w->ctx.nplaces];
	if (strncmp(v, "user:/", 6) == 0) {
		pl->kind = AL_PLACE_USER;
		v += 5;
	} else if (strncmp(v, "shared:/", 8) == 0) {
		pl->kind = AL_PLACE_SHARED;
		v += 7;
	} else {
		return -1;
	}
	if (copy(pl->dir, sizeof(pl->dir), v) != 0)
		return -1;
	hl = strlen(w->home);
	pl->in_home = strncmp(v, w->home, hl) == 0 && (v[hl] == '/' || v[hl] == '\0');
	w->ctx.nplaces++;
	return 0;
}

/* One name=value word; -1 if it is not understood. */
static int
parse_one(struct watch_args *w, const char *a)
{
	const char *v = strchr(a, '=');
	unsigned long long n, m;
	char extra;

	size_t klen;

	if (strcmp(a, "debug") == 0) {
		w->lg.debug = 1;
		return 0;
	}
	if (v == NULL)
		return -1;
	klen = (size_t)(v++ - a);
#define IS(name) (klen == strlen(name) && strncmp(a, name, klen) == 0)
	if (IS("ident"))
		openlog(strdup(v), LOG_PID, LOG_AUTHPRIV);
	else if (IS("service"))
		return copy(w->service, sizeof(w->service), v);
	else if (IS("user"))
		return copy(w->user, sizeof(w->user), v);
	else if (IS("home"))
		return w->ctx.nplaces == 0 ? copy(w->home, sizeof(w->home), v) : -1;
	else if (IS("link"))
		return copy(w->ctx.link, sizeof(w->ctx.link), v);
	else if (IS("hosthash"))
		return copy(w->ctx.hosthash, sizeof(w->ctx.hosthash), v);
	else if (IS("place"))
		return place(w, v);
	else if (IS("policy"))
		return al_policy_parse(v, &w->ctx.policy);
	else if (IS("uid") && number(v, (uid_t)-2, &n) == 0)
		w->ctx.uid = (uid_t)n;
	else if (IS("gid") && number(v, (gid_t)-2, &n) == 0)
		;			/* used by drop_to_user() */
	else if (IS("probe") && number(v, AL_MAX_PROBE_MS, &n) == 0)
		w->ctx.probe_ms = (unsigned)n;
	else if (IS("cleanup") && number(v, 1, &n) == 0)
		w->ctx.cleanup = (int)n;
	else if (IS("wait") && number(v, AL_MAX_WAIT * 1000ULL, &n) == 0)
		w->wait_ms = (unsigned)n;
	else if (IS("monitor") && sscanf(v, "%llu:%llu%c", &n, &m, &extra) == 2 &&
		 n > 0 && n <= (1 << 22)) {
		w->monitor = (pid_t)n;
		w->monitor_start = m;
	} else if (IS("since") && sscanf(v, "%llu.%llu%c", &n, &m, &extra) == 2 &&
		   m < 1000000000ULL) {
		w->since.tv_sec = (time_t)n;
		w->since.tv_nsec = (long)m;
	} else
		return -1;
#undef IS
	return 0;
}

static int
parse(struct watch_args *w, int argc, char **argv)
{
	char esc[256];
	int i;

	for (i = 1; i < argc; i++)
		if (parse_one(w, argv[i]) != 0) {
			al_log(&w->lg, LOG_ERR, "watch: bad argument \"%s\"",
			       al_esc(argv[i], esc, sizeof(esc)));
			return -1;
		}
	if (w->user[0] == '\0' || w->home[0] != '/' || w->ctx.link[0] != '/' ||
	    w->monitor == 0 || w->ctx.nplaces == 0) {
		al_log(&w->lg, LOG_ERR, "watch: arguments missing");
		return -1;
	}
	return 0;
}

/* Signals: all blocked; SIGTERM only lets in where al_watch() allows it. */
static void
signals(void)
{
	struct sigaction sa;
	sigset_t all;

	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigfillset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
}

/*
 * A pidfd on the monitor, if it is still the process open_session ran in:
 * -2 when it is gone.  With /proc mounted hidepid=1 or 2 the user cannot
 * read the root monitor's stat; the pidfd, opened first, then holds a
 * process with its pid, and that is trusted without the start time (a
 * reused pid could only keep the watch until wait=).
 */
static int
monitor_pidfd(const struct watch_args *w)
{
	unsigned long long start;
	int fd = -1, pfd, r = -1, e;

#ifdef SYS_pidfd_open
	fd = (int)syscall(SYS_pidfd_open, w->monitor, 0);
#endif
	if ((pfd = al_proc_open(w->monitor)) >= 0)
		r = al_proc_stat_at(pfd, NULL, &start);
	e = errno;
	if (pfd >= 0)
		close(pfd);
	if (r == 0 && start == w->monitor_start)
		return fd;
	/* Hidden: not readable, or (hidepid=2) not there while kill() finds
	 * a process it may not signal: root's. */
	if (r != 0 && fd >= 0 && (e == EACCES || e == EPERM ||
	    (e == ENOENT && kill(w->monitor, 0) != 0 && errno == EPERM))) {
		al_debug(&w->lg, "watch: /proc/%ld is hidden from %s (hidepid=); "
			 "the monitor is held by its pidfd", (long)w->monitor, w->user);
		return fd;
	}
	if (fd >= 0)
		close(fd);
	return -2;			/* gone: nothing to watch for */
}

/* The value of "name=" in argv, or NULL. */
static const char *
argv_value(int argc, char **argv, const char *name)
{
	size_t n = strlen(name);
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=')
			return argv[i] + n + 1;
	return NULL;
}

/*
 * Started by the module as root: becomes the user before anything else.
 * Started by a user: it is that user already, and acts for no other.
 */
static int
drop_to_user(int argc, char **argv)
{
	const char *u = argv_value(argc, argv, "uid");
	const char *g = argv_value(argc, argv, "gid");
	unsigned long long uid, gid;

	if (u == NULL || g == NULL || number(u, (uid_t)-2, &uid) != 0 ||
	    number(g, (gid_t)-2, &gid) != 0)
		return -1;
	if (geteuid() == 0)
		return al_become_user((uid_t)uid, (gid_t)gid);
	return getuid() == (uid_t)uid && geteuid() == (uid_t)uid ? 0 : -1;
}

int
main(int argc, char **argv)
{
	static struct watch_args w;
	int pidfd;

	if (drop_to_user(argc, argv) != 0)
		return 2;
	signals();
	w.lg.fn = syslog_sink;
	w.ctx.log = &w.lg;
	w.ctx.policy = AL_POLICY_KEEP;
	if (parse(&w, argc, argv) != 0)
		return 2;
	snprintf(prefix, sizeof(prefix), "pam_agentlink(%s:session): ",
		 w.service[0] ? w.service : "sshd");
	/* It acts for the user it runs as, never for another. */
	if (getuid() != w.ctx.uid || geteuid() != w.ctx.uid) {
		al_log(&w.lg, LOG_ERR, "watch: runs as uid %u, not as %s",
		       (unsigned)getuid(), w.user);
		return 2;
	}
	if ((pidfd = monitor_pidfd(&w)) == -2)
		return 0;
	w.ctx.user = w.user;
	w.ctx.home = w.home;
	w.ctx.probe_full = 1;
	w.ctx.hung = &w.hung;
	w.race.fd = -1;
	w.ctx.race = &w.race;
	w.ctx.guard_pid = w.monitor;
	(void)al_watch(&w.ctx, w.monitor, pidfd, w.wait_ms, &w.since);
	return 0;
}
