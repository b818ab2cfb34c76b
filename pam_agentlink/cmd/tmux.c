/*
 * tmux.c - agentlink tmux [SOCKET [CLIENT]]: one sync of the session links of
 * one tmux server, run by the hooks of conf/tmux.conf.
 *
 * CLIENT, a client's pid, is the client whose event (attached, active,
 * session changed) ran the sync: it wins a tie of activity times.
 *
 * Each session of the server gets a link, the host link's path plus
 * ".tmux-<server pid>-<session id>", pointed at the agent socket of the
 * connection of the client attached to it that was active last and whose
 * agent answers; with no such client, at the host link.  The session's
 * environment points SSH_AUTH_SOCK at its link.  Links of sessions that
 * are gone, and of servers that are gone, are removed.
 *
 * A client's connection: the sshd process whose pid a socket's name
 * carries is one of the client's ancestors; for names that carry no pid
 * (OpenSSH 10.1 to 10.5), the client's own SSH_AUTH_SOCK, when it is one
 * of the user's sockets.  Everything tmux and /proc say is checked and
 * bounded, and the whole sync gives up after TM_DEADLINE_MS.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "ctx.h"
#include "linkops.h"
#include "log.h"
#include "proc.h"
#include "rule.h"
#include "sunpath.h"
#include "tmuxparse.h"

struct tm_client {
	long pid, sid;
	long long activity;
	int cand;			/* its connection's socket, or -1 */
};

struct tm_session {
	long sid;
	char link[AL_SUN_PATH_MAX];
	const char *target;
};

struct sync {
	struct cmd *c;
	const char *sock;
	long long deadline;		/* CLOCK_MONOTONIC, ms */
	int dirfd;
	int lockfd;			/* lock_dir()'s, or -1 */
	const char *base;		/* the host link's name in dirfd */
	struct view v;
	long srvpid;			/* 0: the server did not answer */
	long hint;			/* the client whose event ran the sync */
	struct tm_session s[TM_SESSIONS_MAX];
	size_t ns;
	int sessions_cut;		/* tmux had more than TM_SESSIONS_MAX */
	struct tm_client cl[TM_CLIENTS_MAX];
	size_t ncl;
	int failed;
};

static int
ms_left(const struct sync *s)
{
	long long left = s->deadline - cmd_now_ms();

	return left > 0 ? (int)left : 0;
}

static const char *
esc(const char *str, char *buf, size_t sz)
{
	return al_esc(str, buf, sz);
}

/* ---- the lock ---- */

/*
 * Hooks fire together (attach, session change, active) and each starts a
 * sync: one at a time, each reading tmux after it holds the lock, so the
 * last one sees the latest state.  The lock is a file of the user's, mode
 * 0600, next to the link (".<link's name>.tmux-lock"): a lock on the
 * directory itself could be taken by anyone who can read it (~/.ssh may
 * be 0755), and would hold every sync up.
 */
static int
lock_open(struct sync *s)
{
	char name[AL_SUN_PATH_MAX + 16];
	struct stat st;
	int fd;

	snprintf(name, sizeof(name), ".%s.tmux-lock", s->base);
	fd = openat(s->dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC |
		    O_NOCTTY | O_NONBLOCK, 0600);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_uid != s->c->ctx.uid || (st.st_mode & 077) != 0) {
		fprintf(stderr, "agentlink: tmux: the lock file %s next to the "
			"link %s\n", name, fd < 0 ? strerror(errno) :
			"is not a private file of the user's");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
lock_dir(struct sync *s)
{
	if ((s->lockfd = lock_open(s)) < 0)
		return -1;
	while (flock(s->lockfd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			fprintf(stderr, "agentlink: tmux: cannot take the lock: "
				"%s\n", strerror(errno));
			return -1;
		}
		if (ms_left(s) == 0) {
			fprintf(stderr, "agentlink: tmux: another agentlink tmux "
				"held the lock until the deadline\n");
			return -1;
		}
		usleep(10000);
	}
	return 0;
}

/* ---- asking tmux ---- */

/* argv for tmux -S SOCKET followed by words (up to 8). */
static int
tmux_run(const struct sync *s, const char *const words[], char *out,
	 size_t sz)
{
	char *argv[12];
	size_t i, n = 0;

	argv[n++] = (char *)"tmux";
	argv[n++] = (char *)"-S";
	argv[n++] = (char *)s->sock;
	for (i = 0; words[i] != NULL && n < 11; i++)
		argv[n++] = (char *)words[i];
	argv[n] = NULL;
	/* Killed at the deadline: a hook never waits on a stuck server. */
	return cmd_run(argv, out, sz, ms_left(s) > 0 ? ms_left(s) : 1);
}

static void
take_line(struct sync *s, const char *line)
{
	struct tm_line l;

	if (tm_parse_line(line, &l) != 0)
		return;			/* not ours to believe */
	if (l.kind == TM_LINE_SESSION && s->ns == TM_SESSIONS_MAX) {
		s->sessions_cut = 1;
	} else if (l.kind == TM_LINE_SESSION) {
		s->srvpid = l.pid;
		s->s[s->ns++].sid = l.sid;
	} else if (l.kind == TM_LINE_CLIENT && s->ncl < TM_CLIENTS_MAX) {
		s->cl[s->ncl].pid = l.pid;
		s->cl[s->ncl].sid = l.sid;
		s->cl[s->ncl].activity = l.activity;
		s->cl[s->ncl++].cand = -1;
	}
}

/* Sessions and clients, in one command so that tmux answers both at one
 * moment. */
static int
tmux_query(struct sync *s)
{
	static const char *const words[] = {
		"list-sessions", "-F", "S #{session_id} #{pid}", ";",
		"list-clients", "-F", "C #{client_pid} #{session_id} #{client_activity}",
		NULL
	};
	char out[16384], *line, *next, e[1024];
	int rc = tmux_run(s, words, out, sizeof(out));

	if (rc != 0) {
		fprintf(stderr, "agentlink: tmux: the server at %s %s\n",
			esc(s->sock, e, sizeof(e)), rc < 0 ?
			"did not answer in time" : "does not run or refused the question");
		return -1;
	}
	for (line = out; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		take_line(s, line);
	}
	return 0;
}

/* ---- a client's connection ---- */

static int
usable(const struct sync *s, int i)
{
	enum al_liveness l = s->v.cands.v[i].live;

	return l == AL_ANSWERS || (s->c->probe_ms == 0 && l == AL_LIVE);
}

/* The socket whose name carries pid, or -1. */
static int
cand_by_pid(const struct sync *s, pid_t pid)
{
	size_t i;

	for (i = 0; i < s->v.cands.n; i++)
		if (s->v.cands.v[i].pid == pid)
			return (int)i;
	return -1;
}

/* The socket whose name carries no pid and whose path is path, or -1. */
static int
cand_by_path(const struct sync *s, const char *path)
{
	size_t i;

	for (i = 0; i < s->v.cands.n; i++)
		if (s->v.cands.v[i].pid <= 0 && strcmp(s->v.cands.v[i].path, path) == 0)
			return (int)i;
	return -1;
}

/* Is the process of /proc directory pfd the user's, by every uid? */
static int
proc_users(const struct sync *s, int pfd)
{
	char buf[2048], *p;
	unsigned long u[4];

	if (al_read_small_at(pfd, "status", buf, sizeof(buf)) <= 0 ||
	    (p = strstr(buf, "\nUid:")) == NULL ||
	    sscanf(p + 5, "%lu %lu %lu %lu", &u[0], &u[1], &u[2], &u[3]) != 4)
		return 0;
	return u[0] == s->c->ctx.uid && u[1] == u[0] && u[2] == u[0] && u[3] == u[0];
}

/*
 * OpenSSH 10.1 to 10.5 name no pid: the client's own SSH_AUTH_SOCK, read
 * from its environ (a process of the user's; /proc/<pid> held open so
 * both reads are of one process), when it is exactly one of those
 * sockets.
 */
static int
cand_by_environ(const struct sync *s, long pid)
{
	char path[64], *buf;
	const char *val;
	ssize_t n;
	int pfd, idx = -1;

	snprintf(path, sizeof(path), "/proc/%ld", pid);
	if ((pfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (proc_users(s, pfd) && (buf = malloc(TM_ENVIRON_MAX)) != NULL) {
		n = al_read_small_at(pfd, "environ", buf, TM_ENVIRON_MAX);
		if (n > 0 && (val = tm_environ_get(buf, (size_t)n, "SSH_AUTH_SOCK")) != NULL)
			idx = cand_by_path(s, val);
		free(buf);
	}
	close(pfd);
	return idx;
}

/* The client's ancestors, up to TM_ANCESTORS_MAX, against the pids the
 * sockets' names carry; else its environment. */
static int
client_cand(const struct sync *s, long pid)
{
	pid_t p = (pid_t)pid, pp;
	int i, idx;

	for (i = 0; i < TM_ANCESTORS_MAX && p > 1; i++) {
		if ((idx = cand_by_pid(s, p)) >= 0)
			return idx;
		if (al_proc_stat(p, &pp, NULL) != 0)
			break;
		p = pp;
	}
	return cand_by_environ(s, pid);
}

/* ---- each session ---- */

/* Of two clients of a session active in the same second (tmux counts
 * whole seconds): the one whose event ran this sync, else the one the
 * link points at already, so that a sync run for another reason does
 * not move it. */
static int
tie_wins(const struct sync *s, const struct tm_client *k,
	 const struct tm_client *best, const char *cur)
{
	if (k->pid == s->hint || best->pid == s->hint)
		return k->pid == s->hint;
	return strcmp(s->v.cands.v[k->cand].path, cur) == 0;
}

/* The newest active client of session sid with an agent that answers:
 * its socket's path; else the host link.  cur: the link's target now. */
static const char *
session_target(const struct sync *s, long sid, const char *cur)
{
	const struct tm_client *best = NULL;
	size_t i;

	for (i = 0; i < s->ncl; i++) {
		const struct tm_client *k = &s->cl[i];

		if (k->sid != sid || k->cand < 0 || !usable(s, k->cand))
			continue;
		if (best == NULL || k->activity > best->activity ||
		    (k->activity == best->activity && tie_wins(s, k, best, cur)))
			best = k;
	}
	return best != NULL ? s->v.cands.v[best->cand].path : s->c->ctx.link;
}

/* A context whose link is path, for the library's link code and its log
 * lines. */
static void
link_ctx(const struct sync *s, const char *path, struct al_ctx *x)
{
	*x = s->c->ctx;
	snprintf(x->link, sizeof(x->link), "%s", path);
}

/* The session link's target now ("" when missing); -1 when it cannot be
 * read or is not a symbolic link, which is never replaced. */
static int
session_link_read(const struct sync *s, const struct tm_session *ss, char *cur,
		  size_t sz)
{
	char a[AL_SUN_PATH_MAX * 4];
	enum al_link_kind kind;

	if (al_link_read(s->dirfd, strrchr(ss->link, '/') + 1, &kind, cur, sz) != 0) {
		fprintf(stderr, "agentlink: tmux: cannot read %s: %s\n",
			esc(ss->link, a, sizeof(a)), strerror(errno));
		return -1;
	}
	if (kind == AL_LINK_OTHER) {
		fprintf(stderr, "agentlink: tmux: %s exists and is not a symbolic "
			"link: left alone\n", esc(ss->link, a, sizeof(a)));
		return -1;
	}
	return 0;
}

/* Points the session's link at its target, unless it does already. */
static int
session_link_set(struct sync *s, const struct tm_session *ss, const char *cur)
{
	char a[AL_SUN_PATH_MAX * 4], b[AL_SUN_PATH_MAX * 4];
	struct al_ctx x;

	if (strcmp(cur, ss->target) == 0)
		return 0;
	link_ctx(s, ss->link, &x);
	if (al_link_replace(&x, s->dirfd, strrchr(ss->link, '/') + 1, ss->target) != 0)
		return -1;		/* the library said why */
	printf("tmux: session $%ld: %s -> %s\n", ss->sid, esc(ss->link, a, sizeof(a)),
	       esc(ss->target, b, sizeof(b)));
	return 0;
}

/* The session's SSH_AUTH_SOCK, for its new panes: set when it differs. */
static int
session_env_set(struct sync *s, const struct tm_session *ss)
{
	char target[32], out[AL_SUN_PATH_MAX * 2 + 64], want[AL_SUN_PATH_MAX + 32];
	const char *show[] = { "show-environment", "-t", target, "SSH_AUTH_SOCK", NULL };
	const char *set[] = { "set-environment", "-t", target, "SSH_AUTH_SOCK",
			      ss->link, NULL };

	snprintf(target, sizeof(target), "$%ld", ss->sid);
	snprintf(want, sizeof(want), "SSH_AUTH_SOCK=%s\n", ss->link);
	/* Not set in the session (or tmux says so otherwise): set it. */
	if (tmux_run(s, show, out, sizeof(out)) == 0 && strcmp(out, want) == 0)
		return 0;
	if (tmux_run(s, set, out, sizeof(out)) != 0) {
		fprintf(stderr, "agentlink: tmux: cannot set SSH_AUTH_SOCK in "
			"session $%ld (gone, or tmux did not answer in time)\n", ss->sid);
		return -1;
	}
	return 0;
}

static void
sync_sessions(struct sync *s)
{
	char e[AL_SUN_PATH_MAX * 4], cur[AL_SUN_PATH_MAX * 2];
	size_t i;

	for (i = 0; i < s->ncl && ms_left(s) > 0; i++)
		s->cl[i].cand = client_cand(s, s->cl[i].pid);
	for (i = 0; i < s->ns && ms_left(s) > 0; i++) {
		struct tm_session *ss = &s->s[i];

		if (tm_link_path(s->c->ctx.link, s->srvpid, ss->sid, ss->link,
				 sizeof(ss->link)) != 0) {
			fprintf(stderr, "agentlink: tmux: %s plus \"%s%ld-%ld\" is "
				"too long for a socket address: session $%ld keeps "
				"the host link\n", esc(s->c->ctx.link, e, sizeof(e)),
				TM_LINK_SUFFIX, s->srvpid, ss->sid, ss->sid);
			s->failed = 1;
			continue;
		}
		if (session_link_read(s, ss, cur, sizeof(cur)) != 0) {
			s->failed = 1;
			continue;
		}
		ss->target = session_target(s, ss->sid, cur);
		if (session_link_set(s, ss, cur) != 0 || session_env_set(s, ss) != 0)
			s->failed = 1;
	}
	if (ms_left(s) == 0) {
		fprintf(stderr, "agentlink: tmux: gave up after %d ms\n", TM_DEADLINE_MS);
		s->failed = 1;
	}
}

/* ---- links of sessions and servers that are gone ---- */

static int
session_exists(const struct sync *s, long sid)
{
	size_t i;

	for (i = 0; i < s->ns; i++)
		if (s->s[i].sid == sid)
			return 1;
	return 0;
}

/* This server's links of sessions it no longer has, and every link of a
 * server that no longer runs. */
static void
remove_stale(struct sync *s)
{
	struct tmux_link *l;
	char e[AL_SUN_PATH_MAX * 4];
	struct al_ctx x;
	size_t i, n;

	if ((l = calloc(TM_LINKS_MAX, sizeof(*l))) == NULL) {
		fprintf(stderr, "agentlink: tmux: out of memory listing session links\n");
		s->failed = 1;
		return;
	}
	n = cmd_tmux_links(s->c, s->dirfd, l, TM_LINKS_MAX);
	for (i = 0; i < n; i++) {
		/* Sessions past the ones read may well have their links. */
		if (l[i].srvpid == s->srvpid ?
		    s->sessions_cut || session_exists(s, l[i].sid) : l[i].running)
			continue;
		link_ctx(s, l[i].path, &x);
		if (al_link_remove(&x, s->dirfd, strrchr(l[i].path, '/') + 1) != 0)
			s->failed = 1;
		else
			printf("tmux: removed %s (%s is gone)\n", esc(l[i].path, e, sizeof(e)),
			       l[i].srvpid == s->srvpid ? "its session" : "its server");
	}
	free(l);
}

/* ---- the command ---- */

int
cmd_tmux_session_link(const struct cmd *c, char *out, size_t sz)
{
	const char *tmux = getenv("TMUX");
	char sock[4096];
	long pid, sid;

	if (tmux == NULL || tm_parse_tmux_env(tmux, sock, sizeof(sock), &pid, &sid) != 0)
		return -1;
	return tm_link_path(c->ctx.link, pid, sid, out, sz);
}

/* The server: the argument, else $TMUX's socket. */
static int
server_socket(const char *arg, char *sock, size_t sz)
{
	const char *tmux = getenv("TMUX");
	long pid, sid;

	if (arg != NULL && arg[0] == '/' && strlen(arg) < sz) {
		strcpy(sock, arg);
		return 0;
	}
	if (arg != NULL) {
		fprintf(stderr, "agentlink: tmux: the server's socket must be an "
			"absolute path\n");
		return -1;
	}
	if (tmux == NULL || tm_parse_tmux_env(tmux, sock, sz, &pid, &sid) != 0) {
		fprintf(stderr, "agentlink: tmux: not inside tmux ($TMUX %s): name "
			"the server's socket\n", tmux ? "is malformed" : "is not set");
		return -1;
	}
	return 0;
}

static void
sync_run(struct sync *s)
{
	unsigned probe = s->c->probe_ms;

	/* Its server gone, the sync still removes the links of servers gone. */
	if (tmux_query(s) != 0)
		s->failed = 1;
	if (s->srvpid != 0) {
		/* Each agent gets the module's probe=, within the deadline:
		 * a fifth of what is left, for rounds of asking. */
		if (probe > TM_PROBE_MAX_MS)
			probe = TM_PROBE_MAX_MS;
		if (probe > (unsigned)ms_left(s) / 5)
			probe = (unsigned)ms_left(s) / 5;
		s->c->probe_ms = probe;
		if (cmd_view_load(s->c, &s->v) != 0) {
			s->failed = 1;
			return;
		}
		sync_sessions(s);
		cmd_view_free(&s->v);
	}
	remove_stale(s);
}

int
cmd_tmux(struct cmd *c, const char *arg, const char *client)
{
	static struct sync s;
	char sock[4096];

	memset(&s, 0, sizeof(s));
	/* The hooks pass #{client_pid}, empty for session events. */
	if (client != NULL && client[0] != '\0' && tm_parse_pid(client, &s.hint) != 0) {
		fprintf(stderr, "agentlink: tmux: the client must be a process id\n");
		return CMD_USAGE;
	}
	s.c = c;
	s.sock = sock;
	s.lockfd = -1;
	s.deadline = cmd_now_ms() + TM_DEADLINE_MS;
	if (server_socket(arg, sock, sizeof(sock)) != 0)
		return CMD_USAGE;
	if ((s.dirfd = al_linkdir_open(&c->ctx, &s.base)) < 0)
		return CMD_FAIL;	/* the library said why */
	if (lock_dir(&s) == 0)
		sync_run(&s);
	else
		s.failed = 1;
	if (s.lockfd >= 0)
		close(s.lockfd);	/* and the lock with it */
	close(s.dirfd);
	return s.failed ? CMD_FAIL : CMD_OK;
}
