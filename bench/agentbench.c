/*
 * agentbench - the measuring loops behind "make bench".
 *
 *   agentbench MODULE [options]      (as root, inside tests/lib/ns-run)
 *
 * Runs, in this order, and prints one table at the end:
 *   1. whole PAM transactions through the real libpam (pam_start_confdir,
 *      PAM_TTY "ssh", open, close, pam_end): the module in three states,
 *      pam_permit.so alone, pam_exec.so running a seed-style ~/.ssh/rc,
 *      interleaved in rounds; then the remove case call by call, and the
 *      kernel's part of close's wait: a bare child with and without
 *      inotify, told to exit;
 *   2. time to heal: after pam_open_session (nothing live: the watch runs)
 *      a child of this process binds /tmp/ssh-XXXXXXXXXX/agent.<its pid>
 *      as alice, the way sshd's post-auth child does; the time until the
 *      link points at it, idle and with two spinning processes;
 *   3. scale: pam_close_session relinking a dead link with 10,000 foreign
 *      entries in /tmp and 1, 10 and 100 live sockets of alice's;
 *   4. whole login (with --login): "ssh -A host true" against the private
 *      sshd, with and without the module in its PAM stack, alternating.
 * Nothing here judges a time: the figures are printed, not asserted.
 *
 * This process is the "sshd monitor": the module's watch is a detached
 * grandchild, so it becomes a child subreaper and reaps what is left.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "agentlink.h"

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#define BENCH_DIR "/run/agentlink-bench"
#define SERVICE "sshd"
#define USER "alice"
#define MAX_CASES 8
#define HEAL_TIMEOUT_MS 3000

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "agentbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static void
progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "# ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* snprintf that dies rather than truncate. */
static void
fmt(char *buf, size_t sz, const char *f, ...) __attribute__((format(printf, 3, 4)));
static void
fmt(char *buf, size_t sz, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, sz, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sz)
		die("path too long: %s", buf);
}

/* ---- time and statistics ---- */

static double
clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double
now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct stats {
	size_t n;
	double p50, p99, max;
};

/* Sorts v in place. */
static struct stats
stats_of(double *v, size_t n)
{
	struct stats s = { n, 0, 0, 0 };
	size_t i99;

	if (n == 0)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.p50 = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	i99 = (size_t)((double)n * 0.99 + 0.999999) - 1;	/* nearest rank */
	s.p99 = v[i99 < n ? i99 : n - 1];
	s.max = v[n - 1];
	return s;
}

/* ---- the table ---- */

static char table[16384];
static size_t table_len;

static void
row(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void
row(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(table + table_len, sizeof(table) - table_len, fmt, ap);
	va_end(ap);
	if (n > 0 && table_len + (size_t)n < sizeof(table))
		table_len += (size_t)n;
}

/* ---- files and processes ---- */

static struct passwd alice;
static char link_path[AL_SUN_PATH_MAX], link_dir[AL_SUN_PATH_MAX];
static char hosthash[AL_HOSTHASH_LEN + 1];
static const char *module_path;

static void
write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f;

	fmt(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0 || rename(tmp, path) != 0)
		die("write %s: %m", path);
}

static void
random_alnum(char *out, size_t n)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char r[64];
	size_t i;

	if (n > sizeof(r) || getrandom(r, n, 0) != (ssize_t)n)
		die("getrandom: %m");
	for (i = 0; i < n; i++)
		out[i] = set[r[i] % (sizeof(set) - 1)];
	out[n] = '\0';
}

/* /tmp/ssh-<10 random> made 0700 as sshd does; owned by uid:gid. */
static void
make_ssh_dir(char *out, size_t sz, uid_t uid, gid_t gid)
{
	char r[11];

	for (;;) {
		random_alnum(r, 10);
		fmt(out, sz, "/tmp/ssh-%s", r);
		if (mkdir(out, 0700) == 0)
			break;
		if (errno != EEXIST)
			die("mkdir %s: %m", out);
	}
	if (chown(out, uid, gid) != 0)
		die("chown %s: %m", out);
}

/* A listening socket at path, given to alice. */
static int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    lchown(path, alice.pw_uid, alice.pw_gid) != 0 || listen(fd, 128) != 0)
		die("listen on %s: %m", path);
	return fd;
}

/* Accepts and closes connections on fds until killed. */
static void __attribute__((noreturn))
serve(const int *fds, size_t n, int ready)
{
	struct pollfd *p = calloc(n, sizeof(*p));
	size_t i;
	int c;

	if (p == NULL)
		_exit(1);
	for (i = 0; i < n; i++) {
		p[i].fd = fds[i];
		p[i].events = POLLIN;
	}
	if (ready >= 0) {
		(void)!write(ready, "r", 1);
		close(ready);
	}
	for (;;) {
		if (poll(p, n, -1) < 0 && errno != EINTR)
			_exit(1);
		for (i = 0; i < n; i++)
			if (p[i].revents & POLLIN)
				while ((c = accept(p[i].fd, NULL, NULL)) >= 0)
					close(c);
	}
}

/* A process that holds listening sockets and accepts on them. */
struct server {
	pid_t pid;
	size_t n;
};

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGKILL);
		while (waitpid(s->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	s->pid = 0;
}

static void
reap_leftovers(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- the link ---- */

static void
set_link(const char *target)
{
	char tmp[AL_SUN_PATH_MAX + 8];

	fmt(tmp, sizeof(tmp), "%s.bench", link_path);
	(void)unlink(tmp);
	if (symlink(target, tmp) != 0 ||
	    lchown(tmp, alice.pw_uid, alice.pw_gid) != 0 ||
	    rename(tmp, link_path) != 0)
		die("link %s -> %s: %m", link_path, target);
}

static void
drop_link(void)
{
	if (unlink(link_path) != 0 && errno != ENOENT)
		die("unlink %s: %m", link_path);
}

static int
link_is(const char *target)
{
	char buf[AL_SUN_PATH_MAX * 2];
	ssize_t n = readlink(link_path, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/* A target that is gone, as sshd leaves it after a clean disconnect. */
#define DEAD_TARGET "/tmp/ssh-GoneGone00/agent.99999"

/* ---- PAM ---- */

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
     void *arg)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)arg;
	return PAM_CONV_ERR;
}

static const struct pam_conv pconv = { conv, NULL };
static unsigned long pam_failures;

static pam_handle_t *
pam_begin(const char *confdir, const char *authsock)
{
	char env[AL_SUN_PATH_MAX + 32];
	pam_handle_t *h = NULL;

	if (pam_start_confdir(SERVICE, USER, &pconv, confdir, &h) != PAM_SUCCESS)
		die("pam_start_confdir %s failed", confdir);
	if (pam_set_item(h, PAM_TTY, "ssh") != PAM_SUCCESS)
		die("pam_set_item PAM_TTY failed");
	fmt(env, sizeof(env), "SSH_AUTH_SOCK=%s", authsock);
	if (pam_putenv(h, env) != PAM_SUCCESS)
		die("pam_putenv failed");
	return h;
}

static void
check(pam_handle_t *h, int r, const char *what)
{
	if (r != PAM_SUCCESS) {
		if (pam_failures++ < 5)
			progress("%s: %s", what, pam_strerror(h, r));
	}
}

/* One whole transaction as sshd makes it. */
static void
transaction(const char *confdir, const char *authsock)
{
	pam_handle_t *h = pam_begin(confdir, authsock);

	check(h, pam_open_session(h, 0), "pam_open_session");
	check(h, pam_close_session(h, 0), "pam_close_session");
	pam_end(h, PAM_SUCCESS);
}

/* ---- 1. PAM transactions ---- */

static char confdir_mod[64], confdir_permit[64], confdir_rc[64];
static char live_dir[AL_SUN_PATH_MAX], live_sock[AL_SUN_PATH_MAX];
#define HIDDEN_DIR "/tmp/.bench-hidden"

enum { C_PERMIT, C_KEEP, C_RELINK, C_REMOVE, C_RC_LINK, C_RC_KEEP, C_RC_SH,
       NCASES };
static const char *case_name[NCASES] = {
	"pam_permit.so only",
	"module, link alive (keep)",
	"module, link dead, 1 live (relink)",
	"module, nothing live (remove)",
	"rc script via pam_exec (runs ln)",
	"rc script via pam_exec (link ok)",
	"rc script alone: sh, no PAM (runs ln)",
};

static char rc_path[PATH_MAX];

/* The rc script as sshd runs ~/.ssh/rc: fork, exec /bin/sh, wait. */
static void
rc_alone(const char *authsock)
{
	int st, fd;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		setenv("SSH_AUTH_SOCK", authsock, 1);
		execl("/bin/sh", "sh", rc_path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		pam_failures++;
}

static void
run_case(int c)
{
	if (c == C_RC_SH)
		rc_alone(live_sock);
	else
		transaction(c == C_PERMIT ? confdir_permit :
			    c >= C_RC_LINK ? confdir_rc : confdir_mod, live_sock);
}

/* The live socket lives in live_dir; "hidden" moves it where no scan
 * looks, so that nothing of alice's is live. */
static void
live_visible(int visible)
{
	struct stat st;
	int now = stat(live_dir, &st) == 0;

	if (visible == now)
		return;
	if (visible ? rename(HIDDEN_DIR, live_dir) : rename(live_dir, HIDDEN_DIR))
		die("rename %s: %m", live_dir);
}

static void
setup_case(int c)
{
	switch (c) {
	case C_PERMIT:
		live_visible(1);
		set_link(live_sock);
		break;
	case C_KEEP:
	case C_RC_KEEP:
		live_visible(1);
		set_link(live_sock);
		break;
	case C_RELINK:
		live_visible(1);
		set_link(DEAD_TARGET);
		break;
	case C_REMOVE:
		live_visible(0);
		set_link(DEAD_TARGET);
		break;
	case C_RC_LINK:
	case C_RC_SH:
		live_visible(1);
		drop_link();
		break;
	}
}

/* Did the case end as it should?  Returns 0 if so. */
static int
verify_case(int c)
{
	struct stat st;

	switch (c) {
	case C_KEEP:
	case C_RELINK:
	case C_RC_LINK:
	case C_RC_KEEP:
	case C_RC_SH:
		return !link_is(live_sock);
	case C_REMOVE:
		return lstat(link_path, &st) == 0;
	}
	return 0;
}

static void
bench_transactions(unsigned rounds, unsigned rc_every, double *med)
{
	double *t[NCASES];
	size_t n[NCASES] = { 0 };
	unsigned r, k, bad[NCASES] = { 0 };
	int c;

	for (c = 0; c < NCASES; c++)
		if ((t[c] = calloc(rounds, sizeof(double))) == NULL)
			die("out of memory");
	/* A few untimed transactions of each first: page cache, libpam's
	 * module cache of the dynamic loader. */
	for (c = 0; c < NCASES; c++) {
		for (k = 0; k < 5; k++) {
			setup_case(c);
			run_case(c);
			reap_leftovers();
		}
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < NCASES; k++) {
			/* Rotate the order each round: no case always follows
			 * the same one. */
			double t0, t1;

			c = (int)((k + r) % NCASES);
			if (c >= C_RC_LINK && r % rc_every != 0)
				continue;
			setup_case(c);
			t0 = now_us();
			run_case(c);
			t1 = now_us();
			t[c][n[c]++] = t1 - t0;
			if (verify_case(c) != 0)
				bad[c]++;
			reap_leftovers();
		}
		if (r % 500 == 0)
			progress("transactions: round %u of %u", r, rounds);
	}
	live_visible(1);
	for (c = 0; c < NCASES; c++) {
		struct stats s = stats_of(t[c], n[c]);

		med[c] = s.p50;
		if (bad[c])
			progress("%s: %u of %zu transactions did not end in the "
				 "expected state", case_name[c], bad[c], n[c]);
		if (bad[c])
			pam_failures++;
		free(t[c]);
		t[c] = NULL;
		med[NCASES + c] = (double)n[c];
	}
}

/* ---- 1b. the remove case, call by call ---- */

/*
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
#define CONN_MS 50

enum { P_OPEN_NOW, P_CLOSE_NOW, P_OPEN_CONN, P_CLOSE_CONN, P_BARE_INOTIFY,
       P_BARE_PLAIN, NPARTS };

/* Lets ms pass: a duration, not a wait on anything. */
static void
pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* CPU time of this thread: the calling side of a PAM call. */
static double
cpu_us(void)
{
	return clock_us(CLOCK_THREAD_CPUTIME_ID);
}

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
	if (verify_case(C_REMOVE) != 0)
		pam_failures++;
	reap_leftovers();
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

static void
bench_remove_parts(unsigned rounds, struct stats *wall, struct stats *cpu)
{
	double *w[NPARTS], *c[NPARTS];
	struct cost o, cl;
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
				remove_one(0, &o, &cl);
				w[P_OPEN_NOW][r] = o.wall;
				c[P_OPEN_NOW][r] = o.cpu;
				w[P_CLOSE_NOW][r] = cl.wall;
				c[P_CLOSE_NOW][r] = cl.cpu;
				break;
			case 1:
				remove_one(CONN_MS, &o, &cl);
				w[P_OPEN_CONN][r] = o.wall;
				c[P_OPEN_CONN][r] = o.cpu;
				w[P_CLOSE_CONN][r] = cl.wall;
				c[P_CLOSE_CONN][r] = cl.cpu;
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

/* ---- 2. time to heal ---- */

static pid_t spinners[2];

static void
load_on(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if ((spinners[i] = fork()) < 0)
			die("fork: %m");
		if (spinners[i] == 0) {
			volatile unsigned long x = 0;

			for (;;)
				x++;
		}
	}
}

static void
load_off(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (spinners[i] > 0) {
			kill(spinners[i], SIGKILL);
			while (waitpid(spinners[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
		spinners[i] = 0;
	}
}

static unsigned heal_delay_ms;

struct bound {
	double t0;
	char dir[AL_SUN_PATH_MAX];
	char path[AL_SUN_PATH_MAX];
};

/*
 * sshd's post-auth child: as alice, mkdtemp /tmp/ssh-XXXXXXXXXX, bind
 * agent.<own pid>, listen, and accept until killed.  Reports the time
 * just before bind() and the path.
 */
static pid_t
bind_like_sshd(int report)
{
	struct sockaddr_un sun;
	struct bound b;
	pid_t pid = fork();
	char r[11];
	int fd, c;

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
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
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
	for (;;)
		if ((c = accept(fd, NULL, NULL)) >= 0)
			close(c);
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

static unsigned heal_timeouts;
static int heal_rt;
static int selinux_state = -1;	/* is_selinux_enabled(); -1: not linked */

/* One heal; returns milliseconds, or -1 on time-out. */
static double
heal_once(int ifd)
{
	struct bound b;
	pam_handle_t *h;
	double t1;
	pid_t child;
	int p[2];

	set_link(DEAD_TARGET);
	h = pam_begin(confdir_mod, DEAD_TARGET);
	check(h, pam_open_session(h, 0), "pam_open_session");
	if (pipe(p) != 0)
		die("pipe: %m");
	child = bind_like_sshd(p[1]);
	if (child < 0)
		die("fork: %m");
	close(p[1]);
	if (read(p[0], &b, sizeof(b)) != (ssize_t)sizeof(b))
		die("the binding child failed");
	close(p[0]);
	t1 = wait_link(ifd, b.path, b.t0 + HEAL_TIMEOUT_MS * 1000.0);
	/* sshd's child goes, and sshd removes its socket, before close. */
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
	(void)unlink(b.path);
	(void)rmdir(b.dir);
	check(h, pam_close_session(h, 0), "pam_close_session");
	pam_end(h, PAM_SUCCESS);
	reap_leftovers();
	if (t1 < 0) {
		heal_timeouts++;
		return -1;
	}
	return (t1 - b.t0) / 1000.0;
}

static void
bench_heal(unsigned reps, struct stats *idle, struct stats *loaded)
{
	double *ti = calloc(reps, sizeof(double)), *tl = calloc(reps, sizeof(double));
	size_t ni = 0, nl = 0;
	unsigned r, block = 50;
	int ifd;

	if (ti == NULL || tl == NULL)
		die("out of memory");
	live_visible(0);
	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0 ||
	    inotify_add_watch(ifd, link_dir, IN_CREATE | IN_MOVED_TO) < 0)
		die("inotify on %s: %m", link_dir);
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

/* ---- 3. scale ---- */

#define FOREIGN_FILES 8000
#define FOREIGN_DIRS 1000
#define FOREIGN_SSH 1000

static char (*foreign_ssh)[AL_SUN_PATH_MAX];

static void
foreign_make(void)
{
	struct passwd *bob = getpwnam("bob");
	char path[PATH_MAX], r[11];
	int i, fd;

	if (bob == NULL)
		die("no user bob");
	foreign_ssh = calloc(FOREIGN_SSH, sizeof(*foreign_ssh));
	if (foreign_ssh == NULL)
		die("out of memory");
	for (i = 0; i < FOREIGN_FILES; i++) {
		random_alnum(r, 10);
		fmt(path, sizeof(path), "/tmp/tmp.%s.%d", r, i);
		if ((fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) < 0)
			die("create %s: %m", path);
		close(fd);
	}
	for (i = 0; i < FOREIGN_DIRS; i++) {
		random_alnum(r, 10);
		fmt(path, sizeof(path), "/tmp/systemd-private-%s-%d", r, i);
		if (mkdir(path, 0700) != 0)
			die("mkdir %s: %m", path);
	}
	/* Other users' sshd directories: the same name pattern, unreadable. */
	for (i = 0; i < FOREIGN_SSH; i++)
		make_ssh_dir(foreign_ssh[i], sizeof(foreign_ssh[i]), bob->pw_uid,
			     bob->pw_gid);
}

static void
foreign_remove(void)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d = opendir("/tmp");

	if (d == NULL)
		die("opendir /tmp: %m");
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "tmp.", 4) == 0) {
			fmt(path, sizeof(path), "/tmp/%s", de->d_name);
			(void)unlink(path);
		} else if (strncmp(de->d_name, "systemd-private-", 16) == 0) {
			fmt(path, sizeof(path), "/tmp/%s", de->d_name);
			(void)rmdir(path);
		}
	}
	closedir(d);
	for (int i = 0; i < FOREIGN_SSH; i++)
		(void)rmdir(foreign_ssh[i]);
	free(foreign_ssh);
	foreign_ssh = NULL;
}

/* The i-th of alice's sockets for a server of pid: even ones in
 * dirs[i]/agent.<pid>, odd ones ~/.ssh/agent/s.<hash>.sshd.<names[i]>. */
static void
own_path(char *out, size_t sz, size_t i, pid_t pid, const char *agentdir,
	 char (*dirs)[AL_SUN_PATH_MAX], char (*names)[16])
{
	if (i % 2 == 0)
		fmt(out, sz, "%s/agent.%ld", dirs[i], (long)pid);
	else
		fmt(out, sz, "%s/s.%s.sshd.%s", agentdir, hosthash, names[i]);
}

/* n live sockets of alice's, half in each layout, held by server s. */
static void
own_sockets(struct server *s, size_t n, char (*paths)[AL_SUN_PATH_MAX],
	    char (*dirs)[AL_SUN_PATH_MAX])
{
	static char names[100][16];
	char agentdir[AL_SUN_PATH_MAX];
	struct timespec ts[2];
	int ready[2], *fds;
	size_t i;
	char b;

	if (n > 100)
		die("at most 100 sockets");
	fmt(agentdir, sizeof(agentdir), "%s/.ssh/agent", alice.pw_dir);
	if (mkdir(agentdir, 0700) != 0 && errno != EEXIST)
		die("mkdir %s: %m", agentdir);
	if (chown(agentdir, alice.pw_uid, alice.pw_gid) != 0)
		die("chown %s: %m", agentdir);
	for (i = 0; i < n; i++) {
		dirs[i][0] = '\0';
		if (i % 2 == 0)
			make_ssh_dir(dirs[i], sizeof(dirs[i]), alice.pw_uid,
				     alice.pw_gid);
		else
			random_alnum(names[i], 10);
	}
	if (pipe(ready) != 0)
		die("pipe: %m");
	s->n = n;
	if ((s->pid = fork()) < 0)
		die("fork: %m");
	if (s->pid == 0) {
		close(ready[0]);
		if ((fds = calloc(n, sizeof(*fds))) == NULL)
			_exit(1);
		for (i = 0; i < n; i++) {
			own_path(paths[i], sizeof(paths[i]), i, getpid(), agentdir,
				 dirs, names);
			fds[i] = listen_at(paths[i]);
		}
		serve(fds, n, ready[1]);
	}
	close(ready[1]);
	for (i = 0; i < n; i++)
		own_path(paths[i], sizeof(paths[i]), i, s->pid, agentdir, dirs,
			 names);
	if (read(ready[0], &b, 1) != 1)
		die("the socket server did not start");
	close(ready[0]);
	/* Old sockets, as on a host where connections last: each one a
	 * minute and i seconds old (cleanup looks at sockets older than 2 s;
	 * the newest, paths[0], is what the link should go to). */
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	for (i = 0; i < n; i++) {
		ts[1] = ts[0];
		ts[1].tv_sec -= 60 + (time_t)i;
		if (utimensat(AT_FDCWD, paths[i], ts, AT_SYMLINK_NOFOLLOW) != 0)
			die("utimensat %s: %m", paths[i]);
	}
}

static void
own_sockets_remove(struct server *s, char (*paths)[AL_SUN_PATH_MAX],
		   char (*dirs)[AL_SUN_PATH_MAX])
{
	size_t i;

	server_stop(s);
	for (i = 0; i < s->n; i++) {
		(void)unlink(paths[i]);
		if (dirs[i][0] != '\0')
			(void)rmdir(dirs[i]);
	}
}

/* Calls not counted after each set-up: the first ones after 10,000 new
 * entries in /tmp run on cold caches. */
#define SCALE_WARMUP 20
static unsigned scale_bad;

static struct stats
scale_run(size_t nsock, unsigned reps, char (*paths)[AL_SUN_PATH_MAX],
	  char (*dirs)[AL_SUN_PATH_MAX])
{
	double *t = calloc(reps, sizeof(double));
	struct server s;
	struct stats st;
	unsigned r;

	if (t == NULL)
		die("out of memory");
	own_sockets(&s, nsock, paths, dirs);
	for (r = 0; r < reps + SCALE_WARMUP; r++) {
		pam_handle_t *h;
		double t0, t1;

		set_link(DEAD_TARGET);
		h = pam_begin(confdir_mod, DEAD_TARGET);
		t0 = now_us();
		check(h, pam_close_session(h, 0), "pam_close_session");
		t1 = now_us();
		pam_end(h, PAM_SUCCESS);
		if (!link_is(paths[0]))
			scale_bad++;
		if (r >= SCALE_WARMUP)
			t[r - SCALE_WARMUP] = t1 - t0;
	}
	own_sockets_remove(&s, paths, dirs);
	st = stats_of(t, reps);
	free(t);
	return st;
}

/* ---- 4. whole login ---- */

struct login_opts {
	const char *pam_file, *with, *without, *agent, *ssh_config, *host;
	unsigned reps;
};

static double
one_login(const struct login_opts *o)
{
	double t0, t1;
	pid_t pid;
	int st, fd;

	t0 = now_us();
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		if ((fd = open("/dev/null", O_RDWR)) >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		setenv("SSH_AUTH_SOCK", o->agent, 1);
		execlp("ssh", "ssh", "-F", o->ssh_config, "-A", o->host, "true",
		       (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	t1 = now_us();
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return -1;
	return (t1 - t0) / 1000.0;
}

static char *
slurp(const char *path)
{
	static char buf[2][16384];
	static int k;
	FILE *f = fopen(path, "r");
	size_t n;
	char *b = buf[k++ % 2];

	if (f == NULL)
		die("open %s: %m", path);
	n = fread(b, 1, sizeof(buf[0]) - 1, f);
	fclose(f);
	b[n] = '\0';
	return b;
}

static unsigned login_failures;

/* The median of the paired differences with and without, and its 95 %
 * confidence interval from order statistics (distribution-free: the
 * count of differences below the true median is binomial(n, 1/2)). */
struct paired {
	size_t n;
	double p50, lo, hi;
};

static struct paired
paired_of(double *d, size_t n)
{
	struct paired pd = { n, 0, 0, 0 };
	double half, lo, hi;

	if (n == 0)
		return pd;
	pd.p50 = stats_of(d, n).p50;	/* sorts d */
	/* Ranks n/2 -+ 1.96 sqrt(n) / 2, widened to whole ranks. */
	half = 0.98 * sqrt((double)n);
	lo = floor((double)n / 2 - half) - 1;
	hi = ceil((double)n / 2 + half);
	pd.lo = d[lo < 0 ? 0 : (size_t)lo];
	pd.hi = d[hi > (double)(n - 1) ? n - 1 : (size_t)hi];
	return pd;
}

static void
bench_login(const struct login_opts *o, struct stats *with,
	    struct stats *without, struct paired *diff)
{
	double *tw = calloc(o->reps, sizeof(double)), *tn = calloc(o->reps, sizeof(double));
	double *td = calloc(o->reps, sizeof(double));
	const char *text[2];
	size_t n[2] = { 0, 0 }, nd = 0;
	unsigned r;
	int k;

	if (tw == NULL || tn == NULL || td == NULL)
		die("out of memory");
	text[0] = slurp(o->with);
	text[1] = slurp(o->without);
	for (r = 0; r < 3; r++)
		for (k = 0; k < 2; k++) {
			write_file(o->pam_file, text[k]);
			(void)one_login(o);
		}
	for (r = 0; r < o->reps; r++) {
		double ms[2] = { -1, -1 };

		for (int j = 0; j < 2; j++) {
			k = (int)((r + (unsigned)j) % 2);
			write_file(o->pam_file, text[k]);
			ms[k] = one_login(o);
			if (ms[k] < 0) {
				login_failures++;
				continue;
			}
			if (k == 0)
				tw[n[0]++] = ms[k];
			else
				tn[n[1]++] = ms[k];
		}
		/* The two logins of a round ran back to back: their
		 * difference is free of the machine's drift. */
		if (ms[0] >= 0 && ms[1] >= 0)
			td[nd++] = ms[0] - ms[1];
		reap_leftovers();
		if (r % 25 == 0)
			progress("logins: %u of %u", r, o->reps);
	}
	*with = stats_of(tw, n[0]);
	*without = stats_of(tn, n[1]);
	*diff = paired_of(td, nd);
	free(tw);
	free(tn);
	free(td);
}

/* ---- set-up ---- */

static void
make_confdir(char *out, size_t sz, const char *name, const char *line)
{
	char path[PATH_MAX];

	fmt(out, sz, "%s/%s", BENCH_DIR, name);
	if (mkdir(out, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %m", out);
	fmt(path, sizeof(path), "%s/%s", out, SERVICE);
	write_file(path, line);
}

static void
setup(void)
{
	char line[PATH_MAX + 128], *rc = rc_path, script[1024], host[256],
	    shorthost[256];
	struct passwd *pw = getpwnam(USER);

	if (pw == NULL)
		die("no user %s (run inside tests/lib/ns-run)", USER);
	alice = *pw;
	alice.pw_dir = strdup(pw->pw_dir);
	if (al_hostnames(host, sizeof(host), shorthost, sizeof(shorthost)) != 0)
		die("gethostname: %m");
	al_hosthash(host, hosthash);
	fmt(link_dir, sizeof(link_dir), "%s/.ssh", alice.pw_dir);
	fmt(link_path, sizeof(link_path), "%s/agent-%s.sock", link_dir,
		 shorthost);
	if (mkdir(link_dir, 0700) != 0 && errno != EEXIST)
		die("mkdir %s: %m", link_dir);
	if (chown(link_dir, alice.pw_uid, alice.pw_gid) != 0)
		die("chown %s: %m", link_dir);
	if (mkdir(BENCH_DIR, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %m", BENCH_DIR);

	fmt(line, sizeof(line), "session required %s\n", module_path);
	make_confdir(confdir_mod, sizeof(confdir_mod), "module", line);
	make_confdir(confdir_permit, sizeof(confdir_permit), "permit",
		     "session required pam_permit.so\n");
	/* The seed's ~/.ssh/rc, run once per login (open_session only). */
	fmt(rc, sizeof(rc_path), "%s/ssh-rc", BENCH_DIR);
	fmt(script, sizeof(script),
		 "LINK=%s\n"
		 "if [ ! -S \"$LINK\" ] && [ -S \"$SSH_AUTH_SOCK\" ]; then\n"
		 "\tln -sf \"$SSH_AUTH_SOCK\" \"$LINK\"\n"
		 "fi\n", link_path);
	write_file(rc, script);
	fmt(line, sizeof(line),
		 "session required pam_permit.so\n"
		 "session required pam_exec.so type=open_session /bin/sh %s\n", rc);
	make_confdir(confdir_rc, sizeof(confdir_rc), "rc", line);

	make_ssh_dir(live_dir, sizeof(live_dir), alice.pw_uid, alice.pw_gid);
}

static struct server live_server;

/* alice's one live socket for the transaction and heal cases. */
static void
live_start(void)
{
	int ready[2], fd;
	char b;

	if (pipe(ready) != 0)
		die("pipe: %m");
	if ((live_server.pid = fork()) < 0)
		die("fork: %m");
	if (live_server.pid == 0) {
		close(ready[0]);
		fmt(live_sock, sizeof(live_sock), "%s/agent.%ld", live_dir,
			 (long)getpid());
		fd = listen_at(live_sock);
		serve(&fd, 1, ready[1]);
	}
	close(ready[1]);
	fmt(live_sock, sizeof(live_sock), "%s/agent.%ld", live_dir,
		 (long)live_server.pid);
	if (read(ready[0], &b, 1) != 1)
		die("the live socket did not start");
	close(ready[0]);
	live_server.n = 1;
}

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

static void
usage(void)
{
	fprintf(stderr,
		"usage: agentbench MODULE [--rounds N] [--rc-every K] [--heal N]\n"
		"         [--scale N] [--split N]\n"
		"         [--login N PAMFILE WITH WITHOUT AGENTSOCK SSHCONFIG "
		"HOST]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned rounds = 2000, rc_every = 5, heal = 1000, scale = 300;
	unsigned split = 200;
	struct stats parts[NPARTS], parts_cpu[NPARTS];
	char label[64];
	struct login_opts lo = { 0 };
	double med[2 * NCASES];
	struct stats hi, hl, sc[4], lw, ln;
	struct paired ld = { 0, 0, 0, 0 };
	static char paths[100][AL_SUN_PATH_MAX], dirs[100][AL_SUN_PATH_MAX];
	static const size_t sizes[3] = { 1, 10, 100 };
	double t_start = now_us();
	int i, c, one = -1;

	if (argc < 2)
		usage();
	module_path = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			rounds = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--rc-every") == 0 && i + 1 < argc)
			rc_every = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--heal-delay") == 0 && i + 1 < argc)
			heal_delay_ms = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--one") == 0 && i + 1 < argc)
			one = atoi(argv[++i]);
		else if (strcmp(argv[i], "--heal") == 0 && i + 1 < argc)
			heal = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
			scale = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--split") == 0 && i + 1 < argc)
			split = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--login") == 0 && i + 7 < argc) {
			lo.reps = (unsigned)atoi(argv[++i]);
			lo.pam_file = argv[++i];
			lo.with = argv[++i];
			lo.without = argv[++i];
			lo.agent = argv[++i];
			lo.ssh_config = argv[++i];
			lo.host = argv[++i];
		} else
			usage();
	}
	if (rounds == 0 || rc_every == 0 || heal == 0 || scale == 0 ||
	    split == 0)
		usage();
	if (geteuid() != 0)
		die("must run as root, inside tests/lib/ns-run");
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		die("PR_SET_CHILD_SUBREAPER: %m");
#ifdef HAVE_SELINUX
	/* Debian's sshd links libselinux, so the module's dlopen() finds it
	 * loaded already.  Keep it resident here too, as sshd does, or every
	 * pam_start() maps and initialises it and every pam_end() unmaps it. */
	selinux_state = is_selinux_enabled();
#endif
	setup();
	live_start();
	if (one >= 0 && one < NCASES) {
		/* One transaction of one case, for strace or perf. */
		for (i = 0; i < 3; i++) {
			setup_case(one);
			run_case(one);
			reap_leftovers();
		}
		c = verify_case(one) != 0 || pam_failures != 0;
		server_stop(&live_server);
		return c;
	}

	/* 1 */
	progress("1. PAM transactions: %u rounds (rc script every %u)", rounds,
		 rc_every);
	bench_transactions(rounds, rc_every, med);
	progress("1b. the remove case call by call: %u rounds", split);
	bench_remove_parts(split, parts, parts_cpu);
	/* 2 */
	progress("2. time to heal: %u repetitions", heal);
	bench_heal(heal, &hi, &hl);
	/* 3: 10,000 foreign entries; alice's sockets on top. */
	progress("3. scale: %u calls per size", scale);
	live_visible(0);
	server_stop(&live_server);
	foreign_make();
	for (i = 0; i < 3; i++) {
		progress("scale: %zu live sockets", sizes[i]);
		sc[i] = scale_run(sizes[i], scale, paths, dirs);
	}
	foreign_remove();
	progress("scale: 100 live sockets, no foreign entries");
	sc[3] = scale_run(100, scale, paths, dirs);
	/* 4 */
	if (lo.reps > 0) {
		progress("4. whole login: %u of each", lo.reps);
		bench_login(&lo, &lw, &ln, &ld);
	}
	reap_leftovers();

	/* ---- the table ---- */
	row("1. One PAM transaction (pam_start, PAM_TTY=ssh, open_session, "
	    "close_session, pam_end), interleaved\n");
	row("   (libselinux resident in this process as in sshd: %s)\n",
	    selinux_state < 0 ? "not linked" :
	    selinux_state ? "SELinux enabled" : "SELinux disabled");
	row("   %-38s %10s %7s %10s %13s %13s\n", "case", "median", "runs",
	    "vs permit", "pam_exec rc/", "sh rc/");
	for (c = 0; c < NCASES; c++) {
		row("   %-38s %7.1f us %7.0f %9.2fx", case_name[c], med[c],
		    med[NCASES + c], med[c] / med[C_PERMIT]);
		if (c >= C_KEEP && c <= C_REMOVE)
			row(" %12.1fx %12.1fx\n", med[C_RC_LINK] / med[c],
			    med[C_RC_SH] / med[c]);
		else
			row("\n");
	}
	row("\n   %-41s %10s %10s %10s %9s %6s\n",
	    "The remove case call by call", "median", "p99", "max", "CPU p50",
	    "runs");
	part_row("close right after open: open_session", &parts[P_OPEN_NOW],
		 &parts_cpu[P_OPEN_NOW]);
	part_row("close right after open: close_session", &parts[P_CLOSE_NOW],
		 &parts_cpu[P_CLOSE_NOW]);
	fmt(label, sizeof(label), "%d ms connection: open_session", CONN_MS);
	part_row(label, &parts[P_OPEN_CONN], &parts_cpu[P_OPEN_CONN]);
	fmt(label, sizeof(label), "%d ms connection: close_session", CONN_MS);
	part_row(label, &parts[P_CLOSE_CONN], &parts_cpu[P_CLOSE_CONN]);
	row("   the kernel's part of close's wait: a bare child in ppoll(),\n"
	    "   SIGTERM after %d ms until its exit is seen\n", CONN_MS);
	part_row("  holding inotify on /tmp and ~/.ssh",
		 &parts[P_BARE_INOTIFY], NULL);
	part_row("  without inotify", &parts[P_BARE_PLAIN], NULL);
	row("   (interleaved, order rotated; CPU: this process's, not the "
	    "watch's)\n");
	row("\n2. Time to heal: socket bound (after open_session returned) -> "
	    "link points at it\n");
	row("   %-38s %10s %10s %10s %6s\n", "", "p50", "p99", "max", "runs");
	row("   %-38s %7.3f ms %7.3f ms %7.3f ms %6zu\n", "idle", hi.p50, hi.p99,
	    hi.max, hi.n);
	row("   %-38s %7.3f ms %7.3f ms %7.3f ms %6zu\n",
	    "loaded (2 spinning processes)", hl.p50, hl.p99, hl.max, hl.n);
	row("   (observer %s; the watch and the binding child at normal "
	    "priority)\n", heal_rt ? "at SCHED_FIFO 1" :
	    "at normal priority: SCHED_FIFO refused");
	if (heal_timeouts)
		row("   (%u heals timed out after %d ms; counted as %d ms)\n",
		    heal_timeouts, HEAL_TIMEOUT_MS, HEAL_TIMEOUT_MS);
	row("\n3. Scale: pam_close_session relinking a dead link, /tmp with "
	    "10,000 foreign entries\n");
	row("   %-38s %10s %10s %10s %8s\n", "live sockets of the user", "median",
	    "p99", "max", "vs 1");
	for (i = 0; i < 4; i++)
		row("   %-38s %7.1f us %7.1f us %7.1f us %7.2fx\n",
		    i < 3 ? (sizes[i] == 1 ? "1" : sizes[i] == 10 ? "10" : "100") :
		    "100, /tmp empty (no foreign entries)",
		    sc[i].p50, sc[i].p99, sc[i].max, sc[i].p50 / sc[0].p50);
	row("\n4. Whole login: ssh -A host true against the private sshd\n");
	if (lo.reps > 0) {
		row("   %-38s %7.1f ms  (%zu logins)\n", "without the module", ln.p50,
		    ln.n);
		row("   %-38s %7.1f ms  (%zu logins)\n", "with the module", lw.p50,
		    lw.n);
		row("   %-38s %7.3fx (%+.1f %%)\n", "ratio", lw.p50 / ln.p50,
		    (lw.p50 / ln.p50 - 1) * 100);
		row("   %-38s %+7.1f ms  (%+.1f %%; 95 %% interval %+.1f to "
		    "%+.1f ms)\n", "paired difference, median", ld.p50,
		    ld.p50 / ln.p50 * 100, ld.lo, ld.hi);
		if (login_failures)
			row("   (%u logins failed and are not counted)\n",
			    login_failures);
	} else {
		row("   not run (no --login)\n");
	}
	if (pam_failures || scale_bad)
		row("\nWARNING: %lu PAM calls failed or ended in the wrong state, "
		    "%u scale calls did not relink\n", pam_failures, scale_bad);
	row("\n(bench took %.0f s)\n", (now_us() - t_start) / 1e6);
	fputs(table, stdout);
	return pam_failures || scale_bad || heal_timeouts || login_failures;
}
