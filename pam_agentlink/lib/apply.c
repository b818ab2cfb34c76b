/*
 * apply.c - one settling pass: look at the link, decide with al_decide(),
 * probe what the decision asks about, act, and log one line saying what
 * was done and why.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "apply.h"
#include "cfg.h"
#include "conn.h"
#include "ctx.h"
#include "layout.h"
#include "linkops.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "race.h"
#include "rule.h"
#include "scan.h"
#include "sunpath.h"
#include "tmuxlinks.h"

/* A socket younger than this may be between sshd's bind() and listen(). */
#define AL_STALE_MIN_AGE 2
/* A dead socket in the home is removed only when this old, as OpenSSH's
 * agent_cleanup_stale() does: another host may share the home. */
#define AL_HOME_STALE_AGE 3600

/* At most this many sockets are asked at once. */
#define PROBE_BATCH 8

static long
ms_left(const struct timespec *deadline)
{
	struct timespec now;
	long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms > 0 ? ms : 0;
}

/* What an answer (or its absence) says about a socket that accepted. */
static enum al_liveness
verdict(const struct al_ctx *ctx, enum al_answer a)
{
	if (a == AL_ANS_YES)
		return AL_ANSWERS;
	if (a == AL_ANS_BAD || ctx->probe_full)
		return AL_HUNG;
	return AL_LIVE;		/* no answer within open's few ms: unknown */
}

/*
 * Probes the candidates v[0..n) together: connect() each, then ask the
 * ones that accept a question every agent answers at once (probe.c), and
 * wait for all the answers at the same time.
 */
static void
probe_batch(const struct al_ctx *ctx, const struct al_cands *cands,
	    struct al_candidate **v, size_t n, int ask,
	    const struct timespec *deadline)
{
	enum al_answer res[PROBE_BATCH];
	sigset_t term, old;
	int fds[PROBE_BATCH];
	long us[PROBE_BATCH];
	size_t i, m = 0;
	int r, wait_ms;

	for (i = 0; i < n; i++) {
		if (al_hung_has(ctx, v[i]->dev, v[i]->ino)) {
			v[i]->live = AL_HUNG;
			continue;
		}
		r = al_cand_connect(ctx, v[i], al_cands_sockfd(cands, v[i]), &fds[m]);
		/* A full backlog (EAGAIN) is a listener too busy to ask. */
		v[i]->live = r == 1 || (r < 0 && errno == EAGAIN) ? AL_LIVE : AL_DEAD;
		if (r == 1 && ask)
			v[m++] = v[i];
		else if (r == 1)
			close(fds[m]);
		al_debug(ctx->log, "probe %s: %s", v[i]->path, r == 1 ?
			 "accepts" : v[i]->live == AL_LIVE ? "busy" : "refused");
	}
	if (m == 0)
		return;
	wait_ms = ctx->probe_full ? (int)ctx->probe_ms : (int)ms_left(deadline);
	/* The watch blocks every signal but lets SIGTERM end a long wait. */
	if (ctx->probe_full) {
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		sigprocmask(SIG_UNBLOCK, &term, &old);
	}
	if (al_agent_query(fds, m, wait_ms, res, us) < 0)
		for (i = 0; i < m; i++)
			res[i] = AL_ANS_NONE;
	if (ctx->probe_full)
		sigprocmask(SIG_SETMASK, &old, NULL);
	for (i = 0; i < m; i++) {
		close(fds[i]);
		v[i]->live = verdict(ctx, res[i]);
		if (v[i]->live == AL_HUNG)
			al_hung_add(ctx, v[i]->dev, v[i]->ino);
		al_debug(ctx->log, "probe %s: %s after %ld us", v[i]->path,
			 res[i] == AL_ANS_YES ? "answers" : res[i] == AL_ANS_BAD ?
			 "bad reply" : "no answer", us[i]);
	}
}

/*
 * Learns the liveness of candidate want: alone when it is the link's
 * target (policy=keep asks about nothing else), else together with the
 * next newest candidates of unknown liveness, so that one that does not
 * answer cannot use up the time of the others.
 */
static void
probe_for(const struct al_ctx *ctx, struct al_cands *cands, int want,
	  int target, int flags, const struct timespec *deadline)
{
	struct al_candidate *v[PROBE_BATCH], *c;
	size_t n = 0, i, k;
	int ask = ctx->probe_ms > 0 &&
	    !(want == target && (flags & AL_CLOSING));

	/* The watch leaves its question to the link's agent open, and waits
	 * for the answer alongside its own socket (race.c). */
	if (want == target && ask && al_race_ask(ctx, cands, &cands->v[want]))
		return;
	v[n++] = &cands->v[want];
	/* Without questions to ask, a connect() says all there is to say. */
	while (want != target && ctx->probe_ms > 0 && n < PROBE_BATCH) {
		c = NULL;
		for (i = 0; i < cands->n; i++) {
			if (cands->v[i].live != AL_UNKNOWN || (int)i == target)
				continue;
			for (k = 0; k < n && v[k] != &cands->v[i]; k++)
				;
			if (k == n && (c == NULL || al_cand_newer(&cands->v[i], c)))
				c = &cands->v[i];
		}
		if (c == NULL)
			break;
		v[n++] = c;
	}
	probe_batch(ctx, cands, v, n, ask, deadline);
}

static int
find_target(const struct al_cands *cands, const char *target)
{
	size_t i;

	for (i = 0; i < cands->n; i++)
		if (strcmp(cands->v[i].path, target) == 0)
			return (int)i;
	return -1;
}

/* Changes are logged; a link left as it was only at debug level. */
static void
log_outcome(const struct al_ctx *ctx, const char *when,
	    const struct al_outcome *o)
{
	const char *why = al_reason_text(o->reason);
	/* The old target is whatever the link held: the user's to write. */
	char old[sizeof(o->old_target) * 4];

	al_esc(o->old_target, old, sizeof(old));

	switch (o->action) {
	case AL_ACT_KEEP:
		al_debug(ctx->log, "%s: kept %s -> %s (%s)", when, ctx->link,
			 o->new_target, why);
		break;
	case AL_ACT_LINK:
		if (o->old_target[0] != '\0')
			al_log(ctx->log, LOG_INFO, "%s: relinked %s from %s to %s "
			       "(%s)", when, ctx->link, old,
			       o->new_target, why);
		else
			al_log(ctx->log, LOG_INFO, "%s: linked %s -> %s (%s)", when,
			       ctx->link, o->new_target, why);
		break;
	case AL_ACT_REMOVE:
		al_log(ctx->log, LOG_INFO, "%s: removed %s, which pointed at %s "
		       "(%s, and no other agent socket of %s is alive)", when,
		       ctx->link, old, why, ctx->user);
		break;
	case AL_ACT_REFUSE:
		al_log(ctx->log, LOG_ERR, "%s: %s exists and is not a symbolic "
		       "link; leaving it alone", when, ctx->link);
		break;
	case AL_ACT_NONE:
		al_debug(ctx->log, "%s: no live agent socket of %s; no link", when,
			 ctx->user);
		break;
	case AL_ACT_PROBE:
		break;
	}
}

/*
 * The socket a new link is to name, found again by a walk of its own:
 * the pass vouched for its place once, at the scan, and the user could
 * have renamed the place since (another's directory of the same name in
 * a sticky /tmp).  Only before a new link: keeping one changes nothing.
 */
static int
still_checked(const struct al_ctx *ctx, const struct al_candidate *c)
{
	struct al_ctx fresh = *ctx;
	struct al_cands one = { 0 };
	int ok;

	if (ctx->pass == NULL)
		return 1;		/* every step walked afresh already */
	fresh.pass = NULL;
	ok = al_scan_target(&fresh, c->path, &one) == 0 && one.n == 1 &&
	    one.v[0].dev == c->dev && one.v[0].ino == c->ino;
	al_cands_free(&one);
	return ok;
}

enum al_status
al_settle(const struct al_ctx *ctx, struct al_cands *cands, const char *when,
	  int flags, struct al_outcome *out)
{
	struct al_link_state link;
	struct timespec deadline;
	struct al_decision d;
	const char *base;
	int dfd, r = 0;

	memset(out, 0, sizeof(*out));
	out->action = AL_ACT_NONE;
	/* Read before anything can fail: the watch looks at them after. */
	if (ctx->policy == AL_POLICY_INTERACTIVE)
		al_cands_tty(ctx, cands);
	if ((dfd = al_linkdir_open(ctx, &base)) < 0)
		return AL_ERR;
	if (al_link_read(dfd, base, &link.kind, out->old_target,
			 sizeof(out->old_target)) != 0) {
		al_log(ctx->log, LOG_ERR, "%s: cannot look at %s: %m", when,
		       ctx->link);
		close(dfd);
		return AL_ERR;
	}
	if ((flags & AL_KEEP_ONLY) && link.kind == AL_LINK_SYMLINK &&
	    al_scan_target(ctx, out->old_target, cands) != 0) {
		close(dfd);
		return AL_AGAIN;
	}
	link.target = link.kind == AL_LINK_SYMLINK ?
	    find_target(cands, out->old_target) : -1;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_nsec += AL_INLINE_PROBE_MS * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	for (;;) {
		d = al_decide(ctx->policy, &link, cands->v, cands->n);
		if (d.action != AL_ACT_PROBE)
			break;
		probe_for(ctx, cands, d.index, link.target, flags, &deadline);
	}
	/* Stopped while it asked: change nothing (close settles). */
	if (al_watch_stop) {
		close(dfd);
		return AL_AGAIN;
	}
	/* Only the target was looked at: a hung one is kept only once
	 * nothing else is known to be alive, which takes a full look. */
	if ((flags & AL_KEEP_ONLY) && d.action != AL_ACT_REFUSE &&
	    (d.action != AL_ACT_KEEP || d.reason != AL_WHY_ALIVE)) {
		close(dfd);
		return AL_AGAIN;
	}
	out->action = d.action;
	out->reason = d.reason;
	/* For the log: sshd removes a socket when its connection ends. */
	if (d.reason == AL_WHY_FOREIGN && al_target_gone(ctx, out->old_target))
		out->reason = AL_WHY_GONE;
	if (d.index >= 0)
		strcpy(out->new_target, cands->v[d.index].path);

	/* The watch never acts after its connection's close_session. */
	if ((d.action == AL_ACT_LINK || d.action == AL_ACT_REMOVE) &&
	    ctx->guard_pid > 0 && al_proc_gone(ctx->guard_pid)) {
		al_debug(ctx->log, "%s: sshd process %ld is gone; leaving the link "
			 "as it is", when, (long)ctx->guard_pid);
		close(dfd);
		return AL_AGAIN;
	}
	if (d.action == AL_ACT_LINK && !still_checked(ctx, &cands->v[d.index])) {
		char esc[AL_SUN_PATH_MAX * 4];

		al_log(ctx->log, LOG_NOTICE, "%s: %s changed during the pass; "
		       "leaving the link as it is", when,
		       al_esc(out->new_target, esc, sizeof(esc)));
		close(dfd);
		return AL_AGAIN;
	}
	if (d.action == AL_ACT_LINK)
		r = al_link_replace(ctx, dfd, base, out->new_target);
	else if (d.action == AL_ACT_REMOVE)
		r = al_link_remove(ctx, dfd, base);
	if (flags & AL_CLOSING)
		al_tmux_links_release(ctx, dfd, base);
	close(dfd);
	if (r != 0)
		return AL_ERR;
	out->link_alive = d.action == AL_ACT_KEEP || d.action == AL_ACT_LINK;
	out->link_answers = out->link_alive && cands->v[d.index].live == AL_ANSWERS;
	log_outcome(ctx, when, out);
	return d.action == AL_ACT_REFUSE ? AL_ERR : AL_OK;
}

/*
 * Old enough to be removed once nothing listens on it?  A young socket may
 * be between sshd's bind() and listen().  In the home, which other hosts
 * of the same name may share over NFS (where their live sockets look dead
 * from here), OpenSSH's own rule: an hour.  (A time in the future was
 * taken as the epoch by the scan: suspect, not young.)
 */
static int
old_enough(const struct al_ctx *ctx, const struct al_candidate *c,
	   const struct timespec *now)
{
	return now->tv_sec - c->mtime.tv_sec >=
	    (al_cand_local(ctx, c) ? AL_STALE_MIN_AGE : AL_HOME_STALE_AGE);
}

/*
 * May c be removed once nothing listens on it?  In a local directory a
 * socket named after a process that is gone will never be listened on
 * again.  In the home (OpenSSH 10.6's s.<hosthash>.sshd.<pid>.<random>;
 * the scan lists only names with this host's hash) one named after a pid
 * that is gone, or that /proc shows is not a live sshd process of this
 * user, is dead too (a host that shares the home and this host's name is
 * the one case this cannot tell).  Without a pid only age tells.
 */
static int
may_be_stale(const struct al_ctx *ctx, const struct al_candidate *c,
	     const struct timespec *now)
{
	struct al_conn conn;

	if (c->pid > 0 && al_cand_local(ctx, c))
		return al_proc_gone(c->pid);
	if (c->pid > 0 && al_proc_gone(c->pid))
		return 1;
	/* sshd's processes are not dumpable: with /proc mounted hidepid=2
	 * the user cannot read even their own, and one that cannot be read
	 * is not known to be gone (a socket between sshd's bind() and
	 * listen() refuses too).  Only age tells then. */
	if (c->pid > 0 && al_proc_stat(c->pid, NULL, NULL) == 0)
		return al_conn_read(c->pid, ctx->uid, ctx->user, &conn) != 0;
	return old_enough(ctx, c, now);
}

static void
remove_stale(const struct al_ctx *ctx, const struct al_candidate *c)
{
	const char *name = c->path + c->name_off;
	char sub[AL_SUN_PATH_MAX];
	struct stat st;
	int placefd, dfd;

	dfd = al_cand_dir_open(ctx, c, &placefd);
	/* Only the very socket that was found, in a directory of the user's. */
	if (dfd < 0 || fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode) || st.st_dev != c->dev ||
	    st.st_ino != c->ino || st.st_uid != ctx->uid) {
		al_debug(ctx->log, "stale socket %s changed under us; left alone",
			 c->path);
	} else if (unlinkat(dfd, name, 0) != 0) {
		al_log(ctx->log, LOG_ERR, "cannot remove stale socket %s: %m",
		       c->path);
	} else {
		al_log(ctx->log, LOG_INFO, "removed stale agent socket %s "
		       "(nothing listens on it)", c->path);
		/* sshd's per-connection directory goes with its socket. */
		if (placefd >= 0 && al_cand_sub(ctx, c, sub) != NULL &&
		    unlinkat(placefd, sub, AT_REMOVEDIR) == 0)
			al_debug(ctx->log, "removed its empty directory");
	}
	if (dfd >= 0)
		close(dfd);
	if (placefd >= 0)
		close(placefd);
}

int
al_cleanup_stale(const struct al_ctx *ctx, struct al_cands *cands)
{
	struct timespec now;
	size_t i, kept = 0;
	int removed = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < cands->n; i++) {
		struct al_candidate *c = &cands->v[i];

		if ((c->live == AL_UNKNOWN || c->live == AL_DEAD) &&
		    may_be_stale(ctx, c, &now) &&
		    al_cand_probe(ctx, c) == 0) {
			remove_stale(ctx, c);
			removed++;
			continue;
		}
		cands->v[kept++] = *c;
	}
	cands->n = kept;
	return removed;
}

/* Is the link below the home, where its directory is walked down from
 * the home (al_linkdir_open())? */
static int
link_in_home(const struct al_ctx *ctx)
{
	const char *slash = strrchr(ctx->link, '/');

	return slash != NULL &&
	    al_home_prefix(ctx->home, ctx->link, (size_t)(slash - ctx->link)) > 0;
}

/* Closes what the pass held. */
static void
pass_end(struct al_pass *p)
{
	size_t i;

	if (p->homefd >= 0)
		close(p->homefd);
	for (i = 0; i < AL_PLACES_MAX; i++)
		if (p->placefd[i] >= 0)
			close(p->placefd[i]);
}

static enum al_status
apply_pass(const struct al_ctx *ctx, const char *when, int flags,
	   struct al_outcome *out);

/*
 * One pass over one snapshot: the home and each place are opened once,
 * through the same walks as before, and every step of the pass works
 * from those descriptors (ctx->pass).
 */
enum al_status
al_apply(const struct al_ctx *ctx, const char *when, int flags,
	 struct al_outcome *out)
{
	struct al_pass pass;
	struct al_ctx c = *ctx;
	enum al_status st;
	struct stat hs;
	size_t i;

	memset(out, 0, sizeof(*out));
	pass.homefd = -1;
	for (i = 0; i < AL_PLACES_MAX; i++)
		pass.placefd[i] = -1;
	pass.lastdev_ok = 0;
	/* The home as al_linkdir_open() opens it, once: what stat() told,
	 * open(O_DIRECTORY) tells too.  When it cannot be opened so, the
	 * checks go as before, each by its own call. */
	if (link_in_home(ctx))
		pass.homefd = open(ctx->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	errno = 0;
	if (pass.homefd < 0 &&
	    (stat(ctx->home, &hs) != 0 || !S_ISDIR(hs.st_mode))) {
		al_log(ctx->log, LOG_NOTICE, "%s: home directory %s of %s: %s; "
		       "nothing to do", when, ctx->home, ctx->user,
		       errno ? strerror(errno) : "not a directory");
		return AL_NOHOME;
	}
	c.pass = &pass;
	st = apply_pass(&c, when, flags, out);
	pass_end(&pass);
	return st;
}

static enum al_status
apply_pass(const struct al_ctx *ctx, const char *when, int flags,
	   struct al_outcome *out)
{
	struct al_cands cands = { 0 };
	enum al_status st;

	/* policy=keep and a live link: no other socket can change that, so
	 * the socket directories are neither listed nor cleaned up. */
	if (ctx->policy == AL_POLICY_KEEP &&
	    (st = al_settle(ctx, &cands, when, AL_KEEP_ONLY | flags, out)) !=
	    AL_AGAIN) {
		al_cands_free(&cands);
		return st;
	}
	if (al_scan(ctx, &cands) != 0) {
		al_log(ctx->log, LOG_ERR, "%s: out of memory listing agent sockets",
		       when);
		al_cands_free(&cands);
		return AL_ERR;
	}
	if (ctx->cleanup)
		al_cleanup_stale(ctx, &cands);
	st = al_settle(ctx, &cands, when, flags, out);
	al_cands_free(&cands);
	return st;
}
