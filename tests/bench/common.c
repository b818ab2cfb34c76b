/*
 * common.c - what every measurement of agentbench uses: messages, the
 * clocks, statistics, the table's rows, files and PAM transactions.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "sunpath.h"

/* ---- messages ---- */

/* A line on stderr: prefix, then fmt's text. */
static void
say(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("agentbench: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void
progress(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("# ", fmt, ap);
	va_end(ap);
}

/* snprintf that dies rather than truncate. */
void
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

double
now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* CPU time of this thread: the calling side of a PAM call. */
double
cpu_us(void)
{
	return clock_us(CLOCK_THREAD_CPUTIME_ID);
}

/* Lets ms pass: a duration, not a wait on anything. */
void
pause_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v in place. */
struct stats
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

/* The rows, printed whole by table_print() at the end. */
static char table[16384];
static size_t table_len;

void
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

/* A row in milliseconds: p50, p99, max, runs. */
void
ms_row(const char *what, const struct stats *s)
{
	row("   %-44s %7.1f ms %7.1f ms %7.1f ms %6zu\n", what, s->p50, s->p99,
	    s->max, s->n);
}

void
table_print(void)
{
	fputs(table, stdout);
}

/* ---- files ---- */

void
write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f;

	fmt(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "w")) == NULL || fputs(text, f) == EOF ||
	    fclose(f) != 0 || rename(tmp, path) != 0)
		die("write %s: %m", path);
}

void
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
void
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

/* In a forked child, before its exec: the first nfds of stdin, stdout
 * and stderr on /dev/null, and SSH_AUTH_SOCK=authsock. */
void
child_quiet(int nfds, const char *authsock)
{
	int fd, i;

	if ((fd = open("/dev/null", O_RDWR)) >= 0)
		for (i = 0; i < nfds; i++)
			dup2(fd, i);
	setenv("SSH_AUTH_SOCK", authsock, 1);
}

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
unsigned long pam_failures;

pam_handle_t *
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

void
check(pam_handle_t *h, int r, const char *what)
{
	if (r != PAM_SUCCESS) {
		if (pam_failures++ < 5)
			progress("%s: %s", what, pam_strerror(h, r));
	}
}
