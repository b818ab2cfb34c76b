/*
 * race.c - the reconnect's race, in the watch.
 *
 * The watch asks the link's agent once, when it first looks at it, and
 * leaves the question open while it waits for this connection's own
 * socket; the login goes on meanwhile.  When that socket appears, its
 * agent (alive by construction: its client asked for forwarding a moment
 * ago) is asked too.  If the old one has not answered by the time
 * al_race_patience_us() of the new one's answer time has passed since it
 * was asked, it counts as hung and the link moves at once, before the
 * session's first command can reach it.  An answer within that time, or
 * before the new socket appears, keeps the link where it is.  The question
 * stays open until probe=: an agent that was only slow, and answers after
 * all, gets the link back: with policy=keep if the link is still where
 * the race put it, with the other policies if the rule says so.
 *
 * Also the watch's list of hung sockets, so that each is asked only once.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "ctx.h"
#include "linkops.h"
#include "log.h"
#include "probe.h"
#include "proc.h"
#include "race.h"
#include "rule.h"
#include "scan.h"
#include "sunpath.h"

int
al_hung_has(const struct al_ctx *ctx, dev_t dev, ino_t ino)
{
	size_t i;

	for (i = 0; ctx->hung != NULL && i < ctx->hung->n; i++)
		if (ctx->hung->v[i].dev == dev && ctx->hung->v[i].ino == ino)
			return 1;
	return 0;
}

void
al_hung_add(const struct al_ctx *ctx, dev_t dev, ino_t ino)
{
	struct al_hung *h = ctx->hung;

	if (h != NULL && h->n < AL_HUNG_MAX && !al_hung_has(ctx, dev, ino)) {
		h->v[h->n].dev = dev;
		h->v[h->n].ino = ino;
		h->n++;
	}
}

static void
hung_del(const struct al_ctx *ctx, dev_t dev, ino_t ino)
{
	struct al_hung *h = ctx->hung;
	size_t i;

	for (i = 0; h != NULL && i < h->n; i++)
		if (h->v[i].dev == dev && h->v[i].ino == ino) {
			h->v[i] = h->v[--h->n];
			return;
		}
}

static long long
asked_us(const struct al_race *r)
{
	return (al_mono_ns() - r->asked_ns) / 1000;
}

/* The verdict on the old agent: it answered, or it counts as hung. */
static void
decide(const struct al_ctx *ctx, struct al_race *r, enum al_race_state st,
       const char *why)
{
	al_debug(ctx->log, "probe %s: %s after %lld us", r->path, why,
		 asked_us(r));
	close(r->fd);
	r->fd = -1;
	r->state = st;
	if (st == AL_RACE_HUNG)
		al_hung_add(ctx, r->dev, r->ino);
}

/* One step of the old agent's question.  An answer after the race was
 * lost makes it alive again, and due its link back. */
static void
step_old(const struct al_ctx *ctx, struct al_race *r)
{
	int v = al_query_step(r->fd, &r->q);

	if (v == AL_ANS_YES && r->state == AL_RACE_LOST) {
		hung_del(ctx, r->dev, r->ino);
		decide(ctx, r, AL_RACE_LATE, "answers after all");
	} else if (v == AL_ANS_YES) {
		decide(ctx, r, AL_RACE_ANSWERED, "answers");
	} else if (v != AL_QUERY_PENDING) {
		decide(ctx, r, AL_RACE_HUNG, "bad reply");
	}
}

/* The question is open: asked, or lost to the new socket and waiting
 * until probe= for an answer after all. */
static int
is_open(const struct al_race *r)
{
	return r != NULL &&
	    (r->state == AL_RACE_ASKED || r->state == AL_RACE_LOST);
}

int
al_race_pending(const struct al_ctx *ctx)
{
	const struct al_race *r = ctx->race;

	return is_open(r) &&
	    (r->state == AL_RACE_LOST || ctx->policy != AL_POLICY_KEEP);
}

void
al_race_moved(const struct al_ctx *ctx, const char *path)
{
	struct al_race *r = ctx->race;

	if (r != NULL && r->state == AL_RACE_LOST)
		strcpy(r->won, path);
}

void
al_race_close(const struct al_ctx *ctx)
{
	struct al_race *r = ctx->race;

	if (r != NULL && r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
}

static enum al_liveness
liveness(const struct al_race *r)
{
	switch (r->state) {
	case AL_RACE_ANSWERED:
	case AL_RACE_LATE:
		return AL_ANSWERS;
	case AL_RACE_HUNG:
	case AL_RACE_LOST:
		return AL_HUNG;
	default:
		return AL_LIVE;
	}
}

int
al_race_ask(const struct al_ctx *ctx, const struct al_cands *cands,
	    struct al_candidate *c)
{
	struct al_race *r = ctx->race;
	int fd;

	if (r == NULL || ctx->probe_ms == 0)
		return 0;
	if (r->state != AL_RACE_NONE) {
		/* One race per watch: another target is probed as before,
		 * and so is this one once probe= has passed since it was
		 * asked (a verdict is not for the watch's whole life). */
		if (r->dev != c->dev || r->ino != c->ino ||
		    (!is_open(r) && asked_us(r) >= (long long)ctx->probe_ms * 1000))
			return 0;
		c->live = liveness(r);
		return 1;
	}
	/* Refused or busy: the caller's own probe says which. */
	if (al_cand_connect(ctx, c, al_cands_sockfd(cands, c), &fd) != 1)
		return 0;
	al_query_init(&r->q);
	r->fd = fd;
	r->dev = c->dev;
	r->ino = c->ino;
	strcpy(r->path, c->path);
	r->asked_ns = al_mono_ns();
	r->state = AL_RACE_ASKED;
	al_debug(ctx->log, "probe %s: asked; waiting for its answer up to %u ms "
		 "or until this connection's socket answers", c->path,
		 ctx->probe_ms);
	step_old(ctx, r);
	c->live = liveness(r);
	return 1;
}

long
al_race_ms_left(const struct al_ctx *ctx, short *events, int *fd)
{
	const struct al_race *r = ctx->race;
	long long ns;

	*fd = -1;
	if (!is_open(r))
		return -1;
	*fd = r->fd;
	*events = al_query_events(&r->q);
	ns = r->asked_ns + ctx->probe_ms * 1000000LL - al_mono_ns();
	/* Rounded up: the wait never ends before the deadline. */
	return ns <= 0 ? 0 : (long)((ns + 999999) / 1000000);
}

enum al_race_due
al_race_poll(const struct al_ctx *ctx, short revents)
{
	struct al_race *r = ctx->race;
	enum al_race_state was;

	if (!is_open(r))
		return AL_RACE_NOTHING;
	was = r->state;
	if (revents != 0)
		step_old(ctx, r);
	if (is_open(r) && asked_us(r) >= (long long)ctx->probe_ms * 1000)
		decide(ctx, r, AL_RACE_HUNG, "no answer");
	if (r->state == AL_RACE_LATE)
		return AL_RACE_GIVE_BACK;
	/* Lost: the link has moved already.  The other policies took the
	 * agent asked for one that merely accepts, and may have preferred
	 * another that answered: the rule again, now that it has. */
	if (was == AL_RACE_ASKED && r->state == AL_RACE_HUNG)
		return AL_RACE_SETTLE;
	if (was == AL_RACE_ASKED && r->state == AL_RACE_ANSWERED &&
	    ctx->policy != AL_POLICY_KEEP)
		return AL_RACE_SETTLE;
	return AL_RACE_NOTHING;
}

/* When the old agent counts as hung: probe= after it was asked, or
 * sooner once the new one has answered (new_us >= 0). */
static long long
deadline_ns(const struct al_ctx *ctx, const struct al_race *r, long long new_us)
{
	long long probe = r->asked_ns + ctx->probe_ms * 1000000LL, race;

	if (new_us < 0)
		return probe;
	race = r->asked_ns + al_race_patience_us(new_us) * 1000;
	return race < probe ? race : probe;
}

void
al_race_own(const struct al_ctx *ctx, const struct al_cands *cands,
	    const struct al_candidate *own)
{
	struct al_race *r = ctx->race;
	struct pollfd p[2];
	struct al_query q;
	struct timespec ts;
	sigset_t waitmask;
	long long start, now, until, new_us = -1;
	int fd, v;

	if (r == NULL || r->state != AL_RACE_ASKED)
		return;
	if (al_cand_connect(ctx, own, al_cands_sockfd(cands, own), &fd) != 1)
		fd = -1;
	al_query_init(&q);
	start = al_mono_ns();
	/* As in the watch's loop: SIGTERM ends the wait, nothing else. */
	sigfillset(&waitmask);
	sigdelset(&waitmask, SIGTERM);
	while (r->state == AL_RACE_ASKED && !al_watch_stop) {
		/* An answer may have come while the pass scanned. */
		step_old(ctx, r);
		if (r->state != AL_RACE_ASKED)
			break;
		now = al_mono_ns();
		if (now >= (until = deadline_ns(ctx, r, new_us)) && new_us < 0) {
			decide(ctx, r, AL_RACE_HUNG, "no answer");
			break;
		}
		if (now >= until) {
			/* Lost; the question stays open until probe=. */
			al_debug(ctx->log, "race: %s answered in %lld us; %s did "
				 "not in %lld us", own->path, new_us, r->path,
				 asked_us(r));
			r->state = AL_RACE_LOST;
			strcpy(r->won, own->path);
			al_hung_add(ctx, r->dev, r->ino);
			break;
		}
		p[0].fd = r->fd;
		p[0].events = al_query_events(&r->q);
		p[1].fd = fd;
		p[1].events = al_query_events(&q);
		ts.tv_sec = (until - now) / 1000000000LL;
		ts.tv_nsec = (until - now) % 1000000000LL;
		if (ppoll(p, 2, &ts, &waitmask) < 0 && errno != EINTR)
			break;
		/* The old agent's answer is read at the loop's top. */
		if (fd >= 0 && p[1].revents != 0 &&
		    (v = al_query_step(fd, &q)) != AL_QUERY_PENDING) {
			/* One that does not answer leaves probe= to decide. */
			if (v == AL_ANS_YES)
				new_us = (al_mono_ns() - start) / 1000;
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
}

int
al_race_give_back(const struct al_ctx *ctx)
{
	struct al_race *r = ctx->race;
	struct al_cands cands = { 0 };
	/* Room for more than a socket path: a longer link text is no match. */
	char cur[2 * AL_SUN_PATH_MAX];
	enum al_link_kind kind;
	const char *base;
	size_t i;
	int dfd;

	if (r == NULL || r->state != AL_RACE_LATE)
		return 0;
	r->state = AL_RACE_ANSWERED;
	/* Elsewhere the rule has its own reasons, and says them again now
	 * that the old agent counts as alive. */
	if (ctx->policy != AL_POLICY_KEEP)
		return 1;
	if (al_scan(ctx, &cands) != 0)
		goto out;
	for (i = 0; i < cands.n; i++)
		if (cands.v[i].dev == r->dev && cands.v[i].ino == r->ino)
			break;
	if (i == cands.n || al_cand_probe(ctx, &cands.v[i]) != 1)
		goto out;		/* gone since it answered */
	if ((dfd = al_linkdir_open(ctx, &base)) < 0)
		goto out;
	/* Only from where the race put it, and never after close. */
	if (al_link_read(dfd, base, &kind, cur, sizeof(cur)) == 0 &&
	    kind == AL_LINK_SYMLINK && strlen(cur) < sizeof(r->won) &&
	    strcmp(cur, r->won) == 0 &&
	    !(ctx->guard_pid > 0 && al_proc_gone(ctx->guard_pid)) &&
	    al_link_replace(ctx, dfd, base, cands.v[i].path) == 0)
		al_log(ctx->log, LOG_INFO, "watch: relinked %s from %s back to %s "
		       "(its agent answered after all, in %lld ms)", ctx->link,
		       r->won, cands.v[i].path, asked_us(r) / 1000);
	close(dfd);
out:
	al_cands_free(&cands);
	return 0;
}
