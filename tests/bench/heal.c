/*
 * heal.c - 2. time to heal: after pam_open_session (nothing live: the
 * watch runs) a child of this process binds /tmp/ssh-XXXXXXXXXX/agent.<its
 * pid> as alice, the way sshd's post-auth child does, and answers on it
 * as an agent; the time until the link points at it, idle and with two
 * spinning processes.
 * 2b. the same from a hung link: open keeps it (no answer in its 3 ms) and
 * the watch asks its agent, leaving the question open; when the new
 * socket's agent answers, the old one loses the race (race.c) and the
 * link moves.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "cfg.h"
#include "rule.h"
#include "sunpath.h"

unsigned heal_delay_ms;

struct bound {
	double t0;
	char dir[AL_SUN_PATH_MAX];
	char path[AL_SUN_PATH_MAX];
};

/*
 * sshd's post-auth child: as alice, mkdtemp /tmp/ssh-XXXXXXXXXX, bind
 * agent.<own pid>, listen, and serve a fake agent that answers until
 * killed.  Reports the time just before bind() and the path.
 */
static pid_t
bind_like_sshd(int report)
{
	static struct agent_server srv;
	struct sockaddr_un sun;
	struct bound b;
	pid_t pid = fork();
	char r[11];
	int fd;

	if (pid != 0)
		return pid;
	if (setgroups(0, NULL) != 0 ||
	    setresgid(alice.pw_gid, alice.pw_gid, alice.pw_gid) != 0 ||
	    setresuid(alice.pw_uid, alice.pw_uid, alice.pw_uid) != 0)
		_exit(1);
	memset(&b, 0, sizeof(b));
	for (;;) {
		random_alnum(r, 10);
		fmt(b.dir, sizeof(b.dir), "/tmp/ssh-%s", r);
		if (mkdir(b.dir, 0700) == 0)
			break;
		if (errno != EEXIST)
			_exit(1);
	}
	fmt(b.path, sizeof(b.path), "%s/agent.%ld", b.dir, (long)getpid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, b.path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0)) < 0)
		_exit(1);
	/* Diagnostic (--heal-delay): sshd's child binds some milliseconds
	 * after open_session, when the watch is set up. */
	pause_ms(heal_delay_ms);
	b.t0 = now_us();
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fd, 128) != 0)
		_exit(1);
	if (write(report, &b, sizeof(b)) != (ssize_t)sizeof(b))
		_exit(1);
	close(report);
	/* The agent of the new connection answers at once. */
	srv.lfd[0] = fd;
	srv.mode[0] = AGENT_ANSWERS;
	srv.n = 1;
	srv.stop = -1;
	agent_serve(&srv);
	_exit(1);
}

/* Waits for the link to point at target; returns the time seen, or -1. */
static double
wait_link(int ifd, const char *target, double deadline)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd p = { ifd, POLLIN, 0 };
	double now;

	for (;;) {
		if (link_is(target))
			return now_us();
		now = now_us();
		if (now >= deadline)
			return -1;
		if (poll(&p, 1, (int)((deadline - now) / 1000) + 1) > 0)
			while (read(ifd, buf, sizeof(buf)) > 0)
				;
	}
}

unsigned heal_timeouts;
static int heal_rt;		/* the observer got SCHED_FIFO */

/* Watches link_dir, where the link is made anew. */
static int
link_watch(void)
{
	int ifd;

	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(ifd, link_dir, IN_CREATE | IN_MOVED_TO) < 0)
		die("inotify on %s: %m", link_dir);
	return ifd;
}

/*
 * One heal: the link points at from, open_session runs with confdir's
 * module, then a child binds a socket as sshd's does.  Returns the
 * milliseconds from bind() until the link points at it, or -1 when it
 * does not within wait_ms.  *gap, unless NULL, gets the time from
 * open_session's return to bind(), in ms.
 */
static double
heal_from(int ifd, const char *confdir, const char *from, unsigned wait_ms,
	  double *gap)
{
	struct bound b;
	pam_handle_t *h;
	double t_open = 0, t1;
	pid_t child;
	int p[2];

	set_link(from);
	h = pam_begin(confdir, from);
	check(h, pam_open_session(h, 0), "pam_open_session");
	if (gap != NULL)
		t_open = now_us();
	if (pipe(p) != 0)
		die("pipe: %m");
	if ((child = bind_like_sshd(p[1])) < 0)
		die("fork: %m");
	close(p[1]);
	if (read(p[0], &b, sizeof(b)) != (ssize_t)sizeof(b))
		die("the binding child failed");
	close(p[0]);
	if (gap != NULL)
		*gap = (b.t0 - t_open) / 1000.0;
	t1 = wait_link(ifd, b.path, b.t0 + wait_ms * 1000.0);
	/* sshd's child goes, and sshd removes its socket, before close. */
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	(void)unlink(b.path);
	(void)rmdir(b.dir);
	check(h, pam_close_session(h, 0), "pam_close_session");
	pam_end(h, PAM_SUCCESS);
	(void)case_done();
	if (t1 < 0) {
		heal_timeouts++;
		return -1;
	}
	return (t1 - b.t0) / 1000.0;
}

/* One heal after a clean disconnect: the link's target is gone, so
 * nothing is live and open starts the watch. */
static double
heal_once(int ifd)
{
	return heal_from(ifd, confdir_mod, DEAD_TARGET, HEAL_TIMEOUT_MS, NULL);
}

void
bench_heal(unsigned reps, struct stats *idle, struct stats *loaded)
{
	double *ti = calloc(reps, sizeof(double)), *tl = calloc(reps, sizeof(double));
	size_t ni = 0, nl = 0;
	unsigned r, block = 50;
	int ifd;

	if (ti == NULL || tl == NULL)
		die("out of memory");
	live_visible(0);
	ifd = link_watch();
	/* The observer waits at real-time priority, so that the spinners do
	 * not delay the moment it sees the link; SCHED_RESET_ON_FORK gives
	 * everything it forks (the module's watch, the binding child, the
	 * spinners) the normal policy, as under sshd. */
	{
		struct sched_param sp = { .sched_priority = 1 };

		heal_rt = sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK,
					     &sp) == 0;
	}
	for (r = 0; r < 5; r++)
		(void)heal_once(ifd);		/* warm-up, untimed */
	heal_timeouts = 0;
	/* Blocks of 50, idle and loaded in turn. */
	for (r = 0; r < reps; r++) {
		int load = (r / block) % 2;
		double ms;

		if (r % block == 0) {
			load_off();
			if (load)
				load_on();
			progress("heal: %u of %u (%s)", r, reps, load ? "loaded" : "idle");
		}
		ms = heal_once(ifd);
		if (ms < 0)
			ms = HEAL_TIMEOUT_MS;	/* counted at the time-out */
		if (load)
			tl[nl++] = ms;
		else
			ti[ni++] = ms;
	}
	load_off();
	if (heal_rt) {
		struct sched_param sp = { .sched_priority = 0 };

		(void)sched_setscheduler(0, SCHED_OTHER, &sp);
	}
	close(ifd);
	live_visible(1);
	*idle = stats_of(ti, ni);
	*loaded = stats_of(tl, nl);
	free(ti);
	free(tl);
}

/* A row in milliseconds, to the microsecond: p50, p99, max, runs. */
static void
heal_row(const char *what, const struct stats *s)
{
	row("   %-38s %7.3f ms %7.3f ms %7.3f ms %6zu\n", what, s->p50, s->p99,
	    s->max, s->n);
}

/* Section 2 of the table; timeouts: the heals of 2 that timed out. */
void
print_heal(const struct stats *idle, const struct stats *loaded,
	   unsigned timeouts)
{
	row("\n2. Time to heal: nothing live; socket bound (after open_session "
	    "returned), its agent\n"
	    "   answering -> link points at it\n");
	row("   %-38s %10s %10s %10s %6s\n", "", "p50", "p99", "max", "runs");
	heal_row("idle", idle);
	heal_row("loaded (2 spinning processes)", loaded);
	row("   (observer %s; the watch and the binding child at normal "
	    "priority)\n", heal_rt ? "at SCHED_FIFO 1" :
	    "at normal priority: SCHED_FIFO refused");
	if (timeouts)
		row("   (%u heals timed out after %d ms; counted as %d ms)\n",
		    timeouts, HEAL_TIMEOUT_MS, HEAL_TIMEOUT_MS);
}

/* ---- 2b. time to heal from a hung link ---- */

void
bench_heal_hung(unsigned reps, const char *confdir, unsigned probe_ms,
		struct hung_heal *out)
{
	double *th = calloc(reps, sizeof(double)), *tg = calloc(reps, sizeof(double));
	unsigned r;
	int ifd;

	if (th == NULL || tg == NULL)
		die("out of memory");
	live_visible(0);
	hung_visible(1);
	ifd = link_watch();
	for (r = 0; r < reps; r++) {
		if (r % 10 == 0)
			progress("heal from a hung link, probe=%u: %u of %u",
				 probe_ms, r, reps);
		/* The link points at an agent that takes requests and
		 * answers none: open keeps it after its 3 ms and starts the
		 * watch, which asks that agent and races it against the new
		 * socket's (race.c). */
		th[r] = heal_from(ifd, confdir, hung_sock,
				  probe_ms + HEAL_TIMEOUT_MS, &tg[r]);
		if (th[r] < 0)		/* counted at the time-out */
			th[r] = probe_ms + HEAL_TIMEOUT_MS;
	}
	close(ifd);
	hung_visible(0);
	live_visible(1);
	out->probe_ms = probe_ms;
	out->heal = stats_of(th, reps);
	out->gap = stats_of(tg, reps);
	free(th);
	free(tg);
}

void
print_heal_hung(const struct hung_heal *hh, size_t n, unsigned timeouts)
{
	char label[80];
	size_t i;

	row("\n2b. Time to heal from a hung link: the link's agent accepts and "
	    "never answers; open_session\n"
	    "    keeps the link and starts the watch, which asks that agent "
	    "and leaves the question open;\n"
	    "    a child binds a socket whose agent answers, and the old one "
	    "loses the race: bind() -> rename()\n");
	row("   %-44s %10s %10s %10s %6s\n", "", "p50", "p99", "max", "runs");
	for (i = 0; i < n; i++) {
		if (hh[i].heal.n == 0)
			continue;
		fmt(label, sizeof(label), "probe=%u%s: bind() -> link",
		    hh[i].probe_ms, hh[i].probe_ms == AL_DEFAULT_PROBE_MS ?
		    " (default)" : "");
		ms_row(label, &hh[i].heal);
		fmt(label, sizeof(label), "probe=%u: open_session returned -> "
		    "bind()", hh[i].probe_ms);
		ms_row(label, &hh[i].gap);
	}
	row("   (expected: the race's floor, %d ms after the watch asked the "
	    "old agent, less its start -> bind();\n"
	    "    probe= only bounds the wait when no new socket answers)\n",
	    AL_RACE_FLOOR_MS);
	if (timeouts)
		row("   (%u heals timed out after probe= + %d ms; counted at that)\n",
		    timeouts, HEAL_TIMEOUT_MS);
}
