/*
 * rule.c - which socket the link should point to.
 *
 * A pure function over plain data.  Liveness is learned lazily: when the
 * answer depends on a candidate whose liveness is unknown, the decision is
 * AL_ACT_PROBE for that candidate and the caller asks again once it knows.
 * That way at most the link's target and the newest candidates are probed,
 * never every socket of the user.
 */
#include <string.h>

#include "agentlink.h"

/* Newer first: later mtime, then the greater path, so ties are stable. */
static int
newer(const struct al_candidate *a, const struct al_candidate *b)
{
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec > b->mtime.tv_sec;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec > b->mtime.tv_nsec;
	return strcmp(a->path, b->path) > 0;
}

/* The newest candidate not known to be dead, or -1. */
static int
newest_not_dead(const struct al_candidate *cand, size_t n)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (cand[i].live == AL_DEAD)
			continue;
		if (best < 0 || newer(&cand[i], &cand[best]))
			best = (int)i;
	}
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
	return AL_WHY_NEWER;
}

static struct al_decision
decision(enum al_action action, enum al_reason reason, int index)
{
	struct al_decision d = { action, reason, index };

	return d;
}

struct al_decision
al_decide(enum al_policy policy, const struct al_link_state *link,
	  const struct al_candidate *cand, size_t n)
{
	int target = -1, best;

	if (link->kind == AL_LINK_OTHER)
		return decision(AL_ACT_REFUSE, AL_WHY_NOT_SYMLINK, -1);
	if (link->kind == AL_LINK_SYMLINK && link->target >= 0 &&
	    (size_t)link->target < n)
		target = link->target;

	if (policy == AL_POLICY_KEEP && target >= 0) {
		if (cand[target].live == AL_UNKNOWN)
			return decision(AL_ACT_PROBE, AL_WHY_ALIVE, target);
		if (cand[target].live == AL_LIVE)
			return decision(AL_ACT_KEEP, AL_WHY_ALIVE, target);
	}

	best = newest_not_dead(cand, n);
	if (best >= 0 && cand[best].live == AL_UNKNOWN)
		return decision(AL_ACT_PROBE,
		    link_reason(link->kind, target, cand), best);

	if (best < 0) {
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
	}
	return "unknown reason";
}
