/*
 * whole_login.c - 4. whole login (with --login): "ssh -A host true"
 * against the private sshd, with and without the module in its PAM
 * stack, alternating.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* One login: the milliseconds from fork() to ssh's exit, or -1 when it
 * fails. */
static double
one_login(const struct login_opts *o)
{
	double t0, t1;
	pid_t pid;
	int st;

	t0 = now_us();
	pid = fork();
	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		child_quiet(3, o->agent);
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

/* A file's text, in one of two buffers: the stack with the module and
 * the one without are both held. */
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

unsigned login_failures;

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

void
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

/* Section 4 of the table: "not run" without --login. */
void
print_login(const struct login_opts *o, const struct stats *with,
	    const struct stats *without, const struct paired *diff)
{
	row("\n4. Whole login: ssh -A host true against the private sshd\n");
	if (o->reps > 0) {
		row("   %-38s %7.1f ms  (%zu logins)\n", "without the module",
		    without->p50, without->n);
		row("   %-38s %7.1f ms  (%zu logins)\n", "with the module",
		    with->p50, with->n);
		row("   %-38s %7.3fx (%+.1f %%)\n", "ratio",
		    with->p50 / without->p50, (with->p50 / without->p50 - 1) * 100);
		row("   %-38s %+7.1f ms  (%+.1f %%; 95 %% interval %+.1f to "
		    "%+.1f ms)\n", "paired difference, median", diff->p50,
		    diff->p50 / without->p50 * 100, diff->lo, diff->hi);
		if (login_failures)
			row("   (%u logins failed and are not counted)\n",
			    login_failures);
	} else {
		row("   not run (no --login)\n");
	}
}
