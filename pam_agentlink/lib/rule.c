/*
 * rule.c - which socket the link should point to.
 *
 * A pure function over plain data.  Liveness is learned lazily: when the
 * answer depends on a candidate whose liveness is unknown, the decision is
 * AL_ACT_PROBE for that candidate and the caller asks again once it knows.
 * That way at most the link's target and the newest candidates are probed,
 * never every socket of the user.  A probe tells dead (refused), accepts
 * (answer unknown), answers, or hung (accepts but does not answer: the
 * connection of a laptop gone to sleep); a target is the newest socket
 * that answers, else the newest that accepts, never a hung one.
 *
 * policy=interactive looks first among the connections that have a
 * terminal (the candidate's interactive field, which the caller reads
 * from the title sshd gives the connection's process): the newest of
 * those is the target; when none of them is usable, it keeps a live link
 * as policy=keep does.
 */
#include <string.h>

#include "cfg.h"
#include "rule.h"

/* Newer first: later mtime, then the greater path, so ties are stable. */
int
al_cand_newer(const struct al_candidate *a, const struct al_candidate *b)
{
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec > b->mtime.tv_sec;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec > b->mtime.tv_nsec;
	return strcmp(a->path, b->path) > 0;
}

/* Could the link point at it?  It accepts, and is not known not to answer. */
static int
usable(const struct al_candidate *c)
{
	return c->live == AL_LIVE || c->live == AL_ANSWERS;
}

/*
 * The best target among those known (with tty_only, among those whose
 * connection has a terminal): the newest whose agent answers, else the
 * newest that accepts.  *probe gets a candidate to learn about first, one
 * newer than every usable one known, or -1; the caller may learn about
 * several at once, which is how one that answers can beat a newer one
 * that merely accepts.
 */
static int
best_target(const struct al_candidate *cand, size_t n, int tty_only, int *probe)
{
	int answers = -1, accepts = -1, unknown = -1, best;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct al_candidate *c = &cand[i];

		if (tty_only && c->interactive != AL_TTY_YES)
			continue;
		if (c->live == AL_UNKNOWN &&
		    (unknown < 0 || al_cand_newer(c, &cand[unknown])))
			unknown = (int)i;
		else if (c->live == AL_ANSWERS &&
			 (answers < 0 || al_cand_newer(c, &cand[answers])))
			answers = (int)i;
		else if (usable(c) && (accepts < 0 || al_cand_newer(c, &cand[accepts])))
			accepts = (int)i;
	}
	best = answers >= 0 ? answers : accepts;
	*probe = -1;
	if (unknown >= 0 &&
	    (answers < 0 || al_cand_newer(&cand[unknown], &cand[answers])) &&
	    (accepts < 0 || al_cand_newer(&cand[unknown], &cand[accepts])))
		*probe = unknown;
	return best;
}

/* Why the current link is not simply kept; target is -1 or in range. */
static enum al_reason
link_reason(enum al_link_kind kind, int target, const struct al_candidate *cand)
{
	if (kind == AL_LINK_MISSING)
		return AL_WHY_MISSING;
	if (target < 0)
		return AL_WHY_FOREIGN;
	if (cand[target].live == AL_DEAD)
		return AL_WHY_DEAD;
	if (cand[target].live == AL_HUNG)
		return AL_WHY_HUNG;
	return AL_WHY_NEWER;
}

static struct al_decision
decision(enum al_action action, enum al_reason reason, int index)
{
	struct al_decision d = { action, reason, index };

	return d;
}

/*
 * policy=interactive: the newest usable connection with a terminal, if
 * there is one (AL_ACT_NONE otherwise: the caller goes on as keep).  A
 * connection whose terminal is not known counts as one without.
 */
static struct al_decision
decide_terminal(const struct al_link_state *link, int target,
		const struct al_candidate *cand, size_t n)
{
	enum al_reason why;
	int best, probe;

	best = best_target(cand, n, 1, &probe);
	if (probe >= 0)
		return decision(AL_ACT_PROBE,
		    link_reason(link->kind, target, cand), probe);
	if (best < 0)
		return decision(AL_ACT_NONE, AL_WHY_MISSING, -1);
	if (best == target)
		return decision(AL_ACT_KEEP, AL_WHY_ALIVE, best);
	why = link_reason(link->kind, target, cand);
	/* The link's socket may well be alive: it is left for a terminal. */
	return decision(AL_ACT_LINK, why == AL_WHY_NEWER ? AL_WHY_TERMINAL : why,
	    best);
}

struct al_decision
al_decide(enum al_policy policy, const struct al_link_state *link,
	  const struct al_candidate *cand, size_t n)
{
	struct al_decision d;
	int target = -1, best, probe;

	if (link->kind == AL_LINK_OTHER)
		return decision(AL_ACT_REFUSE, AL_WHY_NOT_SYMLINK, -1);
	if (link->kind == AL_LINK_SYMLINK && link->target >= 0 &&
	    (size_t)link->target < n)
		target = link->target;

	if (policy == AL_POLICY_INTERACTIVE) {
		d = decide_terminal(link, target, cand, n);
		if (d.action != AL_ACT_NONE)
			return d;
		policy = AL_POLICY_KEEP;	/* no terminal: keep a live link */
	}
	if (policy == AL_POLICY_KEEP && target >= 0) {
		if (cand[target].live == AL_UNKNOWN)
			return decision(AL_ACT_PROBE, AL_WHY_ALIVE, target);
		if (usable(&cand[target]))
			return decision(AL_ACT_KEEP, AL_WHY_ALIVE, target);
	}

	best = best_target(cand, n, 0, &probe);
	if (probe >= 0)
		return decision(AL_ACT_PROBE,
		    link_reason(link->kind, target, cand), probe);

	if (best < 0) {
		/* A link whose agent does not answer is still better than
		 * none: its connection may come back (a laptop waking up). */
		if (target >= 0 && cand[target].live == AL_HUNG)
			return decision(AL_ACT_KEEP, AL_WHY_ONLY_HUNG, target);
		if (link->kind == AL_LINK_SYMLINK)
			return decision(AL_ACT_REMOVE,
			    link_reason(link->kind, target, cand), -1);
		return decision(AL_ACT_NONE, AL_WHY_MISSING, -1);
	}
	if (best == target)
		return decision(AL_ACT_KEEP, AL_WHY_ALIVE, best);
	return decision(AL_ACT_LINK, link_reason(link->kind, target, cand),
	    best);
}

/*
 * An agent behind the same network as the new connection's was asked
 * before the new socket existed (two round trips of the login at least),
 * so it answers well within this; one that has not has had the login's
 * whole setup and several of its round trips.
 */
long long
al_race_patience_us(long long new_us)
{
	long long floor_us = AL_RACE_FLOOR_MS * 1000LL;

	if (new_us < 0)
		new_us = 0;
	return new_us > floor_us / AL_RACE_FACTOR ?
	    new_us * AL_RACE_FACTOR : floor_us;
}

const char *
al_reason_text(enum al_reason why)
{
	switch (why) {
	case AL_WHY_ALIVE:
		return "its socket is alive";
	case AL_WHY_MISSING:
		return "there was no link";
	case AL_WHY_DEAD:
		return "its socket is dead";
	case AL_WHY_FOREIGN:
		return "it did not point at a forwarded agent socket of the user";
	case AL_WHY_NEWER:
		return "policy=newest and a newer socket is alive";
	case AL_WHY_NOT_SYMLINK:
		return "the link path is not a symbolic link";
	case AL_WHY_GONE:
		return "its socket is gone";
	case AL_WHY_HUNG:
		return "its agent does not answer";
	case AL_WHY_ONLY_HUNG:
		return "its agent does not answer, but no other agent socket is alive";
	case AL_WHY_TERMINAL:
		return "policy=interactive prefers the newest connection with a terminal";
	}
	return "unknown reason";
}
