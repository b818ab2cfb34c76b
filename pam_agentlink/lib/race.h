/*
 * race.h - the reconnect's race (race.c): run by the settling pass only
 * when the watch sets ctx->race, so never inside sshd.
 */
#ifndef AGENTLINK_RACE_H
#define AGENTLINK_RACE_H

#include <stddef.h>
#include <sys/types.h>

#include "ctx.h"
#include "probe.h"
#include "rule.h"
#include "scan.h"
#include "sunpath.h"

/* Sockets a watch found hung, so that it asks each only once. */
#define AL_HUNG_MAX 16
struct al_hung {
	size_t n;
	struct { dev_t dev; ino_t ino; } v[AL_HUNG_MAX];
};

int al_hung_has(const struct al_ctx *ctx, dev_t dev, ino_t ino);
void al_hung_add(const struct al_ctx *ctx, dev_t dev, ino_t ino);



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

#endif /* AGENTLINK_RACE_H */
