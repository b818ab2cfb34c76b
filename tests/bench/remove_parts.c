/*
 * remove_parts.c - 1b. the remove case, call by call.
 *
 * Where the remove case's time goes: open_session starts the watch (the
 * double fork), close_session stops it and waits for it to exit.  Timed
 * apart, in wall and in this process's CPU time, with close right after
 * open (as in 1) and after a connection of CONN_MS, when the watch has
 * long been waiting in ppoll() as it is when a real connection ends.
 * Beside them, the kernel's part of that wait: a bare child waiting in
 * ppoll() the same way, with and without an inotify instance, told to
 * end with SIGTERM through a pidfd.  The four run interleaved, one of
 * each per round, order rotated each round as in 1.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define CONN_MS 50

/* Wall and CPU time of one call. */
struct cost {
	double wall, cpu;
};

static void
remove_one(unsigned conn_ms, struct cost *open_c, struct cost *close_c)
{
	pam_handle_t *h;
	double w0, c0;

	setup_case(C_REMOVE);
	h = pam_begin(confdir_mod, live_sock);
	w0 = now_us();
	c0 = cpu_us();
	check(h, pam_open_session(h, 0), "pam_open_session");
	open_c->cpu = cpu_us() - c0;
	open_c->wall = now_us() - w0;
	pause_ms(conn_ms);
	w0 = now_us();
	c0 = cpu_us();
	check(h, pam_close_session(h, 0), "pam_close_session");
	close_c->cpu = cpu_us() - c0;
	close_c->wall = now_us() - w0;
	pam_end(h, PAM_SUCCESS);
	if (verify_case(C_REMOVE, case_done()) != 0)
		pam_failures++;
}

/* remove_one(), its open and close going to parts open_p and close_p of
 * round r. */
static void
remove_round(unsigned conn_ms, int open_p, int close_p, unsigned r,
	     double **w, double **c)
{
	struct cost o, cl;

	remove_one(conn_ms, &o, &cl);
	w[open_p][r] = o.wall;
	c[open_p][r] = o.cpu;
	w[close_p][r] = cl.wall;
	c[close_p][r] = cl.cpu;
}

static volatile sig_atomic_t bare_stop;

static void
bare_on_term(int sig)
{
	(void)sig;
	bare_stop = 1;
}

/* Waits as the watch does: every signal blocked but SIGTERM, and that
 * one only inside ppoll(); events are read and dropped. */
static void __attribute__((noreturn))
bare_child(int with_inotify)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct sigaction sa;
	struct pollfd pfd;
	sigset_t waitmask;
	int ifd = -1;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bare_on_term;
	sigaction(SIGTERM, &sa, NULL);
	if (with_inotify &&
	    ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	     inotify_add_watch(ifd, "/tmp", IN_CREATE) < 0 ||
	     inotify_add_watch(ifd, link_dir, IN_CREATE) < 0))
		_exit(1);
	sigfillset(&waitmask);
	sigdelset(&waitmask, SIGTERM);
	pfd.fd = ifd;
	pfd.events = POLLIN;
	while (!bare_stop)
		if (ppoll(&pfd, 1, NULL, &waitmask) > 0)
			while (read(ifd, buf, sizeof(buf)) > 0)
				;
	if (ifd >= 0)
		close(ifd);
	_exit(0);
}

/* From SIGTERM until the pidfd reports the bare child's exit, in us. */
static double
bare_one(int with_inotify, unsigned conn_ms)
{
	struct pollfd pfd;
	sigset_t all, old;
	int pidfd, st;
	double t0, t;
	pid_t pid, r;

	/* SIGTERM stays blocked until the child waits in ppoll(). */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = fork()) < 0)
		die("fork: %m");
	if (pid == 0)
		bare_child(with_inotify);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if ((pidfd = (int)syscall(SYS_pidfd_open, pid, 0)) < 0)
		die("pidfd_open: %m");
	pause_ms(conn_ms);
	t0 = now_us();
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) != 0)
		die("pidfd_send_signal: %m");
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, HEAL_TIMEOUT_MS) != 1)
		die("a bare child did not exit within %d ms", HEAL_TIMEOUT_MS);
	t = now_us() - t0;
	close(pidfd);
	while ((r = waitpid(pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r != pid)
		die("waitpid %ld: %m", (long)pid);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		die("a bare child (%s inotify) ended with status %#x",
		    with_inotify ? "with" : "without", st);
	return t;
}

void
bench_remove_parts(unsigned rounds, struct stats *wall, struct stats *cpu)
{
	double *w[NPARTS], *c[NPARTS];
	unsigned r, k;
	int p;

	for (p = 0; p < NPARTS; p++)
		if ((w[p] = calloc(rounds, sizeof(double))) == NULL ||
		    (c[p] = calloc(rounds, sizeof(double))) == NULL)
			die("out of memory");
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < 4; k++) {
			switch ((k + r) % 4) {
			case 0:
				remove_round(0, P_OPEN_NOW, P_CLOSE_NOW, r, w, c);
				break;
			case 1:
				remove_round(CONN_MS, P_OPEN_CONN, P_CLOSE_CONN, r,
					     w, c);
				break;
			case 2:
				w[P_BARE_INOTIFY][r] = bare_one(1, CONN_MS);
				break;
			case 3:
				w[P_BARE_PLAIN][r] = bare_one(0, CONN_MS);
				break;
			}
		}
		if (r % 50 == 0)
			progress("remove call by call: round %u of %u", r, rounds);
	}
	live_visible(1);
	for (p = 0; p < NPARTS; p++) {
		wall[p] = stats_of(w[p], rounds);
		cpu[p] = stats_of(c[p], rounds);
		free(w[p]);
		free(c[p]);
	}
}

/* A row in microseconds: p50, p99, max, the CPU time's p50 unless cpu is
 * NULL, runs. */
static void
part_row(const char *what, const struct stats *s, const struct stats *cpu)
{
	row("   %-41s %7.1f us %7.1f us %7.1f us", what, s->p50, s->p99,
	    s->max);
	if (cpu != NULL)
		row(" %6.1f us %6zu\n", cpu->p50, s->n);
	else
		row(" %9s %6zu\n", "", s->n);
}

/* The table's rows of 1b, under section 1. */
void
print_remove_parts(const struct stats *wall, const struct stats *cpu)
{
	char label[64];

	row("\n   %-41s %10s %10s %10s %9s %6s\n",
	    "The remove case call by call", "median", "p99", "max", "CPU p50",
	    "runs");
	part_row("close right after open: open_session", &wall[P_OPEN_NOW],
		 &cpu[P_OPEN_NOW]);
	part_row("close right after open: close_session", &wall[P_CLOSE_NOW],
		 &cpu[P_CLOSE_NOW]);
	fmt(label, sizeof(label), "%d ms connection: open_session", CONN_MS);
	part_row(label, &wall[P_OPEN_CONN], &cpu[P_OPEN_CONN]);
	fmt(label, sizeof(label), "%d ms connection: close_session", CONN_MS);
	part_row(label, &wall[P_CLOSE_CONN], &cpu[P_CLOSE_CONN]);
	row("   the kernel's part of close's wait: a bare child in ppoll(),\n"
	    "   SIGTERM after %d ms until its exit is seen\n", CONN_MS);
	part_row("  holding inotify on /tmp and ~/.ssh",
		 &wall[P_BARE_INOTIFY], NULL);
	part_row("  without inotify", &wall[P_BARE_PLAIN], NULL);
	row("   (interleaved, order rotated; CPU: this process's, not the "
	    "watch's)\n");
}
