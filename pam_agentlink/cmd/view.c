/*
 * view.c - the state of the user's link and agent sockets, for status
 * and doctor: every socket the scan finds, each asked at once (the
 * library's probe, probe= ms for all of them together), its connection,
 * the link read without changing anything, and what the rule would do.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utmpx.h>

#include "cmd.h"
#include "conn.h"
#include "linkops.h"
#include "log.h"
#include "probe.h"
#include "rule.h"
#include "safedir.h"
#include "scan.h"
#include "sunpath.h"
#include "tmuxparse.h"

/* Newest first, then by path: a stable order for people and scripts. */
static int
by_age(const void *a, const void *b)
{
	const struct al_candidate *x = a, *y = b;

	if (x->mtime.tv_sec != y->mtime.tv_sec)
		return x->mtime.tv_sec > y->mtime.tv_sec ? -1 : 1;
	if (x->mtime.tv_nsec != y->mtime.tv_nsec)
		return x->mtime.tv_nsec > y->mtime.tv_nsec ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* Connects to candidates [from, from + n) and asks those that accept. */
static void
probe_batch(const struct cmd *c, struct view *v, size_t from, size_t n)
{
	enum al_answer res[AL_QUERY_MAX];
	int fds[AL_QUERY_MAX];
	size_t idx[AL_QUERY_MAX], i, m = 0;
	long us[AL_QUERY_MAX];
	int r, fd;

	for (i = from; i < from + n; i++) {
		struct al_candidate *cand = &v->cands.v[i];
		struct sock_view *sv = &v->sv[i];

		r = al_cand_connect(&c->ctx, cand, -1, &fd);
		sv->err = errno;
		cand->live = r == 1 || (r < 0 && errno == EAGAIN) ? AL_LIVE : AL_DEAD;
		if (r == 1 && c->probe_ms > 0) {
			fds[m] = fd;
			idx[m++] = i;
			continue;
		}
		if (r == 1)
			close(fd);
		sv->note = r == 1 ? NOTE_NOT_ASKED : r == 0 ? NOTE_REFUSED :
		    sv->err == EAGAIN ? NOTE_BUSY : NOTE_ERROR;
	}
	if (m > 0 && al_agent_query(fds, m, (int)c->probe_ms, res, us) < 0)
		for (i = 0; i < m; i++)
			res[i] = AL_ANS_NONE;
	for (i = 0; i < m; i++) {
		struct sock_view *sv = &v->sv[idx[i]];

		close(fds[i]);
		/* As the watch judges: no answer in probe= ms is hung. */
		v->cands.v[idx[i]].live = res[i] == AL_ANS_YES ? AL_ANSWERS : AL_HUNG;
		sv->note = res[i] == AL_ANS_YES ? NOTE_NONE :
		    res[i] == AL_ANS_BAD ? NOTE_BAD_REPLY : NOTE_NO_ANSWER;
		sv->us = us[i];
	}
}

/* The boot time, seconds since the epoch; 0 if /proc/stat does not say. */
static long long
boot_time(void)
{
	char buf[8192], *p;
	long long t = 0;

	if (al_read_small("/proc/stat", buf, sizeof(buf)) <= 0)
		return 0;
	if ((p = strstr(buf, "\nbtime ")) == NULL || sscanf(p + 7, "%lld", &t) != 1)
		return 0;
	return t;
}

/* Is line one of the comma-separated terminals in ttys? */
static int
tty_listed(const char *line, size_t linesz, const char *ttys)
{
	size_t n, ll = strnlen(line, linesz);

	for (; *ttys != '\0'; ttys += n + (ttys[n] == ',')) {
		n = strcspn(ttys, ",");
		if (n == ll && strncmp(ttys, line, n) == 0)
			return 1;
	}
	return 0;
}

/*
 * Where a connection with a terminal comes from: sshd's utmp record of
 * that terminal (OpenSSH writes one where the system keeps utmp), when it
 * is the user's and was written by this connection's sshd (its pid or
 * the monitor's).  SSH_CONNECTION, in the session's environment, is not
 * readable from another process.
 */
static void
utmp_from(const struct cmd *c, struct sock_view *sv)
{
	struct utmpx *u;

	setutxent();
	while ((u = getutxent()) != NULL) {
		if (u->ut_type != USER_PROCESS ||
		    strnlen(u->ut_user, sizeof(u->ut_user)) != strlen(c->user) ||
		    strncmp(u->ut_user, c->user, sizeof(u->ut_user)) != 0 ||
		    (u->ut_pid != sv->c.pid && u->ut_pid != sv->c.ppid) ||
		    !tty_listed(u->ut_line, sizeof(u->ut_line), sv->c.ttys))
			continue;
		snprintf(sv->from, sizeof(sv->from), "%.*s",
			 (int)strnlen(u->ut_host, sizeof(u->ut_host)), u->ut_host);
		break;
	}
	endutxent();
}

/* The connection of socket i: the sshd process its name carries. */
static void
conn_info(const struct cmd *c, struct view *v, size_t i, long long btime,
	  long hz)
{
	const struct al_candidate *cand = &v->cands.v[i];
	struct sock_view *sv = &v->sv[i];
	long long since;

	sv->since = -1;
	if (cand->pid <= 0 || al_conn_read(cand->pid, c->ctx.uid, c->user, &sv->c) != 0)
		return;
	since = btime + (long long)(sv->c.start / (unsigned long long)hz);
	/* A process younger than the socket has only reused its pid. */
	if (btime > 0 && since > (long long)cand->mtime.tv_sec + 1)
		return;
	sv->conn = 1;
	sv->since = btime > 0 ? since : -1;
	if (sv->c.tty == AL_TTY_YES)
		utmp_from(c, sv);
}

/* The link as it is, read without creating or changing anything. */
static void
read_link(const struct cmd *c, struct view *v)
{
	char dir[AL_SUN_PATH_MAX];
	const char *base = strrchr(c->ctx.link, '/') + 1;
	enum al_link_kind kind;
	size_t i;
	int fd;

	snprintf(dir, sizeof(dir), "%.*s", (int)(base - 1 - c->ctx.link), c->ctx.link);
	/* Walked as the module walks it: no link followed, every directory
	 * root's or the user's, the last the user's alone. */
	if ((fd = al_dir_open(&c->ctx, dir[0] ? dir : "/", AL_DIR_USERS, NULL)) < 0) {
		v->link = errno == ENOENT ? LV_MISSING : LV_UNSAFE;
		v->link_err = errno;
		return;
	}
	if (al_link_read(fd, base, &kind, v->target, sizeof(v->target)) != 0)
		kind = AL_LINK_OTHER;
	/* Beside it, the tmux session links (agentlink tmux). */
	if ((v->tl = calloc(TM_LINKS_MAX, sizeof(*v->tl))) != NULL)
		v->ntl = cmd_tmux_links(c, fd, v->tl, TM_LINKS_MAX);
	close(fd);
	v->link = kind == AL_LINK_MISSING ? LV_MISSING :
	    kind == AL_LINK_SYMLINK ? LV_SYMLINK : LV_OTHER;
	for (i = 0; v->link == LV_SYMLINK && i < v->cands.n; i++)
		if (strcmp(v->cands.v[i].path, v->target) == 0)
			v->target_idx = (int)i;
}

int
cmd_view_load(struct cmd *c, struct view *v)
{
	long long btime = boot_time();
	long hz = sysconf(_SC_CLK_TCK);
	struct al_link_state ls;
	size_t i, n;

	memset(v, 0, sizeof(*v));
	v->target_idx = -1;
	if (al_scan(&c->ctx, &v->cands) != 0 ||
	    (v->sv = calloc(v->cands.n + 1, sizeof(*v->sv))) == NULL) {
		fprintf(stderr, "agentlink: out of memory listing agent sockets\n");
		return -1;
	}
	if (v->cands.n > 1)
		qsort(v->cands.v, v->cands.n, sizeof(v->cands.v[0]), by_age);
	for (i = 0; i < v->cands.n; i += n) {
		n = v->cands.n - i < AL_QUERY_MAX ? v->cands.n - i : AL_QUERY_MAX;
		probe_batch(c, v, i, n);
	}
	for (i = 0; i < v->cands.n; i++)
		conn_info(c, v, i, btime, hz > 0 ? hz : 100);
	/* The rule sees terminals exactly as the module reads them. */
	al_cands_tty(&c->ctx, &v->cands);
	read_link(c, v);
	if (v->target_idx >= 0)
		v->works = v->cands.v[v->target_idx].live == AL_ANSWERS ||
		    (c->probe_ms == 0 && v->cands.v[v->target_idx].live == AL_LIVE);
	if (v->link == LV_UNSAFE)
		return 0;		/* the module would not act either */
	ls.kind = v->link == LV_MISSING ? AL_LINK_MISSING :
	    v->link == LV_SYMLINK ? AL_LINK_SYMLINK : AL_LINK_OTHER;
	ls.target = v->target_idx;
	v->d = al_decide(c->ctx.policy, &ls, v->cands.v, v->cands.n);
	v->decided = v->d.action != AL_ACT_PROBE;
	return 0;
}

void
cmd_view_free(struct view *v)
{
	al_cands_free(&v->cands);
	free(v->sv);
	v->sv = NULL;
	free(v->tl);
	v->tl = NULL;
	v->ntl = 0;
}

const char *
cmd_live_word(enum al_liveness l)
{
	switch (l) {
	case AL_ANSWERS:
		return "answering";
	case AL_LIVE:
		return "accepting";
	case AL_HUNG:
		return "hung";
	case AL_DEAD:
		return "dead";
	case AL_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *
cmd_action_word(enum al_action a)
{
	switch (a) {
	case AL_ACT_NONE:
		return "none";
	case AL_ACT_KEEP:
		return "keep";
	case AL_ACT_LINK:
		return "link";
	case AL_ACT_REMOVE:
		return "remove";
	case AL_ACT_REFUSE:
		return "refuse";
	case AL_ACT_PROBE:
		break;
	}
	return "undecided";
}
