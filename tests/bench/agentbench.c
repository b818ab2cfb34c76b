/*
 * agentbench - the measuring loops behind "make bench".
 *
 *   agentbench MODULE [options]      (as root, inside tests/lib/ns-run)
 *
 * Runs, in this order, and prints one table at the end:
 *   1. whole PAM transactions through the real libpam (pam_start_confdir,
 *      PAM_TTY "ssh", open, close, pam_end): the module in five states
 *      (link alive and its agent answering, the same with probe=0, link
 *      alive and its agent hung; relink; remove), pam_permit.so alone,
 *      pam_exec.so running a seed-style ~/.ssh/rc, interleaved in rounds;
 *      then the remove case call by call, and the kernel's part of
 *      close's wait: a bare child with and without inotify, told to exit;
 *   2. time to heal: after pam_open_session (nothing live: the watch runs)
 *      a child of this process binds /tmp/ssh-XXXXXXXXXX/agent.<its pid>
 *      as alice, the way sshd's post-auth child does, and answers on it
 *      as an agent; the time until the link points at it, idle and with
 *      two spinning processes;
 *   2b. the same from a hung link: open keeps it and the watch asks its
 *      agent again, for probe= ms, before it looks at the new socket;
 *   3. scale: pam_close_session relinking a dead link with 10,000 foreign
 *      entries in /tmp and 1, 10 and 100 live sockets of alice's;
 *   4. whole login (with --login): "ssh -A host true" against the private
 *      sshd, with and without the module in its PAM stack, alternating.
 * Nothing here judges a time: the figures are printed, not asserted.
 *
 * The agent sockets are fake agents (see "fake agents" below): the module
 * asks each socket SSH_AGENTC_EXTENSION "query", and a socket that only
 * accepts is a hung agent to it.
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
#include <pthread.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "bench.h"

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

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

static void
usage(void)
{
	fprintf(stderr,
		"usage: agentbench MODULE [--rounds N] [--rc-every K] [--heal N]\n"
		"         [--scale N] [--split N] [--hung-every K] [--hung N]\n"
		"         [--hung-probe MS] [--hung-default N]\n"
		"         [--login N PAMFILE WITH WITHOUT AGENTSOCK SSHCONFIG "
		"HOST]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned rounds = 2000, rc_every = 5, heal = 1000, scale = 300;
	unsigned split = 200, hung = 50, hung_default = 5, hung_timeouts;
	unsigned hung_every = 100, hung_probe_ms = 300;
	int selinux_state = -1;	/* is_selinux_enabled(); -1: not linked */
	const char *module_path;
	struct stats parts[NPARTS], parts_cpu[NPARTS], rt;
	struct login_opts lo = { 0 };
	struct case_result res[NCASES];
	struct hung_split hs;
	struct hung_heal hh[2];
	struct stats hi, hl, sc[SCALE_RUNS], lw, ln;
	struct paired ld = { 0, 0, 0, 0 };
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
		else if (strcmp(argv[i], "--hung-every") == 0 && i + 1 < argc)
			hung_every = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung") == 0 && i + 1 < argc)
			hung = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung-probe") == 0 && i + 1 < argc)
			hung_probe_ms = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung-default") == 0 && i + 1 < argc)
			hung_default = (unsigned)atoi(argv[++i]);
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
	/* probe=0 has no hung agent to heal from: the link that accepts is
	 * kept and no watch starts. */
	if (rounds == 0 || rc_every == 0 || heal == 0 || scale == 0 ||
	    split == 0 || hung_every == 0 || hung_probe_ms == 0 ||
	    hung_probe_ms > AL_MAX_PROBE_MS)
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
	setup(module_path, hung_probe_ms);
	live_start();
	if (one >= 0 && one < NCASES) {
		/* One transaction of one case, for strace or perf. */
		for (i = 0, c = 0; i < 3; i++) {
			setup_case(one);
			run_case(one, NULL);
			c |= verify_case(one, case_done());
		}
		live_stop();
		return c != 0 || pam_failures != 0;
	}

	/* 1 */
	progress("1. PAM transactions: %u rounds (rc script every %u, hung "
		 "agent every %u)", rounds, rc_every, hung_every);
	rt = agent_roundtrip(rounds);
	bench_transactions(rounds, rc_every, hung_every, res, &hs);
	progress("1b. the remove case call by call: %u rounds", split);
	bench_remove_parts(split, parts, parts_cpu);
	/* 2 */
	progress("2. time to heal: %u repetitions", heal);
	bench_heal(heal, &hi, &hl);
	hung_timeouts = heal_timeouts;
	progress("2b. heal from a hung link: %u at probe=%u, %u at probe=%u",
		 hung, hung_probe_ms, hung_default, AL_DEFAULT_PROBE_MS);
	memset(hh, 0, sizeof(hh));
	bench_heal_hung(hung, confdir_hp, hung_probe_ms, &hh[0]);
	bench_heal_hung(hung_default, confdir_mod, AL_DEFAULT_PROBE_MS, &hh[1]);
	hung_timeouts = heal_timeouts - hung_timeouts;
	heal_timeouts -= hung_timeouts;
	/* 3: 10,000 foreign entries; alice's sockets on top. */
	progress("3. scale: %u calls per size", scale);
	live_visible(0);
	live_stop();
	bench_scale(scale, sc);
	/* 4 */
	if (lo.reps > 0) {
		progress("4. whole login: %u of each", lo.reps);
		bench_login(&lo, &lw, &ln, &ld);
	}
	reap_leftovers();

	/* ---- the table ---- */
	print_transactions(res, &hs, &rt, selinux_state);
	print_remove_parts(parts, parts_cpu);
	print_heal(&hi, &hl, heal_timeouts);
	print_heal_hung(hh, 2, hung_timeouts);
	print_scale(sc);
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
	if (stray_procs)
		row("\nWARNING: %u of the module's processes had not ended %d ms "
		    "after close_session and were killed\n", stray_procs,
		    WATCH_END_MS);
	row("\n(bench took %.0f s)\n", (now_us() - t_start) / 1e6);
	table_print();
	return pam_failures || scale_bad || heal_timeouts || hung_timeouts ||
	    login_failures || stray_procs;
}
