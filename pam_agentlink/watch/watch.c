/*
 * watch.c - wait for this connection's forwarded socket to appear.
 *
 * sshd opens the PAM session before the client asks for agent forwarding,
 * so the socket appears only after pam_open_session has returned.  The
 * watch runs in a detached process with the user's credentials, follows
 * the places sshd creates sockets in with inotify, settles the link each
 * time one appears, and ends as soon as its own connection's socket is
 * live, its time is up, or the sshd process it serves has exited.
 *
 * With policy=interactive the socket is not enough: sshd makes it when
 * the client asks for agent forwarding, a moment before the client's
 * request for a terminal (or its command) gives the connection's process
 * its title.  Until the title tells, the watch reads it again at growing
 * intervals (cheap: two small files of /proc) and settles once more when
 * it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "conn.h"
#include "ctx.h"
#include "layout.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "race.h"
#include "rule.h"
#include "safedir.h"
#include "scan.h"
#include "sunpath.h"
#include "watch.h"

#define CREATE_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
/* A socket exists from bind(); its listener comes with listen(), a moment
 * later.  Retry a refused new socket at growing intervals up to this. */
#define RETRY_MAX_MS 64
/* Watches at most: a place's directory or the step towards it, and the
 * user's own per-connection directories in shared places. */
#define WATCH_MAX 64


enum role {
	ROLE_PLACE,			/* a place's directory */
	ROLE_SUB,			/* a per-connection directory in it */
	ROLE_CHAIN			/* the deepest part of a missing place */
};

struct wentry {
	int wd;
	unsigned short place;
	unsigned char role;
	signed char layout;		/* ROLE_SUB: its directory's layout */
};

struct watch {
	const struct al_ctx *ctx;
	int ifd;
	size_t n;
	struct wentry v[WATCH_MAX];
	pid_t parent;
	struct timespec since;
	pid_t own_pid;			/* own socket's process, terminal unknown */
	char own_path[AL_SUN_PATH_MAX];	/* own socket, once live */
};

static long
ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/*
 * Watches the directory fd (consumed) is open on.  Through /proc/self/fd,
 * so the watch is on the very directory that was checked, whatever has
 * been renamed since.
 */
static int
add_fd_watch(struct watch *w, int fd, size_t place, enum role role, int layout)
{
	char path[64];
	int wd = -1;
	size_t i;

	if (w->n < WATCH_MAX) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		wd = inotify_add_watch(w->ifd, path, CREATE_MASK);
	}
	close(fd);
	if (wd < 0)
		return -1;
	for (i = 0; i < w->n; i++)
		if (w->v[i].wd == wd)
			return 0;	/* the kernel gave an existing one */
	w->v[w->n].wd = wd;
	w->v[w->n].place = (unsigned short)place;
	w->v[w->n].role = (unsigned char)role;
	w->v[w->n].layout = (signed char)layout;
	w->n++;
	return 0;
}

/* Watches a per-connection directory of a shared place if it is the
 * user's; 1 when it did. */
static int
watch_sub(struct watch *w, int placefd, size_t place, const char *name)
{
	int layout, fd;

	if ((layout = al_layout_match_dir(name)) < 0 ||
	    (fd = al_user_subdir_open(w->ctx, placefd, name, O_PATH)) < 0)
		return 0;
	return add_fd_watch(w, fd, place, ROLE_SUB, layout) == 0;
}

/* Watches place i: its directory (and in a shared place the user's own
 * per-connection directories), or while it is missing, the deepest part
 * of its path that exists. */
static void
watch_place(struct watch *w, size_t i)
{
	const struct al_place *pl = &w->ctx->places[i];
	int fd, deepest, dup;
	struct dirent *de;
	DIR *d;

	fd = al_dir_open(w->ctx, pl->dir, pl->kind == AL_PLACE_USER ?
			 AL_DIR_USERS | AL_DIR_READ : AL_DIR_READ, &deepest);
	if (fd < 0) {
		if (deepest >= 0)
			(void)add_fd_watch(w, deepest, i, ROLE_CHAIN, -1);
		return;
	}
	/* The user's own per-connection directories that exist already;
	 * readdir() takes a copy of the descriptor, the watch the original. */
	if (pl->kind == AL_PLACE_SHARED &&
	    (dup = fcntl(fd, F_DUPFD_CLOEXEC, 3)) >= 0) {
		if ((d = fdopendir(dup)) == NULL) {
			close(dup);
		} else {
			while ((de = readdir(d)) != NULL)
				if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)
					(void)watch_sub(w, dirfd(d), i, de->d_name);
			closedir(d);
		}
	}
	(void)add_fd_watch(w, fd, i, ROLE_PLACE, -1);
}

/* A CHAIN watch fired: the place may be there now. */
static void
rewatch_place(struct watch *w, size_t k)
{
	size_t place = w->v[k].place;

	(void)inotify_rm_watch(w->ifd, w->v[k].wd);
	w->v[k] = w->v[--w->n];
	watch_place(w, place);
}

static const struct wentry *
entry_of(const struct watch *w, int wd, size_t *k)
{
	for (*k = 0; *k < w->n; (*k)++)
		if (w->v[*k].wd == wd)
			return &w->v[*k];
	return NULL;
}

/* One event; returns 1 if a pass is due. */
static int
on_event(struct watch *w, const struct inotify_event *ev)
{
	const struct al_place *pl;
	const struct wentry *e;
	size_t k;
	int fd, due;

	if ((e = entry_of(w, ev->wd, &k)) == NULL || ev->len == 0)
		return 0;
	pl = &w->ctx->places[e->place];
	switch (e->role) {
	case ROLE_CHAIN:
		rewatch_place(w, k);
		return 1;
	case ROLE_PLACE:
		if (pl->kind == AL_PLACE_USER)
			return al_layout_match_name(pl->kind, -1, ev->name,
			    w->ctx->hosthash, &(pid_t){ 0 }) >= 0;
		if (!(ev->mask & IN_ISDIR) || al_layout_match_dir(ev->name) < 0)
			return 0;
		/* Other users' directories are not even opened, and cost
		 * no pass. */
		if ((fd = al_dir_open(w->ctx, pl->dir, 0, NULL)) < 0)
			return 0;
		due = watch_sub(w, fd, e->place, ev->name);
		close(fd);
		return due;
	case ROLE_SUB:
		return al_layout_match_name(pl->kind, e->layout, ev->name,
		    w->ctx->hosthash, &(pid_t){ 0 }) >= 0;
	}
	return 0;
}

/* Reads pending events; returns 1 if a pass is due. */
static int
drain_events(struct watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	int due = 0;
	ssize_t n;
	char *p;

	while ((n = read(w->ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				due = 1;
			else if (on_event(w, ev))
				due = 1;
		}
	}
	return due;
}

static int
is_own(const struct watch *w, const struct al_candidate *c)
{
	pid_t ppid;

	/* A pid in the name is the connection's own sshd process: a child
	 * of the monitor that opened the session. */
	if (c->pid > 0 && al_proc_stat(c->pid, &ppid, NULL) == 0)
		return ppid == w->parent;
	return c->mtime.tv_sec > w->since.tv_sec ||
	    (c->mtime.tv_sec == w->since.tv_sec &&
	     c->mtime.tv_nsec >= w->since.tv_nsec);
}

/* policy=interactive, and whether c's connection has a terminal is not
 * known yet (though it can be: its name carries a pid). */
static int
waits_for_tty(const struct watch *w, const struct al_candidate *c)
{
	return w->ctx->policy == AL_POLICY_INTERACTIVE && c->pid > 0 &&
	    c->interactive == AL_TTY_UNKNOWN;
}

/* Has own_pid's title said terminal or notty (or is it gone)? */
static int
tty_known(const struct watch *w)
{
	struct al_conn conn;

	return al_conn_read(w->own_pid, w->ctx->uid, w->ctx->user, &conn) != 0 ||
	    conn.tty != AL_TTY_UNKNOWN;
}

/*
 * This connection's socket own is live while the link is kept for an
 * agent (at kept) that has not answered the question the watch asked it:
 * the race (race.c).  When the old one loses, its candidate is marked
 * hung for the pass's next settle, and 1 is returned.
 */
static int
race_lost(const struct watch *w, struct al_cands *cands,
	  const struct al_candidate *own, const char *kept)
{
	const struct al_race *r = w->ctx->race;
	size_t i;

	if (r == NULL || r->state != AL_RACE_ASKED || strcmp(kept, r->path) != 0)
		return 0;
	al_race_own(w->ctx, cands, own);
	if (r->state != AL_RACE_HUNG && r->state != AL_RACE_LOST)
		return 0;
	/* Marked here, not only in the hung list, which may be full. */
	for (i = 0; i < cands->n; i++)
		if ((cands->v[i].dev == r->dev && cands->v[i].ino == r->ino) ||
		    al_hung_has(w->ctx, cands->v[i].dev, cands->v[i].ino))
			cands->v[i].live = AL_HUNG;
	return 1;
}

/*
 * One pass: settle the link over a fresh scan.  Returns 1 when this
 * connection's socket is live (the job is done), 0 when it has not
 * appeared, -1 when it exists but does not accept connections yet, 2
 * when it is live but whether its connection has a terminal is not known
 * yet (policy=interactive).
 */
static int
pass(struct watch *w)
{
	struct al_cands cands = { 0 };
	struct al_outcome out;
	int state = 0, own = -1;
	size_t i;

	if (al_scan(w->ctx, &cands) != 0) {
		al_cands_free(&cands);
		return 0;
	}
	/* Open and close leave dead sockets in shared places alone (they
	 * do not list them): the watch, which does, removes them.  The
	 * socket of a process that runs is never taken for dead.  Like every
	 * change, not once the connection's monitor is gone. */
	if (w->ctx->cleanup &&
	    !(w->ctx->guard_pid > 0 && al_proc_gone(w->ctx->guard_pid)))
		al_cleanup_stale(w->ctx, &cands);
	/* This connection's own socket is asked nothing: its client asked
	 * for it a moment ago, and a shell started with the link as
	 * SSH_AUTH_SOCK is waiting for it.  One that refuses is between
	 * sshd's bind() and listen(). */
	for (i = 0; i < cands.n; i++) {
		struct al_candidate *c = &cands.v[i];

		if (!is_own(w, c))
			continue;
		c->live = al_cand_probe(w->ctx, c) == 1 ? AL_ANSWERS : AL_DEAD;
		if (c->live == AL_DEAD && state == 0)
			state = -1;
		if (c->live == AL_ANSWERS) {
			own = (int)i;
			state = 1;
		}
	}
	(void)al_settle(w->ctx, &cands, "watch", 0, &out);
	/* Kept for an agent that has not answered yet: the race decides. */
	if (own >= 0 && out.action == AL_ACT_KEEP &&
	    race_lost(w, &cands, &cands.v[own], out.new_target) &&
	    al_settle(w->ctx, &cands, "watch", 0, &out) == AL_OK &&
	    out.action == AL_ACT_LINK)
		al_race_moved(w->ctx, out.new_target);
	if (own >= 0 && waits_for_tty(w, &cands.v[own])) {
		w->own_pid = cands.v[own].pid;
		state = 2;
		al_debug(w->ctx->log, "watch: own socket %s is live; waiting for "
			 "its session to show a terminal or none", cands.v[own].path);
	} else if (own >= 0) {
		strcpy(w->own_path, cands.v[own].path);
	}
	al_cands_free(&cands);
	return state;
}

/* The rule again over a fresh scan: the watch's job is done, and the
 * agent the race asked answered. */
static void
settle_again(const struct al_ctx *ctx)
{
	struct al_cands cands = { 0 };
	struct al_outcome out;

	if (al_scan(ctx, &cands) == 0)
		(void)al_settle(ctx, &cands, "watch", 0, &out);
	al_cands_free(&cands);
}

/* The next wait before looking again: 1 ms, doubling up to RETRY_MAX_MS. */
static long
backoff(long ms)
{
	return ms == 0 ? 1 : ms * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : ms * 2;
}

int
al_watch(const struct al_ctx *ctx, pid_t parent_pid, int parent_pidfd,
	 unsigned wait_ms, const struct timespec *since)
{
	struct watch w;
	struct timespec deadline;
	struct pollfd pfd[3];
	struct timespec tmo;
	sigset_t waitmask;
	long left, race_ms, retry_ms = 0;
	int state = 0, done = 0, r, due, nfd;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.parent = parent_pid;
	w.since = *since;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.ifd < 0) {
		al_log(ctx->log, LOG_ERR, "watch: inotify_init1: %m");
		return -1;
	}
	/* Watches first, then a pass: nothing can slip in between. */
	for (i = 0; i < ctx->nplaces; i++)
		watch_place(&w, i);
	due = 1;

	/* The caller blocks every signal; SIGTERM arrives only inside
	 * ppoll(), never in the middle of a change. */
	sigfillset(&waitmask);
	sigdelset(&waitmask, SIGTERM);
	for (;;) {
		if (al_watch_stop)
			break;
		if (due && !done) {
			state = pass(&w);
			done = state == 1;
			retry_ms = state == 0 || done ? 0 : backoff(retry_ms);
			if (done && al_race_pending(ctx))
				al_debug(ctx->log, "watch: own socket %s is live; "
					 "the question to the link's agent is "
					 "still open", w.own_path);
		}
		/* Done, unless the agent the race took the link from may
		 * still answer: then it gets the link back. */
		if (done && !al_race_pending(ctx)) {
			al_debug(ctx->log, "watch: own socket %s is live; done",
				 w.own_path);
			break;
		}
		/* SIGTERM may have come while a pass asked an agent. */
		if (al_watch_stop)
			break;
		if ((left = ms_until(&deadline)) <= 0) {
			al_debug(ctx->log, "watch: no socket of this connection "
				 "within %u ms; done", wait_ms);
			break;
		}
		if (retry_ms > 0 && retry_ms < left)
			left = retry_ms;
		if (parent_pidfd < 0 && left > 250)
			left = 250;
		/* The question to the link's agent, while it is open. */
		race_ms = al_race_ms_left(ctx, &pfd[2].events, &pfd[2].fd);
		if (race_ms >= 0 && race_ms < left)
			left = race_ms;
		pfd[0].fd = w.ifd;
		pfd[0].events = POLLIN;
		pfd[1].fd = parent_pidfd;
		pfd[1].events = POLLIN;
		pfd[2].revents = 0;
		nfd = pfd[2].fd >= 0 ? 3 : parent_pidfd >= 0 ? 2 : 1;
		tmo.tv_sec = left / 1000;
		tmo.tv_nsec = (left % 1000) * 1000000L;
		r = ppoll(pfd, (nfds_t)nfd, &tmo, &waitmask);
		if (r < 0 && errno != EINTR)
			break;
		if (r < 0)
			continue;
		if (r > 0 && parent_pidfd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			al_debug(ctx->log, "watch: sshd process %ld exited; done",
				 (long)parent_pid);
			break;
		}
		/* Without a pidfd, notice the parent's exit at each wake-up. */
		if (parent_pidfd < 0 && kill(parent_pid, 0) != 0 && errno == ESRCH)
			break;
		due = r > 0 && (pfd[0].revents & POLLIN) && drain_events(&w);
		/* An agent that counts as hung now: settle without it; one
		 * that answered after losing the race: its link back. */
		if (race_ms >= 0) {
			switch (al_race_poll(ctx, pfd[2].revents)) {
			case AL_RACE_SETTLE:
				/* Done: no more passes, but the rule once more. */
				if (done)
					settle_again(ctx);
				else
					due = 1;
				break;
			case AL_RACE_GIVE_BACK:
				if (al_race_give_back(ctx))
					settle_again(ctx);
				break;
			case AL_RACE_NOTHING:
				break;
			}
		}
		/* A title still without a terminal is not worth a pass. */
		if (r == 0 && retry_ms > 0 && state == 2 && !tty_known(&w))
			retry_ms = backoff(retry_ms);
		else if (r == 0 && retry_ms > 0)
			due = 1;
	}
	al_race_close(ctx);
	close(w.ifd);
	return 0;
}
