/*
 * apply.h - putting it together (apply.c).
 */
#ifndef AGENTLINK_APPLY_H
#define AGENTLINK_APPLY_H

#include "ctx.h"
#include "rule.h"
#include "scan.h"
#include "sunpath.h"

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

#endif /* AGENTLINK_APPLY_H */
