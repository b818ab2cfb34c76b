/*
 * agentlink.h - the internal library behind pam_agentlink.
 *
 * Nothing here depends on a PAM handle: the PAM entry points (and, later,
 * a command-line tool run by the user) fill in a struct al_ctx and call
 * al_apply() or al_watch().  Every function that touches the filesystem
 * expects to run with the user's filesystem credentials already in place.
 */
#ifndef AGENTLINK_H
#define AGENTLINK_H

#include <glob.h>
#include <stdarg.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>
#include <time.h>

/* sizeof(((struct sockaddr_un *)0)->sun_path): 107 bytes and a NUL. */
#define AL_SUN_PATH_MAX 108
#define AL_HOSTHASH_LEN 10

/* ---- logging (log.c) ---- */

typedef void (*al_log_fn)(void *arg, int prio, const char *fmt, va_list ap);

struct al_log {
	al_log_fn fn;
	void *arg;
	int debug;
};

void al_log(const struct al_log *lg, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define al_debug(lg, ...) \
	do { if ((lg)->debug) al_log((lg), LOG_DEBUG, __VA_ARGS__); } while (0)
/* A logger that writes "pam_agentlink: ..." lines to stderr. */
void al_log_stderr(void *arg, int prio, const char *fmt, va_list ap);

/* s with every byte that is not printable ASCII (and the backslash) as
 * \xHH, into buf: for what came from the file system, before it is
 * logged.  Returns buf. */
const char *al_esc(const char *s, char *buf, size_t sz);

/* At most sz - 1 bytes of a small file (/proc, a dot file) into buf,
 * NUL-ended: the number of bytes, or -1. */
ssize_t al_read_small(const char *path, char *buf, size_t sz);
/* The same for name in the directory dirfd, not following a symbolic
 * link there (a /proc/<pid> held open: both reads are of one process). */
ssize_t al_read_small_at(int dirfd, const char *name, char *buf, size_t sz);

/* "a/b" into buf; -1 (buf untouched beyond sz) when it does not fit. */
int al_join(char *buf, size_t sz, const char *a, const char *b);

/* ---- configuration (cfg.c) ---- */

enum al_policy { AL_POLICY_KEEP, AL_POLICY_NEWEST, AL_POLICY_INTERACTIVE };

#define AL_DEFAULT_LINK "~/.ssh/agent-%H.sock"
#define AL_DEFAULT_ENV "AGENTLINK_SOCK"
#define AL_DEFAULT_CONF "/etc/security/agentlink.conf"
#define AL_DEFAULT_WAIT 10
#define AL_MAX_WAIT 600
/* probe=: how long the watch waits for an agent's answer, in ms. */
#define AL_DEFAULT_PROBE_MS 1000
#define AL_MAX_PROBE_MS 10000
/* What open and close may wait for answers in all: a local agent answers
 * in microseconds, a remote one is left to the watch. */
#define AL_INLINE_PROBE_MS 3
#define AL_TEMPLATE_MAX 256
#define AL_ENV_MAX 64
#define AL_SERVICES_MAX 256
/* OpenSSH 10.6's default, and the one place of every earlier version. */
#define AL_DEFAULT_SOCKPATH "user:.ssh/agent shared:/tmp"
#define AL_SOCKPATH_MAX 512

struct al_cfg {
	char link[AL_TEMPLATE_MAX];	/* template, expanded per user */
	char env[AL_ENV_MAX];		/* "" when env=none */
	enum al_policy policy;
	unsigned wait;			/* seconds; 0 disables the watch */
	unsigned probe_ms;		/* 0: liveness is connect() alone */
	int cleanup;
	char services[AL_SERVICES_MAX];	/* comma-separated PAM services */
	char sockpath[AL_SOCKPATH_MAX];	/* agentsocketpath=: sshd's values */
	int debug;
	char conf[AL_TEMPLATE_MAX];
};

void al_cfg_defaults(struct al_cfg *cfg);
/* One "key=value" or "key" setting; origin names it in log lines. */
int al_cfg_set(struct al_cfg *cfg, const char *opt, const char *origin,
	       const struct al_log *lg);
/* Parses a config file held in memory; name is used in log lines. */
void al_cfg_parse_text(struct al_cfg *cfg, const char *text, size_t len,
		       const char *name, const struct al_log *lg);
/* Reads path (must be a regular file owned by root, not writable by others). */
int al_cfg_load_file(struct al_cfg *cfg, const char *path, int must_exist,
		     const struct al_log *lg);
/* Defaults, then the config file (conf= from argv), then argv itself. */
void al_cfg_load(struct al_cfg *cfg, int argc, const char **argv,
		 const struct al_log *lg);
int al_cfg_service_listed(const struct al_cfg *cfg, const char *service);
/* A decimal number from 0 to max, digits only: 0 and *out, else -1. */
int al_parse_uint(const char *v, unsigned max, unsigned *out);
/* "keep", "newest", "interactive": the option's word for a policy. */
const char *al_policy_name(enum al_policy policy);
/* The policy a word names; -1 when it names none. */
int al_policy_parse(const char *word, enum al_policy *policy);

/* ---- template expansion (expand.c) ---- */

struct al_user {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
};

/*
 * Expands ~ (leading), %h, %u, %U, %H and %%.  The result must be an
 * absolute path without "." or ".." components that fits a Unix socket
 * address.  Returns 0, or -1 with *err naming the problem.
 */
int al_expand(const char *tmpl, const struct al_user *user,
	      const char *shorthost, char *out, size_t outsz, const char **err);
/* Checks a template's syntax with placeholder values. */
int al_expand_check(const char *tmpl, const char **err);

/* ---- host name hash as OpenSSH >= 10.1 puts it in socket names ---- */

void al_sha512(const void *data, size_t len, unsigned char out[64]);
void al_hosthash(const char *hostname, char out[AL_HOSTHASH_LEN + 1]);
/* gethostname() and its part before the first dot. */
int al_hostnames(char *full, size_t fullsz, char *shorthost, size_t shortsz);

/* ---- the rule (rule.c): pure, no system calls ---- */

enum al_liveness {
	AL_UNKNOWN = 0,
	AL_LIVE,			/* accepts; whether it answers is not known */
	AL_DEAD,			/* refuses: nothing listens */
	AL_ANSWERS,			/* its agent answered a query */
	AL_HUNG				/* accepts, but no answer (or a bad one) */
};

/*
 * Does a socket's connection have a terminal?  sshd titles the session
 * process whose pid the socket's name carries "sshd: USER@pts/N" or
 * "USER@notty"; the caller reads that (al_cands_tty) before it asks the
 * rule, which looks at it only for policy=interactive.
 */
enum al_tty {
	AL_TTY_UNKNOWN = 0,		/* no pid in the name, no such process, or
					 * its session has not started yet */
	AL_TTY_YES,
	AL_TTY_NO
};

struct al_candidate {
	char path[AL_SUN_PATH_MAX];
	struct timespec mtime;
	dev_t dev;
	ino_t ino;
	pid_t pid;			/* carried in the name; 0 if none */
	short layout;			/* index in al_layouts[] */
	short place;			/* index in the context's places */
	unsigned short name_off;	/* where the socket's name starts */
	enum al_liveness live;
	enum al_tty interactive;
};

enum al_link_kind {
	AL_LINK_MISSING,
	AL_LINK_SYMLINK,
	AL_LINK_OTHER			/* a file, directory, FIFO... */
};

struct al_link_state {
	enum al_link_kind kind;
	int target;			/* candidate index, or -1 */
};

enum al_action {
	AL_ACT_NONE,			/* no link, nothing live */
	AL_ACT_KEEP,
	AL_ACT_LINK,			/* create or replace, to .index */
	AL_ACT_REMOVE,
	AL_ACT_REFUSE,			/* link path is not ours to replace */
	AL_ACT_PROBE			/* need liveness of .index first */
};

enum al_reason {
	AL_WHY_ALIVE,			/* link points at a live candidate */
	AL_WHY_MISSING,			/* there was no link */
	AL_WHY_DEAD,			/* link target is a dead candidate */
	AL_WHY_FOREIGN,			/* link target is no candidate */
	AL_WHY_NEWER,			/* policy=newest: a newer one is live */
	AL_WHY_NOT_SYMLINK,
	AL_WHY_GONE,			/* link target no longer exists (set by
					 * al_settle, not by the rule) */
	AL_WHY_HUNG,			/* link target does not answer */
	AL_WHY_ONLY_HUNG,		/* ... but nothing else is alive: kept */
	AL_WHY_TERMINAL			/* policy=interactive: a connection with a
					 * terminal (a newer one) is alive */
};

struct al_decision {
	enum al_action action;
	enum al_reason reason;
	int index;
};

/* a is newer than b: a later mtime, or the greater path when equal. */
int al_cand_newer(const struct al_candidate *a, const struct al_candidate *b);
struct al_decision al_decide(enum al_policy policy,
			     const struct al_link_state *link,
			     const struct al_candidate *cand, size_t n);
const char *al_reason_text(enum al_reason why);
/*
 * The race of a reconnect: how long the link's agent gets to answer, from
 * when it was asked, once this connection's own agent has answered in
 * new_us.  AL_RACE_FACTOR times that, and at least AL_RACE_FLOOR_MS: while
 * an OpenSSH 9.5+ client with a terminal obscures keystroke timing, each
 * packet it sends waits for its next tick (20 ms, up to 22 with fuzz), and
 * an agent's answer is two packets (the channel's confirmation, the
 * reply), so a live old agent can take about 40 ms on loopback when the
 * new one, notty, takes 1.
 */
#define AL_RACE_FACTOR 4
#define AL_RACE_FLOOR_MS 40
long long al_race_patience_us(long long new_us);

/* ---- where sshd puts forwarded agent sockets (layout.c) ---- */

/* sshd's AgentSocketPath kinds: user:PATH, shared:DIR. */
enum al_place_kind { AL_PLACE_USER, AL_PLACE_SHARED };

/* One name form a socket can have in a place of its kind.  Forms: %H
 * this host's hash, %P a pid, %R<n> n random alphanumerics. */
struct al_layout {
	const char *what;		/* the OpenSSH versions, for logs */
	enum al_place_kind kind;
	const char *dir_form;		/* shared: the per-connection directory */
	const char *name_form;		/* the socket */
};
extern const struct al_layout al_layouts[];
extern const size_t al_nlayouts;

/* The layout of kind (only layout itself when >= 0) whose name form
 * name matches, or -1; *pid gets the pid the name carries, or 0. */
int al_layout_match_name(enum al_place_kind kind, int layout, const char *name,
			 const char *hosthash, pid_t *pid);
/* The shared layout whose directory form name matches, or -1. */
int al_layout_match_dir(const char *name);

#define AL_PLACES_MAX 8

struct al_place {
	enum al_place_kind kind;
	char dir[AL_SUN_PATH_MAX];	/* expanded, absolute */
	int in_home;			/* dir is the home or below it */
};

/* Checks an agentsocketpath= value: up to AL_PLACES_MAX user:PATH or
 * shared:DIR words separated by spaces or commas, sshd's tokens. */
int al_places_check(const char *spec, const char **err);
/* Expands a checked value for user; what does not expand (too long for
 * this user) is logged and left out.  Returns how many places. */
size_t al_places_expand(const char *spec, const struct al_user *user,
			struct al_place *out, size_t max,
			const struct al_log *lg);

/* ---- the context every operation below works in ---- */

/* What one settling pass of al_apply() holds open, so that its steps
 * reach the home and each place once; closed at the pass's end, never
 * by a step.  ctx->pass is NULL outside a pass. */
struct al_pass {
	int homefd;			/* the home, O_RDONLY, or -1 */
	int placefd[AL_PLACES_MAX];	/* O_PATH, vouched for as a place; -1 */
	dev_t placedev[AL_PLACES_MAX];	/* its device */
	int lastdev_ok;			/* al_dir_open(): the device of what */
	dev_t lastdev;			/* it returned, when it stat()ed it */
};

struct al_ctx {
	const struct al_log *log;
	uid_t uid;
	const char *user;
	const char *home;
	struct al_place places[AL_PLACES_MAX];
	size_t nplaces;
	char link[AL_SUN_PATH_MAX];	/* expanded link path */
	char hosthash[AL_HOSTHASH_LEN + 1];
	enum al_policy policy;
	int cleanup;
	unsigned probe_ms;		/* probe=; 0: connect() alone */
	int probe_full;			/* wait probe_ms for each answer (the
					 * watch), else AL_INLINE_PROBE_MS in all */
	struct al_hung *hung;		/* the watch's hung sockets, or NULL */
	struct al_race *race;		/* the watch's question to the link's
					 * agent (race.c), or NULL */
	pid_t guard_pid;		/* if not 0: change nothing once this
					 * process (the watch's monitor) is gone */
	int shared_listeners_only;	/* the login path: in shared places,
					 * only sockets the kernel lists as
					 * listening, and no place is listed
					 * (dead ones are the watch's) */
	struct al_pass *pass;		/* al_apply()'s held descriptors, or NULL */
};

/* Sockets a watch found hung, so that it asks each only once. */
#define AL_HUNG_MAX 16
struct al_hung {
	size_t n;
	struct { dev_t dev; ino_t ino; } v[AL_HUNG_MAX];
};

int al_hung_has(const struct al_ctx *ctx, dev_t dev, ino_t ino);
void al_hung_add(const struct al_ctx *ctx, dev_t dev, ino_t ino);

/* ---- sshd's own configuration (sshdconf.c) ---- */

#define AL_SSHD_CONFIG "/etc/ssh/sshd_config"

/* A regular file owned by root that only root may write, at most 256 KiB,
 * read whole into a NUL-ended buffer to free; NULL with *why if not.
 * Anything else is never opened (a FIFO or a device where a glob
 * reaches). */
char *al_read_trusted(const char *path, const char **why);
/* The next word of an sshd_config line (quotes stripped; "=" separates
 * too), cut out in place, or NULL. */
char *al_conf_word(char **p);
/* glob() of an Include pattern, relative ones below /etc/ssh as sshd has
 * them; AL_CONF_GLOB_LONG (nothing matched, g untouched) when the pattern
 * is longer than AL_CONF_PATTERN_MAX.  Callers read at most
 * AL_CONF_INCLUDE_MAX of the matches. */
#define AL_CONF_PATTERN_MAX 511
#define AL_CONF_INCLUDE_MAX 64
#define AL_CONF_GLOB_LONG (-1)
int al_conf_glob(const char *pattern, glob_t *g);

/* Logs one line when an AgentSocketPath value in config (or the files it
 * includes) is none of ctx's places; -1 then, else 0. */
int al_sshd_config_check(const struct al_ctx *ctx, const struct al_user *user,
			 const char *config);
/* Is one AgentSocketPath value of sshd's among ctx's places?  A value
 * that cannot be compared (it does not expand for user) counts as one. */
int al_sshd_value_covered(const struct al_ctx *ctx, const struct al_user *user,
			  const char *value);

/* ---- candidate discovery (scan.c) ---- */

/* Bounds on the work, whatever the user has created: the newest this
 * many candidates are kept, at most AL_SCAN_ENTRIES_MAX entries of one
 * socket directory and AL_SCAN_SUBDIRS_MAX of the user's per-connection
 * directories are looked at. */
#define AL_CANDS_MAX 256
#define AL_SCAN_ENTRIES_MAX 16384
#define AL_SCAN_SUBDIRS_MAX 1024	/* the user's own, in a shared place */

struct al_cands {
	struct al_candidate *v;
	size_t n, cap;
	size_t dropped;			/* older ones left out (AL_CANDS_MAX) */
	size_t unread;			/* directories cut at AL_SCAN_ENTRIES_MAX */
	/* al_scan_target() keeps its candidate's socket open (O_PATH, the
	 * descriptor it checked), so that the probe neither walks to it
	 * nor opens it again. */
	int dirfd_set;
	int dirfd;
};

/* Lists the user's sockets in every place; with shared_listeners_only,
 * those of shared places from the kernel's list of listening sockets
 * (al_diag_listeners), or by listing them if that list cannot be had. */
int al_scan(const struct al_ctx *ctx, struct al_cands *out);
/* Lists path alone, if al_scan() would list it: the same checks on one
 * socket, without reading the directories.  -1 only when out of memory. */
int al_scan_target(const struct al_ctx *ctx, const char *path,
		   struct al_cands *out);
void al_cands_free(struct al_cands *c);
/* Opens the directory holding candidate c, checked as the scan checked
 * it (for cleanup); *placefd gets its place's directory when c is in a
 * per-connection directory of a shared place, else -1. */
int al_cand_dir_open(const struct al_ctx *ctx, const struct al_candidate *c,
		     int *placefd);
/* The per-connection directory of a candidate in a shared place, into
 * sub; NULL for one directly in a user: place. */
const char *al_cand_sub(const struct al_ctx *ctx, const struct al_candidate *c,
			char sub[AL_SUN_PATH_MAX]);
/* path (a link's old target) was in one of the places and is gone: what
 * sshd does to a socket when its connection ends.  For the log only. */
int al_target_gone(const struct al_ctx *ctx, const char *path);
/* Connects to candidate c through a checked descriptor, never by a path
 * that could be swapped: as al_connect_nb().  sockfd: al_cands_dirfd(),
 * or -1. */
int al_cand_connect(const struct al_ctx *ctx, const struct al_candidate *c,
		    int sockfd, int *fdp);
/* The socket al_scan_target() kept open for candidate c, or -1. */
int al_cands_dirfd(const struct al_cands *cands, const struct al_candidate *c);
/* As al_probe(), through al_cand_connect(). */
int al_cand_probe(const struct al_ctx *ctx, const struct al_candidate *c);
/* The place's directory is local to this host: not below the home, which
 * may be shared with other hosts over NFS. */
int al_cand_local(const struct al_ctx *ctx, const struct al_candidate *c);

/* ---- the kernel's list of listening Unix sockets (diag.c) ---- */

/* One listening socket as the kernel lists it: untrusted (its owner
 * chose the name), a hint to check on the file system. */
struct al_diag_rec {
	char name[AL_SUN_PATH_MAX];	/* the path it was bound to */
	int has_name, has_uid, has_vfs;
	uid_t uid;			/* its owner */
	dev_t dev;			/* its file */
	ino_t ino;
};

enum {
	AL_DIAG_ERR = -1,		/* errno says why */
	AL_DIAG_DONE = 0,		/* the whole list was read */
	AL_DIAG_MORE = 1,		/* more parts to come */
	AL_DIAG_FULL = 2,		/* max records were looked at */
	AL_DIAG_TIME = 3		/* budget_ms ran out */
};

/* Records of any owner read at most: a bound on the work whatever is
 * on the host (a million listening sockets take the kernel a second). */
#define AL_DIAG_RECORDS_MAX (1U << 20)
/* The time open and close give the kernel's list: a few ms on a host
 * with tens of thousands of listening sockets; more means a crowded hash
 * bucket, someone's doing, and the rest is left to the watch. */
#define AL_DIAG_BUDGET_MS 50

struct al_diag_parse {
	uint32_t seq;			/* the request's */
	uid_t uid;			/* records of other owners are skipped */
	size_t seen, max;		/* records handed to fn, and at most */
	size_t all;			/* records read, of any owner */
	unsigned budget_ms;		/* al_diag_listeners(): time for it all */
	/* Called for each listening stream socket with a path name and
	 * no other owner; not 0 stops (AL_DIAG_ERR, its errno). */
	int (*fn)(void *arg, const struct al_diag_rec *r);
	void *arg;
};

/* One received buffer of a SOCK_DIAG_BY_FAMILY dump of AF_UNIX sockets
 * (pure): AL_DIAG_MORE, DONE, FULL (max records handed on, or
 * AL_DIAG_RECORDS_MAX read), or ERR (EBADMSG when malformed, the
 * kernel's errno for NLMSG_ERROR). */
int al_diag_parse(struct al_diag_parse *st, const void *buf, size_t len);
/* Asks the kernel for its listening Unix sockets and parses the answer:
 * AL_DIAG_DONE, FULL, TIME (budget_ms ran out between two parts), or ERR
 * (no socket_diag here, EPERM, ...). */
int al_diag_listeners(struct al_diag_parse *st);

/* ---- the connection behind a socket (conn.c) ---- */

/* The sshd process a socket's name carries, as /proc shows it. */
struct al_conn {
	pid_t pid, ppid;
	unsigned long long start;	/* clock ticks after boot */
	enum al_tty tty;
	char ttys[64];			/* "pts/0", "notty"; "" if not known */
};

/* The terminal in sshd's title "sshd...: USER@TTYS" (pure): AL_TTY_NO for
 * notty, AL_TTY_YES for a terminal, else AL_TTY_UNKNOWN; ttys gets TTYS. */
enum al_tty al_title_tty(const char *title, const char *user, char *ttys,
			 size_t sz);
/* Reads process pid: 0 when it is the user's (every uid is uid) and
 * titled as sshd titles a connection's process, else -1. */
int al_conn_read(pid_t pid, uid_t uid, const char *user, struct al_conn *out);
/* Fills in each candidate's interactive field from its connection. */
void al_cands_tty(const struct al_ctx *ctx, struct al_cands *cands);

/* ---- trusted directories (safedir.c) ---- */

#define AL_DIR_USERS 1			/* the last one must be the user's */
#define AL_DIR_READ 2			/* return a readable descriptor */

/*
 * Opens path walking down from the home directory (if below it) or "/",
 * refusing symbolic links and components not owned by root or the user
 * or writable by others and not sticky (errno EPERM).  Without
 * AL_DIR_READ, returns an O_PATH descriptor.  When a component is missing
 * (ENOENT) and deepest is given, *deepest gets the last one that exists.
 */
int al_dir_open(const struct al_ctx *ctx, const char *path, int flags,
		int *deepest);
/*
 * Opens the entry name of dirfd, with flags (O_RDONLY or O_PATH), only
 * if it is a directory of the user's on dirfd's own device, writable by
 * nobody else: looked at first without following it or waiting on its
 * file system, never opened if another user's, and opened without
 * crossing a mount or following a link.  -1 otherwise.
 */
int al_user_subdir_open(const struct al_ctx *ctx, int dirfd, const char *name,
			int flags);
/* A directory of uid's that nobody else may write to. */
struct stat;
int al_user_dir_ok(const struct stat *st, uid_t uid);

/* ---- liveness (probe.c) ---- */

/* 1: something accepts connections; 0: refused (dead); -1: other error. */
int al_probe(const char *path);

/* Non-blocking connect to a Unix socket path: 1 connected (a non-blocking,
 * close-on-exec fd in *fdp), 0 refused (nothing listens: dead), -1 other
 * error (errno; EAGAIN: a listener with a full backlog).  *fdp is -1
 * unless 1 is returned. */
int al_connect_nb(const char *path, int *fdp);

/* The longest agent reply al_agent_query() reads (and discards). */
#define AL_AGENT_REPLY_MAX (64 * 1024)
/* The most descriptors one al_agent_query() call takes. */
#define AL_QUERY_MAX 64

enum al_answer {
	AL_ANS_NONE = 0,		/* no reply within the time */
	AL_ANS_YES,			/* well-formed reply */
	AL_ANS_BAD			/* closed, reset, or malformed/oversized
					 * reply */
};

/*
 * Sends SSH_AGENTC_EXTENSION (27) with the extension name "query" on each
 * of n (at most AL_QUERY_MAX) connected non-blocking fds, and waits at most
 * timeout_ms IN ALL (one deadline, all fds polled together) for their
 * replies.  Nothing else is ever sent: no identities list (some agents ask
 * the user to unlock for that), no signature.  res[i] gets each verdict,
 * us[i] (if us != NULL) the microseconds until the verdict (or the time
 * waited).  A negative fd is AL_ANS_BAD.  Returns how many answered, or -1
 * with errno (EINVAL: n too large, timeout_ms < 0, fds or res NULL; or
 * poll()'s own error, with every undecided res[i] AL_ANS_NONE).  Does not
 * close the fds, nor read past the end of a reply.
 */
int al_agent_query(const int *fds, size_t n, int timeout_ms,
		   enum al_answer *res, long *us);

/*
 * The same question, one step at a time, for a caller that waits on other
 * things as well (the watch): al_query_init(), then al_query_step()
 * whenever poll() finds al_query_events() ready on the connection; it
 * returns AL_QUERY_PENDING until the verdict, AL_ANS_YES or AL_ANS_BAD.
 */
#define AL_QUERY_PENDING (-1)
struct al_query {
	enum { AL_Q_SEND, AL_Q_LEN, AL_Q_TYPE, AL_Q_BODY } phase;
	size_t done;			/* bytes of the current phase */
	unsigned char len[4];
	uint32_t left;			/* body bytes still to read */
};
void al_query_init(struct al_query *q);
short al_query_events(const struct al_query *q);
int al_query_step(int fd, struct al_query *q);
/* CLOCK_MONOTONIC in nanoseconds. */
long long al_mono_ns(void);

/* ---- the reconnect's race, in the watch (race.c) ---- */

enum al_race_state {
	AL_RACE_NONE,			/* nothing asked yet */
	AL_RACE_ASKED,			/* question out, no verdict */
	AL_RACE_LOST,			/* lost to the new socket; the question
					 * stays out until probe= */
	AL_RACE_LATE,			/* answered after losing: link back */
	AL_RACE_ANSWERED,
	AL_RACE_HUNG
};

struct al_race {
	enum al_race_state state;
	int fd;				/* the open question, while ASKED */
	struct al_query q;
	dev_t dev;
	ino_t ino;
	long long asked_ns;		/* al_mono_ns() when asked */
	char path[AL_SUN_PATH_MAX];
	char won[AL_SUN_PATH_MAX];	/* LOST: the socket it lost to */
};

/* The settling pass's probe of the link's target c: asks it (once) and
 * returns 1 with c->live set from what is known so far, without waiting;
 * 0 when there is no race to run (the caller probes as before). */
int al_race_ask(const struct al_ctx *ctx, const struct al_cands *cands,
		struct al_candidate *c);
/* An open question: its fd and poll events, and the ms left until it
 * counts as hung (probe=); -1 (and *fd -1) when none is open. */
long al_race_ms_left(const struct al_ctx *ctx, short *events, int *fd);
/* Is an answer still worth waiting for once the watch's job is done: the
 * race was lost (its link back), or the policy is not keep (the rule
 * decides again when the link's agent answers)? */
int al_race_pending(const struct al_ctx *ctx);
/* The pass's settle after a lost race linked path: where the link is
 * given back from. */
void al_race_moved(const struct al_ctx *ctx, const char *path);
/* The open question's descriptor closed, whatever its state. */
void al_race_close(const struct al_ctx *ctx);
/* After poll() with revents on that fd (0 on a timeout): reads what came,
 * judges the deadline, and says what is due. */
enum al_race_due {
	AL_RACE_NOTHING,
	AL_RACE_SETTLE,			/* the link's agent now counts as hung,
					 * or (policy not keep) answered */
	AL_RACE_GIVE_BACK		/* it answered after losing the race */
};
enum al_race_due al_race_poll(const struct al_ctx *ctx, short revents);
/* policy=keep: the link back to the agent that answered after losing,
 * if the link is still where the race put it (logged); 0.  The other
 * policies: 1, the rule must decide again (the watch settles). */
int al_race_give_back(const struct al_ctx *ctx);
/* This connection's own socket own accepts: asks its agent and waits
 * until the old one answers, loses the race (LOST) or counts as hung
 * (at most until probe=). */
void al_race_own(const struct al_ctx *ctx, const struct al_cands *cands,
		 const struct al_candidate *own);

/* ---- safe link operations (linkops.c) ---- */

/* Opens (creating 0700 if missing) the link's directory; *base gets the
 * link's last component.  Returns a directory fd or -1 (logged). */
int al_linkdir_open(const struct al_ctx *ctx, const char **base);
/* Reads the link: kind, and its target into buf (empty if none). */
int al_link_read(int dirfd, const char *base, enum al_link_kind *kind,
		 char *buf, size_t bufsz);
int al_link_replace(const struct al_ctx *ctx, int dirfd, const char *base,
		    const char *target);
int al_link_remove(const struct al_ctx *ctx, int dirfd, const char *base);

/* close_session: tmux session links next to the link (agentlink tmux)
 * whose target is gone point at the link again (tmuxlinks.c). */
void al_tmux_links_release(const struct al_ctx *ctx, int dirfd,
			   const char *base);

/* ---- SELinux file labels (selinux.c) ---- */

/*
 * Before creating path (mode: S_IFDIR, S_IFLNK), asks for the label the
 * policy gives it; returns 1 when a label was set, else 0 (no SELinux,
 * disabled, no label, or an error, logged).  al_label_end(ctx, r) puts
 * the default back.  Neither changes errno.
 */
int al_label_begin(const struct al_ctx *ctx, const char *path, mode_t mode);
void al_label_end(const struct al_ctx *ctx, int set);

/* ---- the user's file system credentials (creds.c) ---- */

#define AL_CREDS_SMALL 32

/* What al_creds_drop() replaced, for al_creds_restore(). */
struct al_creds {
	int dropped;
	uid_t fsuid;
	gid_t fsgid;
	int ngroups;
	gid_t *groups;			/* small, or allocated when larger */
	gid_t small[AL_CREDS_SMALL];
};

/*
 * Switches the file system uid and gid to uid and gid and clears the
 * supplementary groups; a no-op unless running as root for a non-root
 * uid.  -1 if anything failed (nothing is left switched).
 * al_creds_restore() puts back what was there; -1 if it could not.
 */
int al_creds_drop(struct al_creds *c, uid_t uid, gid_t gid);
/* Becomes uid and gid for good, with no supplementary group, checking
 * that root cannot be regained; -1 if anything failed. */
int al_become_user(uid_t uid, gid_t gid);
int al_creds_restore(struct al_creds *c);

/* ---- putting it together (apply.c) ---- */

enum al_status {
	AL_OK = 0,
	AL_ERR = -1,
	AL_NOHOME = -2,
	AL_AGAIN = -3			/* AL_KEEP_ONLY: not kept, nothing done */
};

struct al_outcome {
	enum al_action action;		/* what was done */
	enum al_reason reason;
	int link_alive;			/* link points at a live socket now */
	int link_answers;		/* ... whose agent answered */
	char old_target[AL_SUN_PATH_MAX * 2];
	char new_target[AL_SUN_PATH_MAX];
};

/* al_settle flag: look only at the link's own target (cands comes in
 * empty) and keep the link if that is a live candidate, else do nothing
 * and return AL_AGAIN. */
#define AL_KEEP_ONLY 1
/* al_settle and al_apply flag: the connection has ended (close_session).
 * The link's own target is only connected to, not asked: close waits
 * for no answer, so an answer could not change what it keeps. */
#define AL_CLOSING 2

/* Decides on and acts over an already scanned candidate list; fills in
 * liveness as it probes.  when ("open", "close", "watch") prefixes logs. */
enum al_status al_settle(const struct al_ctx *ctx, struct al_cands *cands,
			 const char *when, int flags, struct al_outcome *out);
/* Scan, remove stale sockets when ctx->cleanup, settle; flags: 0 or
 * AL_CLOSING. */
enum al_status al_apply(const struct al_ctx *ctx, const char *when,
			int flags, struct al_outcome *out);
/* Removes this user's dead sockets (and empty /tmp/ssh-* directories)
 * from cands, marking them dead; returns how many were removed. */
int al_cleanup_stale(const struct al_ctx *ctx, struct al_cands *cands);

/* ---- the watch (watch.c) ---- */

/*
 * Waits up to wait_ms for a new forwarded socket, settling the link each
 * time one appears, until one that belongs to the connection of parent_pid
 * (sshd's monitor: its child names /tmp sockets; ~/.ssh/agent sockets
 * younger than since count as its own) is live.  parent_pidfd (or -1)
 * ends the wait as soon as that process exits.
 */
int al_watch(const struct al_ctx *ctx, pid_t parent_pid, int parent_pidfd,
	     unsigned wait_ms, const struct timespec *since);
/* Set from a SIGTERM handler to end al_watch().  The caller blocks every
 * signal; al_watch() lets SIGTERM in only while it waits, so it never stops
 * half-way through a change. */
extern volatile sig_atomic_t al_watch_stop;

/* ---- processes, from /proc (proc.c) ---- */

/* /proc/<pid> as a directory descriptor (close-on-exec), or -1: reads
 * through it are of that process only, even if the pid is reused. */
int al_proc_open(pid_t pid);
/* Parent pid and start time (clock ticks after boot) of pid, read from
 * /proc/<pid>/stat; -1 if it cannot be read.  _at: of an al_proc_open()
 * directory. */
int al_proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start);
int al_proc_stat_at(int dfd, pid_t *ppid, unsigned long long *start);
/* 1 when pid is no process, or a zombie. */
int al_proc_gone(pid_t pid);

/* ---- the watch process (spawn.c in the module; agentlink-watch) ---- */

#define AL_WATCH_ARGS 25

/* The helper's argv, "name=value" words written before any fork. */
struct al_watch_argv {
	char *v[AL_WATCH_ARGS];
	char buf[AL_WATCH_ARGS][512];
	size_t n;
	int overflow;
};

/* What open_session hands the watch. */
struct al_watch_spec {
	const struct al_ctx *ctx;
	gid_t gid;
	unsigned wait_ms;
	pid_t monitor;			/* this connection's sshd monitor */
	unsigned long long monitor_start; /* its /proc start time */
	struct timespec since;		/* sockets from then on may be its own */
	const char *ident;		/* syslog ident (sshd's name) */
	const char *service;		/* PAM service */
};

/* The watch as open leaves it for close; what the middle process reports. */
struct al_watch_proc {
	pid_t pid;
	unsigned long long start;	/* /proc starttime, against pid reuse */
	int err;			/* why it could not be started */
};

/* Starts agentlink-watch detached, as the user; logs when it cannot. */
void al_watch_start(const struct al_watch_spec *s, struct al_watch_proc *w);
/* Ends the watch w (SIGTERM, then SIGKILL) and waits for its exit. */
void al_watch_stop_proc(const struct al_ctx *ctx,
			const struct al_watch_proc *w);

#endif /* AGENTLINK_H */
