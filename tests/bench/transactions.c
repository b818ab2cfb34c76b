/*
 * transactions.c - 1. whole PAM transactions through the real libpam
 * (pam_start_confdir, PAM_TTY "ssh", open, close, pam_end): the module in
 * five states (link alive and its agent answering, the same with probe=0,
 * link alive and its agent hung; relink; remove), pam_permit.so alone,
 * pam_exec.so running a seed-style ~/.ssh/rc, interleaved in rounds; the
 * hung case call by call; and the fake agent's answer as this process
 * sees it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "cfg.h"
#include "probe.h"

/* One whole transaction as sshd makes it; when split is given, the wall
 * time of open_session and of close_session in it, in us. */
struct split {
	double open, close;
};

static void
transaction(const char *confdir, const char *authsock, struct split *split)
{
	pam_handle_t *h = pam_begin(confdir, authsock);
	double t0 = 0, t1 = 0, t2 = 0;

	if (split != NULL)
		t0 = now_us();
	check(h, pam_open_session(h, 0), "pam_open_session");
	if (split != NULL)
		t1 = now_us();
	check(h, pam_close_session(h, 0), "pam_close_session");
	if (split != NULL) {
		t2 = now_us();
		split->open = t1 - t0;
		split->close = t2 - t1;
	}
	pam_end(h, PAM_SUCCESS);
}

/* close_session's stop of the watch waits this long after SIGTERM for it
 * to exit (al_watch_stop_proc() in spawn.c), then sends SIGKILL. */
#define STOP_WAIT_MS 100

static const char *case_name[NCASES] = {
	"pam_permit.so only",
	"module, link alive, agent answers (keep)",
	"module, link alive, probe=0 (keep)",
	"module, link alive, agent hangs (keep)",
	"module, link dead, 1 live (relink)",
	"module, nothing live (remove)",
	"rc script via pam_exec (runs ln)",
	"rc script via pam_exec (link ok)",
	"rc script alone: sh, no PAM (runs ln)",
};
/* Transactions that start the module's watch: nothing live, or a link
 * whose agent did not answer within open's few milliseconds. */
static const unsigned case_watches[NCASES] = {
	[C_KEEP_HUNG] = 1, [C_REMOVE] = 1,
};

/* Cases whose link ends at an agent that answers: when its answer comes
 * after open's 3 ms (the fake agent's process not scheduled in time), open
 * starts the watch as for a hung agent.  A figure, not a failure. */
static int
may_start_watch(int c)
{
	return c == C_KEEP || c == C_RELINK;
}

/* The rc script as sshd runs ~/.ssh/rc: fork, exec /bin/sh, wait. */
static void
rc_alone(const char *authsock)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %m");
	if (pid == 0) {
		child_quiet(2, authsock);
		execl("/bin/sh", "sh", rc_path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		pam_failures++;
}

void
run_case(int c, struct split *split)
{
	if (c == C_RC_SH)
		rc_alone(live_sock);
	else
		transaction(c == C_PERMIT ? confdir_permit :
			    c == C_KEEP_P0 ? confdir_p0 :
			    c >= C_RC_LINK ? confdir_rc : confdir_mod,
			    c == C_KEEP_HUNG ? hung_sock : live_sock, split);
}

void
setup_case(int c)
{
	hung_visible(c == C_KEEP_HUNG);
	live_visible(c != C_REMOVE && c != C_KEEP_HUNG);
	switch (c) {
	case C_PERMIT:
	case C_KEEP:
	case C_KEEP_P0:
	case C_RC_KEEP:
		set_link(live_sock);
		break;
	case C_KEEP_HUNG:
		set_link(hung_sock);
		break;
	case C_RELINK:
	case C_REMOVE:
		set_link(DEAD_TARGET);
		break;
	case C_RC_LINK:
	case C_RC_SH:
		drop_link();
		break;
	}
}

/* Did the case end as it should, having started as many watches as it
 * should?  Returns 0 if so. */
int
verify_case(int c, unsigned watches)
{
	struct stat st;

	if (watches != case_watches[c] && !(watches == 1 && may_start_watch(c)))
		return 1;
	switch (c) {
	case C_KEEP:
	case C_KEEP_P0:
	case C_RELINK:
	case C_RC_LINK:
	case C_RC_KEEP:
	case C_RC_SH:
		return !link_is(live_sock);
	case C_KEEP_HUNG:
		return !link_is(hung_sock);
	case C_REMOVE:
		return lstat(link_path, &st) == 0;
	}
	return 0;
}

/* After a case: its watch, if it started one, has ended (the hung
 * case's lives on after close for up to probe=), so that no watch acts
 * during the next case.  Not timed. */
unsigned
case_done(void)
{
	return reap_module(now_us() + WATCH_END_MS * 1000.0);
}

/* Does case c run in round r? */
static int
case_runs(int c, unsigned r, unsigned rc_every, unsigned hung_every)
{
	if (c >= C_RC_LINK)
		return r % rc_every == 0;
	if (c == C_KEEP_HUNG)
		return r % hung_every == 0;
	return 1;
}

/* rounds rounds of the cases, the rc script's in every rc_every-th and
 * the hung agent's in every hung_every-th (see case_runs()). */
void
bench_transactions(unsigned rounds, unsigned rc_every, unsigned hung_every,
		   struct case_result *res, struct hung_split *hs)
{
	double *t[NCASES], *ho, *hc;
	struct split sp;
	size_t n[NCASES] = { 0 }, nh = 0;
	unsigned r, k, w;
	int c;

	for (c = 0; c < NCASES; c++)
		if ((t[c] = calloc(rounds, sizeof(double))) == NULL)
			die("out of memory");
	if ((ho = calloc(rounds, sizeof(double))) == NULL ||
	    (hc = calloc(rounds, sizeof(double))) == NULL)
		die("out of memory");
	memset(res, 0, NCASES * sizeof(*res));
	memset(hs, 0, sizeof(*hs));
	/* A few untimed transactions of each first: page cache, libpam's
	 * module cache of the dynamic loader. */
	for (c = 0; c < NCASES; c++) {
		for (k = 0; k < (c == C_KEEP_HUNG ? 1U : 5U); k++) {
			setup_case(c);
			run_case(c, NULL);
			(void)case_done();
		}
	}
	for (r = 0; r < rounds; r++) {
		for (k = 0; k < NCASES; k++) {
			/* Rotate the order each round: no case always follows
			 * the same one. */
			double t0, t1;

			c = (int)((k + r) % NCASES);
			if (!case_runs(c, r, rc_every, hung_every))
				continue;
			setup_case(c);
			t0 = now_us();
			run_case(c, c == C_KEEP_HUNG ? &sp : NULL);
			t1 = now_us();
			t[c][n[c]++] = t1 - t0;
			w = case_done();
			res[c].watches += w;
			if (verify_case(c, w) != 0)
				res[c].bad++;
			if (c == C_KEEP_HUNG) {
				ho[nh] = sp.open;
				hc[nh++] = sp.close;
				hs->gave_up += sp.close >= STOP_WAIT_MS * 1000.0;
			}
		}
		if (r % 500 == 0)
			progress("transactions: round %u of %u", r, rounds);
	}
	hung_visible(0);
	live_visible(1);
	for (c = 0; c < NCASES; c++) {
		res[c].p50 = stats_of(t[c], n[c]).p50;
		res[c].runs = n[c];
		if (res[c].bad) {
			progress("%s: %u of %zu transactions did not end in the "
				 "expected state", case_name[c], res[c].bad, n[c]);
			pam_failures++;
		}
		free(t[c]);
	}
	hs->open = stats_of(ho, nh);
	hs->close = stats_of(hc, nh);
	free(ho);
	free(hc);
}

/* The fake agent's answer, seen from this process: connect, ask, read
 * the reply, close, as open does for the link's socket (close only
 * connects).  What the agent adds to a keep transaction is about this. */
struct stats
agent_roundtrip(unsigned reps)
{
	double *t = calloc(reps, sizeof(double)), t0;
	enum al_answer a;
	struct stats s;
	unsigned r;
	int fd;

	if (t == NULL)
		die("out of memory");
	for (r = 0; r < reps; r++) {
		t0 = now_us();
		if (al_connect_nb(live_sock, &fd) != 1 ||
		    al_agent_query(&fd, 1, AL_DEFAULT_PROBE_MS, &a, NULL) != 1)
			die("the fake agent at %s does not answer", live_sock);
		close(fd);
		t[r] = now_us() - t0;
	}
	s = stats_of(t, reps);
	free(t);
	return s;
}

/* Case c's system calls beyond permit's (1c), for its row: "" when
 * they were not counted for c, "-" when not at all. */
static const char *
calls_cell(const struct syscall_result *sc, int c, char *buf, size_t sz)
{
	double extra;

	if (syscalls_extra(sc, c, &extra) == 0)
		fmt(buf, sz, "%+.1f", extra);
	else
		fmt(buf, sz, "%s", c == C_KEEP ? "-" : "");
	return buf;
}

/* Section 1 of the table; sc: 1c's counts; selinux: is_selinux_enabled(),
 * or -1 when libselinux is not linked. */
void
print_transactions(const struct case_result *res, const struct hung_split *hs,
		   const struct stats *rt, const struct syscall_result *sc,
		   int selinux)
{
	double permit = res[C_PERMIT].p50;
	char cell[32];
	int c;

	row("1. One PAM transaction (pam_start, PAM_TTY=ssh, open_session, "
	    "close_session, pam_end), interleaved\n");
	row("   (libselinux resident in this process as in sshd: %s)\n",
	    selinux < 0 ? "not linked" :
	    selinux ? "SELinux enabled" : "SELinux disabled");
	row("   %-41s %12s %6s %7s %10s %9s %12s %8s\n", "case", "median",
	    "runs", "watches", "vs permit", "+syscalls", "pam_exec rc/",
	    "sh rc/");
	for (c = 0; c < NCASES; c++) {
		row("   %-41s %9.1f us %6zu %7u %9.2fx", case_name[c],
		    res[c].p50, res[c].runs, res[c].watches,
		    res[c].p50 / permit);
		if (c >= C_KEEP && c <= C_REMOVE)
			row(" %9s %11.2fx %7.2fx\n",
			    calls_cell(sc, c, cell, sizeof(cell)),
			    res[C_RC_LINK].p50 / res[c].p50,
			    res[C_RC_SH].p50 / res[c].p50);
		else
			row("\n");
	}
	row("   (probe=1000, the default, but where it says probe=0; the fake "
	    "agents are a child\n"
	    "   process, as sshd's session process is; \"watches\": transactions that started the "
	    "module's watch, which\n"
	    "   a keep or relink one does when its agent's answer came after "
	    "open's 3 ms;\n"
	    "   \"+syscalls\": this process's system calls per transaction "
	    "beyond pam_permit's, from 1c)\n");
	row("\n   %-44s %10s %10s %10s %6s\n", "The agent hangs, call by call",
	    "median", "p99", "max", "runs");
	ms_row("open_session (3 ms, starts the watch)", &(struct stats){
	    hs->open.n, hs->open.p50 / 1e3, hs->open.p99 / 1e3,
	    hs->open.max / 1e3 });
	ms_row("close_session (stops the watch)", &(struct stats){
	    hs->close.n, hs->close.p50 / 1e3, hs->close.p99 / 1e3,
	    hs->close.max / 1e3 });
	row("   (close waited its %d ms after SIGTERM and killed the watch: "
	    "%u of %zu)\n", STOP_WAIT_MS, hs->gave_up, hs->close.n);
	row("\n   %-44s %10s %10s %10s %6s\n", "The fake agent's answer, from this "
	    "process", "median", "p99", "max", "runs");
	row("   %-44s %7.1f us %7.1f us %7.1f us %6zu\n", "connect, query, "
	    "reply, close", rt->p50, rt->p99, rt->max, rt->n);
}
