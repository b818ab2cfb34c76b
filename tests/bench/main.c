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
 *      pam_exec.so running a seed-style ~/.ssh/rc, interleaved in rounds
 *      (transactions.c); then the remove case call by call, and the
 *      kernel's part of close's wait: a bare child with and without
 *      inotify, told to exit (remove_parts.c);
 *   1c. the system calls of a transaction by name, the keep cases against
 *      pam_permit.so's: strace attached to this process, the transactions
 *      marked (syscalls.c);
 *   2. time to heal: after pam_open_session (nothing live: the watch runs)
 *      a child of this process binds /tmp/ssh-XXXXXXXXXX/agent.<its pid>
 *      as alice, the way sshd's post-auth child does, and answers on it
 *      as an agent; the time until the link points at it, idle and with
 *      two spinning processes (heal.c);
 *   2b. the same from a hung link: open keeps it and the watch asks its
 *      agent again, for probe= ms, before it looks at the new socket
 *      (heal.c);
 *   3. scale: pam_close_session relinking a dead link with 10,000 foreign
 *      entries in /tmp and 1, 10 and 100 live sockets of alice's
 *      (scale.c);
 *   3b. open+close relinking a dead link, /tmp empty and with another
 *      user's 20,000 /tmp/ssh-* directories, side by side (scale.c);
 *   4. whole login (with --login): "ssh -A host true" against the private
 *      sshd, with and without the module in its PAM stack, alternating
 *      (whole_login.c).
 * Nothing here judges a time: the figures are printed, not asserted.
 * This file holds the options, the order of the runs and the table's
 * order; bench.h declares what the files share.
 *
 * The agent sockets are fake agents (agents.c): the module asks each
 * socket SSH_AGENTC_EXTENSION "query", and a socket that only accepts is
 * a hung agent to it.  alice, her link, the PAM stacks and her two
 * agents are set up in fixture.c; clocks, statistics, the table's rows
 * and the PAM handle in common.c.
 *
 * This process is the "sshd monitor": the module's watch is a detached
 * grandchild, so it becomes a child subreaper and reaps what is left
 * (processes.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench.h"
#include "cfg.h"

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

static void
usage(void)
{
	fprintf(stderr,
		"usage: agentbench MODULE [--rounds N] [--rc-every K] [--heal N]\n"
		"         [--scale N] [--split N] [--syscalls N] [--hung-every K]\n"
		"         [--hung N] [--hung-probe MS] [--hung-default N]\n"
		"         [--login N PAMFILE WITH WITHOUT AGENTSOCK SSHCONFIG "
		"HOST]\n");
	exit(2);
}

/* The options; main() gives the defaults. */
struct options {
	const char *module;
	unsigned rounds, rc_every, heal, scale, split, hung, hung_default;
	unsigned hung_every, hung_probe_ms, syscalls;
	int one;			/* --one: a case's number, or -1 */
	struct login_opts lo;		/* lo.reps 0: no --login */
};

static void
parse_options(int argc, char **argv, struct options *o)
{
	int i;

	if (argc < 2)
		usage();
	o->module = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
			o->rounds = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--rc-every") == 0 && i + 1 < argc)
			o->rc_every = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--heal-delay") == 0 && i + 1 < argc)
			heal_delay_ms = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--one") == 0 && i + 1 < argc)
			o->one = atoi(argv[++i]);
		else if (strcmp(argv[i], "--heal") == 0 && i + 1 < argc)
			o->heal = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc)
			o->scale = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--split") == 0 && i + 1 < argc)
			o->split = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--syscalls") == 0 && i + 1 < argc)
			o->syscalls = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung-every") == 0 && i + 1 < argc)
			o->hung_every = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung") == 0 && i + 1 < argc)
			o->hung = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung-probe") == 0 && i + 1 < argc)
			o->hung_probe_ms = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--hung-default") == 0 && i + 1 < argc)
			o->hung_default = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--login") == 0 && i + 7 < argc) {
			o->lo.reps = (unsigned)atoi(argv[++i]);
			o->lo.pam_file = argv[++i];
			o->lo.with = argv[++i];
			o->lo.without = argv[++i];
			o->lo.agent = argv[++i];
			o->lo.ssh_config = argv[++i];
			o->lo.host = argv[++i];
		} else
			usage();
	}
	/* probe=0 has no hung agent to heal from: the link that accepts is
	 * kept and no watch starts. */
	if (o->rounds == 0 || o->rc_every == 0 || o->heal == 0 ||
	    o->scale == 0 || o->split == 0 || o->hung_every == 0 ||
	    o->syscalls == 0 ||
	    o->hung_probe_ms == 0 || o->hung_probe_ms > AL_MAX_PROBE_MS)
		usage();
}

/* --one: three transactions of case c, for strace or perf; returns the
 * exit status. */
static int
one_case(int c)
{
	int i, bad = 0;

	for (i = 0; i < 3; i++) {
		setup_case(c);
		run_case(c, NULL);
		bad |= verify_case(c, case_done());
	}
	live_stop();
	return bad != 0 || pam_failures != 0;
}

int
main(int argc, char **argv)
{
	struct options o = {
		.rounds = 2000, .rc_every = 5, .heal = 1000, .scale = 300,
		.split = 200, .hung = 50, .hung_default = 100, .hung_every = 100,
		.hung_probe_ms = 300, .syscalls = 20, .one = -1,
	};
	int selinux_state = -1;	/* is_selinux_enabled(); -1: not linked */
	unsigned hung_timeouts;
	struct stats parts[NPARTS], parts_cpu[NPARTS], rt;
	struct case_result res[NCASES];
	struct hung_split hs;
	static struct syscall_result calls;	/* about 30 KB: not on the stack */
	struct hung_heal hh[2];
	struct stats hi, hl, sc[SCALE_RUNS], fo[FOREIGN_RUNS], lw, ln;
	struct paired ld = { 0, 0, 0, 0 };
	double t_start = now_us();

	parse_options(argc, argv, &o);
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
	setup(o.module, o.hung_probe_ms);
	live_start();
	if (o.one >= 0 && o.one < NCASES)
		return one_case(o.one);

	/* 1 */
	progress("1. PAM transactions: %u rounds (rc script every %u, hung "
		 "agent every %u)", o.rounds, o.rc_every, o.hung_every);
	rt = agent_roundtrip(o.rounds);
	bench_transactions(o.rounds, o.rc_every, o.hung_every, res, &hs);
	progress("1c. system calls per transaction: %u of each counted case "
		 "under strace", o.syscalls);
	bench_syscalls(o.syscalls, &calls);
	progress("1b. the remove case call by call: %u rounds", o.split);
	bench_remove_parts(o.split, parts, parts_cpu);
	/* 2 */
	progress("2. time to heal: %u repetitions", o.heal);
	bench_heal(o.heal, &hi, &hl);
	hung_timeouts = heal_timeouts;
	progress("2b. heal from a hung link: %u at probe=%u, %u at probe=%u",
		 o.hung, o.hung_probe_ms, o.hung_default, AL_DEFAULT_PROBE_MS);
	memset(hh, 0, sizeof(hh));
	bench_heal_hung(o.hung, confdir_hp, o.hung_probe_ms, &hh[0]);
	bench_heal_hung(o.hung_default, confdir_mod, AL_DEFAULT_PROBE_MS,
			&hh[1]);
	hung_timeouts = heal_timeouts - hung_timeouts;
	heal_timeouts -= hung_timeouts;
	/* 3: 10,000 foreign entries; alice's sockets on top. */
	progress("3. scale: %u calls per size", o.scale);
	live_visible(0);
	live_stop();
	bench_scale(o.scale, sc);
	bench_foreign(o.scale, fo);
	/* 4 */
	if (o.lo.reps > 0) {
		progress("4. whole login: %u of each", o.lo.reps);
		bench_login(&o.lo, &lw, &ln, &ld);
	}
	reap_leftovers();

	/* ---- the table ---- */
	print_transactions(res, &hs, &rt, &calls, selinux_state);
	print_syscalls(&calls);
	print_remove_parts(parts, parts_cpu);
	print_heal(&hi, &hl, heal_timeouts);
	print_heal_hung(hh, 2, hung_timeouts);
	print_scale(sc);
	print_foreign(fo);
	print_login(&o.lo, &lw, &ln, &ld);
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
