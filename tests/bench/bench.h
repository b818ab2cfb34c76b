/*
 * bench.h - what the parts of agentbench share (see main.c for what it
 * measures and in which order).
 */
#ifndef AGENTBENCH_H
#define AGENTBENCH_H

#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <sys/types.h>

#include <security/pam_appl.h>

#include "cfg.h"
#include "hosthash.h"
#include "sunpath.h"

/* Where the PAM stacks and the rc script are written. */
#define BENCH_DIR "/run/agentlink-bench"
/* Every transaction's service and user, as sshd's for alice. */
#define SERVICE "sshd"
#define USER "alice"
/* The longest a heal is waited for; other waits give this much beyond
 * what they expect (WATCH_END_MS, a bare child's exit). */
#define HEAL_TIMEOUT_MS 3000

/* ---- common.c: messages, clocks, statistics, the table, files, PAM ---- */

void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* A line on stderr, "# " first: how far the bench has come. */
void progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fmt(char *buf, size_t sz, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

/* Microseconds: CLOCK_MONOTONIC, and this thread's CPU time. */
double now_us(void);
double cpu_us(void);
void pause_ms(unsigned ms);

struct stats {
	size_t n;
	double p50, p99, max;
};

struct stats stats_of(double *v, size_t n);

/* The table: rows are kept, and printed at the end by table_print(). */
void row(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void ms_row(const char *what, const struct stats *s);
void table_print(void);

void write_file(const char *path, const char *text);
void random_alnum(char *out, size_t n);
void make_ssh_dir(char *out, size_t sz, uid_t uid, gid_t gid);
void child_quiet(int nfds, const char *authsock);

/* A PAM handle for USER on SERVICE with confdir's stack, PAM_TTY "ssh"
 * and SSH_AUTH_SOCK=authsock, as sshd starts one; check() counts a
 * failed call in pam_failures and reports the first five. */
extern unsigned long pam_failures;
pam_handle_t *pam_begin(const char *confdir, const char *authsock);
void check(pam_handle_t *h, int r, const char *what);

/* ---- processes.c: the module's processes, the spinning load ---- */

/* Set by reap_module(): the module's processes that had not ended by the
 * deadline and were killed. */
extern unsigned stray_procs;
unsigned reap_module(double deadline);
/* A child of the bench's own (a fake agent), not the module's: add or
 * forget it. */
void own_child(pid_t pid, int add);
void reap_leftovers(void);
void load_on(void);
void load_off(void);

/* ---- fixture.c: alice, her link, the PAM stacks, her two agents ---- */

/* alice and where her link is (~/.ssh/agent-<short host>.sock); the
 * host's hash names the sockets of the ~/.ssh/agent layout. */
extern struct passwd alice;
extern char link_path[AL_SUN_PATH_MAX], link_dir[AL_SUN_PATH_MAX];
extern char hosthash[AL_HOSTHASH_LEN + 1];
/* PAM configuration directories, each with an sshd service: the module
 * (probe= default), pam_permit alone, the rc script through pam_exec,
 * the module with probe=0, and with the hung heal's probe=. */
extern char confdir_mod[64], confdir_permit[64], confdir_rc[64],
    confdir_p0[64], confdir_hp[64];
extern char rc_path[PATH_MAX];
/* alice's socket whose agent answers, and one whose agent hangs. */
extern char live_dir[AL_SUN_PATH_MAX], live_sock[AL_SUN_PATH_MAX];
extern char hung_dir[AL_SUN_PATH_MAX], hung_sock[AL_SUN_PATH_MAX];

/* A target that is gone, as sshd leaves it after a clean disconnect. */
#define DEAD_TARGET "/tmp/ssh-GoneGone00/agent.99999"

void set_link(const char *target);
void drop_link(void);
int link_is(const char *target);
/* Puts the answering (live) or the hung agent's socket where the module
 * looks (1), or moves it where no scan does (0). */
void live_visible(int visible);
void hung_visible(int visible);
void setup(const char *module, unsigned hung_probe);
void live_start(void);
void live_stop(void);

/* ---- agents.c: the fake agents ---- */

/*
 * What a fake agent does with each request: answer it, or take it and
 * never answer.  A real ssh-agent answers SSH_AGENTC_EXTENSION "query"
 * with SSH_AGENT_SUCCESS, SSH_AGENT_FAILURE or an extension reply; this
 * one answers every request with SSH_AGENT_SUCCESS (uint32 length 1, byte
 * 6), which the module takes as any agent's answer.  A hung one is what
 * sshd's forwarded socket does while the client's laptop sleeps: the
 * connection is accepted, the request is read and goes nowhere.
 */
enum agent_mode { AGENT_ANSWERS, AGENT_HANGS };

/* Sockets one server listens on, at most. */
#define AGENT_LISTEN 100

/* Listening sockets and what their agent does; serves until stop (a pipe's
 * read end; -1: never) is readable. */
struct agent_server {
	int lfd[AGENT_LISTEN];
	enum agent_mode mode[AGENT_LISTEN];
	size_t n;
	int stop;
	unsigned long dropped;		/* connections closed for want of room */
};

/* Fake agents served by a child process (agents_start()), which
 * reap_module() knows is not the module's. */
struct agents {
	struct agent_server s;
	int stop[2];
	pid_t pid;			/* the process that serves them */
};

/* A listening socket at path, given to alice. */
int listen_at(const char *path);
void agent_serve(struct agent_server *s);
void agents_start(struct agents *a);
void agents_stop(struct agents *a);

/* ---- transactions.c: 1. one PAM transaction, case by case ---- */

/* How long a watch started against a hung agent may take to end: it asks
 * that agent for probe= (1000 ms by default) with SIGTERM blocked. */
#define WATCH_END_MS (AL_DEFAULT_PROBE_MS + HEAL_TIMEOUT_MS)

/* The cases, in the table's order. */
enum { C_PERMIT, C_KEEP, C_KEEP_P0, C_KEEP_HUNG, C_RELINK, C_REMOVE,
       C_RC_LINK, C_RC_KEEP, C_RC_SH, NCASES };

/* A case's median transaction, its runs and how they ended. */
struct case_result {
	double p50;
	size_t runs;
	unsigned watches;		/* transactions that started a watch */
	unsigned bad;
};

/* The hung case call by call. */
struct hung_split {
	struct stats open, close;
	unsigned gave_up;		/* closes that waited all STOP_WAIT_MS and
					 * killed the watch */
};

/* One case: set up, run (split, unless NULL, gets the times of open and
 * of close), verified, and its watch reaped. */
struct split;
void setup_case(int c);
void run_case(int c, struct split *split);
int verify_case(int c, unsigned watches);
unsigned case_done(void);
void bench_transactions(unsigned rounds, unsigned rc_every, unsigned hung_every,
			struct case_result *res, struct hung_split *hs);
struct stats agent_roundtrip(unsigned reps);
struct syscall_result;
void print_transactions(const struct case_result *res,
			const struct hung_split *hs, const struct stats *rt,
			const struct syscall_result *sc, int selinux);

/* ---- syscalls.c: 1c. system calls per transaction, by name ---- */

/* Distinct call names kept, and the longest name. */
#define SC_NAMES 160
#define SC_NAME_MAX 32

/* A case's calls over its marked transactions, per name (the index in
 * syscall_result's name[]). */
struct syscall_counts {
	unsigned windows;		/* marked transactions in the trace */
	unsigned long min, max;		/* this process's calls in one */
	unsigned long call[SC_NAMES];	/* this process's, in them */
	unsigned procs;			/* the module's other processes (the
					 * watch) they started */
	unsigned long watch[SC_NAMES];	/* and those processes' calls */
	unsigned bad;			/* transactions not ending as they
					 * should (verify_case()) */
};

struct syscall_result {
	const char *not_measured;	/* why there are no counts, or NULL */
	unsigned reps;
	size_t nnames;
	char name[SC_NAMES][SC_NAME_MAX];
	struct syscall_counts c[NCASES];	/* permit, keep, probe=0 */
};

/* reps transactions of permit and of the keep cases under strace. */
void bench_syscalls(unsigned reps, struct syscall_result *r);
/* Case c's calls per transaction beyond permit's; -1 if not counted. */
int syscalls_extra(const struct syscall_result *r, int c, double *extra);
void print_syscalls(const struct syscall_result *r);

/* ---- remove_parts.c: 1b. the remove case, call by call ---- */

/* What is timed: open and close with close right after open, and after a
 * connection; a bare child's exit with and without inotify. */
enum { P_OPEN_NOW, P_CLOSE_NOW, P_OPEN_CONN, P_CLOSE_CONN, P_BARE_INOTIFY,
       P_BARE_PLAIN, NPARTS };

/* wall[] and cpu[] get NPARTS figures each; a bare child's CPU time is
 * not taken (cpu[] holds zeros there). */
void bench_remove_parts(unsigned rounds, struct stats *wall, struct stats *cpu);
void print_remove_parts(const struct stats *wall, const struct stats *cpu);

/* ---- heal.c: 2. time to heal, 2b. from a hung link ---- */

/* Diagnostic (--heal-delay): ms the binding child waits before bind(). */
extern unsigned heal_delay_ms;
/* Heals that timed out, counted since bench_heal()'s warm-up. */
extern unsigned heal_timeouts;

/* The heal from a hung link and the gap before bind(), reps times. */
struct hung_heal {
	unsigned probe_ms;
	struct stats heal, gap;
};

/* reps heals from a dead link, idle and under load in turn; reps from a
 * hung link with confdir's module, whose probe= is probe_ms. */
void bench_heal(unsigned reps, struct stats *idle, struct stats *loaded);
void bench_heal_hung(unsigned reps, const char *confdir, unsigned probe_ms,
		     struct hung_heal *out);
void print_heal(const struct stats *idle, const struct stats *loaded,
		unsigned timeouts);
void print_heal_hung(const struct hung_heal *hh, size_t n, unsigned timeouts);

/* ---- scale.c: 3. scale with many sockets and foreign entries ---- */

/* 1, 10 and 100 of alice's sockets among the foreign entries; 100 alone. */
#define SCALE_RUNS 4
/* Calls that did not leave the link at alice's newest socket. */
extern unsigned scale_bad;
void bench_scale(unsigned reps, struct stats *sc);
void print_scale(const struct stats *sc);
/* open+close from a dead link: /tmp empty, then 20,000 foreign dirs. */
#define FOREIGN_RUNS 2
void bench_foreign(unsigned reps, struct stats *fo);
void print_foreign(const struct stats *fo);

/* ---- whole_login.c: 4. whole login against the private sshd ---- */

/* --login N PAMFILE WITH WITHOUT AGENTSOCK SSHCONFIG HOST: PAMFILE is the
 * sshd's PAM stack, rewritten as WITH or WITHOUT before each login. */
struct login_opts {
	const char *pam_file, *with, *without, *agent, *ssh_config, *host;
	unsigned reps;
};

/* The median of the paired differences with and without, and its 95 %
 * confidence interval from order statistics (distribution-free: the
 * count of differences below the true median is binomial(n, 1/2)). */
struct paired {
	size_t n;
	double p50, lo, hi;
};

/* Logins that failed, not counted. */
extern unsigned login_failures;
void bench_login(const struct login_opts *o, struct stats *with,
		 struct stats *without, struct paired *diff);
void print_login(const struct login_opts *o, const struct stats *with,
		 const struct stats *without, const struct paired *diff);

#endif
