/*
 * syscalls.c - 1c. the system calls of one transaction, by name: the
 * keep cases against pam_permit.so's.
 *
 * strace, a child of this process, attaches to it (strace -f -p: the
 * fake agents' process, forked before, is not traced; whatever the
 * transactions fork is) and writes every call to a file.  Each counted
 * transaction is marked by two calls that fail at once,
 * access("/agentbench-syscalls/begin/<case>") and ".../end", so that
 * only the calls between them count for this process: not the
 * fixture's, nor the check and reap after each transaction.  Any other
 * traced process is the module's (its watch): the bench forks nothing
 * else while strace is attached, so those are counted apart, whole.
 * Counting is exact: a call is a line that starts one (not a "resumed"
 * one), errors included, as strace -c counts.  Per transaction is the
 * count over the marked transactions divided by their number; each case
 * first runs WARMUP unmarked transactions, which let the attach settle.
 * Nothing here judges a count: they are printed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

#define TRACE_FILE BENCH_DIR "/syscalls.strace"
#define MARK_BEGIN "/agentbench-syscalls/begin/"
#define MARK_END "/agentbench-syscalls/end"
/* Unmarked transactions of each case before the marked ones. */
#define WARMUP 2

/* The cases counted, in the table's order; C_PERMIT is the base. */
static const int sc_cases[] = { C_PERMIT, C_KEEP, C_KEEP_P0 };
#define NSC (sizeof(sc_cases) / sizeof(sc_cases[0]))

/* ---- strace ---- */

/* Is prog an executable file in $PATH? */
static int
in_path(const char *prog)
{
	const char *p = getenv("PATH"), *e;
	char path[PATH_MAX];

	if (p == NULL)
		p = "/usr/bin:/bin";
	for (; *p != '\0'; p = e + (*e != '\0')) {
		e = strchrnul(p, ':');
		if (e > p && (size_t)(e - p) + strlen(prog) + 2 < sizeof(path)) {
			memcpy(path, p, (size_t)(e - p));
			path[e - p] = '/';
			strcpy(path + (e - p) + 1, prog);
			if (access(path, X_OK) == 0)
				return 1;
		}
	}
	return 0;
}

/* This process's tracer, from /proc/self/status; -1 if unreadable. */
static long
tracer_pid(void)
{
	char line[256];
	long t = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		die("open /proc/self/status: %m");
	while (t < 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "TracerPid: %ld", &t) != 1)
			t = -1;
	fclose(f);
	return t;
}

/* strace -f attached to this process, writing to TRACE_FILE; its pid, or
 * -1 with *why set when it did not attach. */
static pid_t
strace_start(const char **why)
{
	char self[24];
	double deadline = now_us() + HEAL_TIMEOUT_MS * 1000.0;
	pid_t pid, ended = 0;

	fmt(self, sizeof(self), "%ld", (long)getpid());
	if ((pid = fork()) < 0)
		die("fork: %m");
	if (pid == 0) {
		execlp("strace", "strace", "-f", "-qq", "-o", TRACE_FILE, "-p",
		       self, (char *)NULL);
		_exit(127);
	}
	own_child(pid, 1);
	while (tracer_pid() != pid) {
		if ((ended = waitpid(pid, NULL, WNOHANG)) == pid ||
		    now_us() > deadline) {
			*why = "strace did not attach";
			if (ended != pid) {
				kill(pid, SIGKILL);
				(void)waitpid(pid, NULL, 0);
			}
			own_child(pid, 0);
			return -1;
		}
		pause_ms(1);
	}
	return pid;
}

/* strace detaches on SIGINT and writes out the rest. */
static void
strace_stop(pid_t pid)
{
	if (kill(pid, SIGINT) != 0)
		die("kill strace: %m");
	while (waitpid(pid, NULL, 0) < 0)
		if (errno != EINTR)
			die("waitpid for strace: %m");
	own_child(pid, 0);
}

/* ---- the marked transactions ---- */

static void
mark(const char *what, int c)
{
	char path[64];

	fmt(path, sizeof(path), "%s%d", what, c);
	(void)access(path, F_OK);
}

/* One transaction of case c, marked when marked is set. */
static int
sc_transaction(int c, int marked)
{
	setup_case(c);
	if (marked)
		mark(MARK_BEGIN, c);
	run_case(c, NULL);
	if (marked)
		(void)access(MARK_END, F_OK);
	return verify_case(c, case_done());
}

/* ---- the trace ---- */

/* A call's name into r's table; its index, or -1 when the table is full. */
static int
name_index(struct syscall_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->name[i], name) == 0)
			return (int)i;
	if (r->nnames == SC_NAMES)
		return -1;
	fmt(r->name[r->nnames], sizeof(r->name[0]), "%s", name);
	return (int)r->nnames++;
}

/*
 * One line of strace -f: "PID  name(args) = ret", "PID  name(args
 * <unfinished ...>", "PID  <... name resumed>...", "PID  --- SIG... ---",
 * "PID  +++ exited ... +++".  Puts the pid and the name of a call that
 * starts here; returns 0 for any other line.
 */
static int
parse_line(const char *line, long *pid, char *name, size_t sz)
{
	const char *p;
	char *end;
	size_t n;

	*pid = strtol(line, &end, 10);
	if (end == line || *pid <= 0)
		return 0;
	for (p = end; *p == ' '; p++)
		;
	for (n = 0; p[n] == '_' || (p[n] >= 'a' && p[n] <= 'z') ||
	     (p[n] >= '0' && p[n] <= '9'); n++)
		;
	if (n == 0 || n >= sz || p[n] != '(')
		return 0;
	memcpy(name, p, n);
	name[n] = '\0';
	return 1;
}

/* The module's other processes seen in the trace, and the case whose
 * transaction was the last begun when each was first seen. */
struct procs {
	long pid[64];
	int c[64];
	size_t n;
};

/* The case pid is counted under; -1 when the table is full, -2 for a
 * process of the unmarked transactions before the first marked one. */
static int
proc_case(struct procs *ps, long pid, int last, struct syscall_result *r)
{
	size_t k;

	for (k = 0; k < ps->n; k++)
		if (ps->pid[k] == pid)
			return ps->c[k];
	if (last < 0)
		return -2;
	if (ps->n == sizeof(ps->pid) / sizeof(ps->pid[0]))
		return -1;
	ps->pid[ps->n] = pid;
	ps->c[ps->n++] = last;
	r->c[last].procs++;
	return last;
}

/* Counts the call name of case c in counts (the call[] or watch[] of
 * r->c[c]); returns -1 if the table of names is full. */
static int
count(struct syscall_result *r, unsigned long *counts, const char *name)
{
	int i = name_index(r, name);

	if (i < 0)
		return -1;
	counts[i]++;
	return 0;
}

/* A transaction of case cur ended with in_tr calls of this process's. */
static void
window_done(struct syscall_counts *sc, unsigned long in_tr)
{
	if (sc->windows == 0 || in_tr < sc->min)
		sc->min = in_tr;
	if (in_tr > sc->max)
		sc->max = in_tr;
	sc->windows++;
}

/* Adds the trace's calls to r: this process's between the marks, each
 * of the module's other processes' whole, under the case whose
 * transaction started it.  Returns 0, or -1 if a table was full. */
static int
read_trace(struct syscall_result *r, long self)
{
	char line[4096], name[SC_NAME_MAX];
	struct procs ps = { .n = 0 };
	unsigned long in_tr = 0;
	long pid;
	int cur = -1, last = -1, c, bad = 0, cont = 0;
	FILE *f = fopen(TRACE_FILE, "r");
	const char *m;

	if (f == NULL)
		die("open %s: %m", TRACE_FILE);
	while (fgets(line, sizeof(line), f) != NULL) {
		/* The rest of a line longer than line[] is no line's start. */
		int start = !cont;

		cont = strchr(line, '\n') == NULL;
		if (!start || !parse_line(line, &pid, name, sizeof(name)))
			continue;
		if (pid != self) {
			if ((c = proc_case(&ps, pid, last, r)) == -1 ||
			    (c >= 0 && count(r, r->c[c].watch, name) < 0))
				bad = 1;
		} else if ((m = strstr(line, MARK_BEGIN)) != NULL) {
			cur = atoi(m + strlen(MARK_BEGIN));
			if (cur < 0 || cur >= NCASES)
				die("%s: a mark of no case: %s", TRACE_FILE, line);
			last = cur;
			in_tr = 0;
		} else if (strstr(line, MARK_END) != NULL) {
			if (cur >= 0)
				window_done(&r->c[cur], in_tr);
			cur = -1;
		} else if (cur >= 0) {
			in_tr++;
			if (count(r, r->c[cur].call, name) < 0)
				bad = 1;
		}
	}
	if (ferror(f))
		die("read %s: %m", TRACE_FILE);
	fclose(f);
	return bad ? -1 : 0;
}

/* ---- the measurement ---- */

/*
 * reps marked transactions of each counted case, interleaved, order
 * rotated each round as in 1, after WARMUP unmarked ones of each; r gets
 * the counts, or r->not_measured says why there are none.
 */
void
bench_syscalls(unsigned reps, struct syscall_result *r)
{
	const char *why = NULL;
	unsigned k;
	size_t i;
	pid_t st;
	int c;

	memset(r, 0, sizeof(*r));
	r->reps = reps;
	if (!in_path("strace")) {
		r->not_measured = "strace not installed";
		return;
	}
	if ((st = strace_start(&why)) < 0) {
		r->not_measured = why;
		return;
	}
	for (i = 0; i < NSC; i++)
		for (k = 0; k < WARMUP; k++)
			r->c[sc_cases[i]].bad += sc_transaction(sc_cases[i], 0);
	for (k = 0; k < reps; k++)
		for (i = 0; i < NSC; i++) {
			c = sc_cases[(i + k) % NSC];
			r->c[c].bad += sc_transaction(c, 1);
		}
	strace_stop(st);
	hung_visible(0);
	live_visible(1);
	if (read_trace(r, (long)getpid()) != 0)
		r->not_measured = "too many call names or processes in the trace";
	for (i = 0; i < NSC; i++) {
		c = sc_cases[i];
		if (r->c[c].windows != reps)
			r->not_measured = "the trace lacks marked transactions";
		if (r->c[c].bad) {
			progress("system calls: %u transactions of case %d did "
				 "not end in the expected state", r->c[c].bad, c);
			pam_failures++;
		}
	}
}

/* ---- the table ---- */

/* Calls of case c per transaction: this process's (call) or its other
 * processes' (watch); name i, or all when i < 0. */
static double
per_tr(const struct syscall_result *r, int c, int watch, int i)
{
	const unsigned long *n = watch ? r->c[c].watch : r->c[c].call;
	unsigned long sum = 0;
	size_t k;

	if (i >= 0)
		sum = n[i];
	else
		for (k = 0; k < r->nnames; k++)
			sum += n[k];
	return r->c[c].windows ? (double)sum / r->c[c].windows : 0;
}

int
syscalls_extra(const struct syscall_result *r, int c, double *extra)
{
	size_t i;

	if (r->not_measured != NULL)
		return -1;
	for (i = 0; i < NSC; i++)
		if (sc_cases[i] == c && c != C_PERMIT) {
			*extra = per_tr(r, c, 0, -1) - per_tr(r, C_PERMIT, 0, -1);
			return 0;
		}
	return -1;
}

/* The names' order in the table: most extra calls in the keep case
 * first, then by name. */
static const struct syscall_result *sorting;

static int
cmp_extra(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	double x = per_tr(sorting, C_KEEP, 0, i) - per_tr(sorting, C_PERMIT, 0, i);
	double y = per_tr(sorting, C_KEEP, 0, j) - per_tr(sorting, C_PERMIT, 0, j);

	if (x != y)
		return x < y ? 1 : -1;
	return strcmp(sorting->name[i], sorting->name[j]);
}

/* A row of name i (all: i < 0): permit's calls, then each other case's
 * and its difference to permit's. */
static void
calls_row(const struct syscall_result *r, const char *what, int i)
{
	double base = per_tr(r, C_PERMIT, 0, i), n;
	size_t k;

	row("   %-22s %9.1f", what, base);
	for (k = 1; k < NSC; k++) {
		n = per_tr(r, sc_cases[k], 0, i);
		row(" %9.1f %+9.1f", n, n - base);
	}
	row("\n");
}

/* Did a name's count differ between permit and any counted case? */
static int
differs(const struct syscall_result *r, int i)
{
	size_t k;

	for (k = 1; k < NSC; k++)
		if (r->c[sc_cases[k]].call[i] * r->c[C_PERMIT].windows !=
		    r->c[C_PERMIT].call[i] * r->c[sc_cases[k]].windows)
			return 1;
	return 0;
}

/* The module's other processes in case c: how many, their calls. */
static void
watch_row(const struct syscall_result *r, int c, const char *label)
{
	size_t i, n = 0;

	if (r->c[c].procs == 0) {
		row("   %s: the module started no process (no watch) in its %u "
		    "transactions\n", label, r->c[c].windows);
		return;
	}
	row("   %s: %u processes of the module's (the watch) in %u "
	    "transactions,\n   %.1f calls of theirs per transaction:", label,
	    r->c[c].procs, r->c[c].windows, per_tr(r, c, 1, -1));
	for (i = 0; i < r->nnames; i++)
		if (r->c[c].watch[i])
			row("%s %s %.1f", n++ % 6 ? "," : "\n    ", r->name[i],
			    per_tr(r, c, 1, (int)i));
	row("\n");
}

void
print_syscalls(const struct syscall_result *r)
{
	int idx[SC_NAMES];
	size_t i, n = 0;

	row("\n   1c. System calls per transaction, this process's (libpam and "
	    "the module), by name\n");
	if (r->not_measured != NULL) {
		row("   not measured: %s\n", r->not_measured);
		return;
	}
	row("   (strace -f attached to this process; %u marked transactions "
	    "of each case, interleaved;\n   the bench's own set-up and checks "
	    "between them not counted; names whose count is the same not "
	    "shown)\n", r->reps);
	row("   %-22s %9s %9s %9s %9s %9s\n", "system call", "permit", "keep",
	    "+keep", "probe=0", "+probe=0");
	for (i = 0; i < r->nnames; i++)
		if (differs(r, (int)i))
			idx[n++] = (int)i;
	sorting = r;
	qsort(idx, n, sizeof(idx[0]), cmp_extra);
	for (i = 0; i < n; i++)
		calls_row(r, r->name[idx[i]], idx[i]);
	calls_row(r, "total", -1);
	row("   (one transaction's calls, min-max: permit %lu-%lu, keep %lu-%lu, "
	    "probe=0 %lu-%lu)\n", r->c[C_PERMIT].min, r->c[C_PERMIT].max,
	    r->c[C_KEEP].min, r->c[C_KEEP].max, r->c[C_KEEP_P0].min,
	    r->c[C_KEEP_P0].max);
	watch_row(r, C_KEEP, "keep");
	watch_row(r, C_KEEP_P0, "probe=0");
}
