/*
 * ctx.h - the context every operation of the library works in: who the
 * user is, the places to look, the link, the policy.  The module, the
 * watch and the command each fill one in.  Every function that touches
 * the file system expects the user's file system credentials in place.
 */
#ifndef AGENTLINK_CTX_H
#define AGENTLINK_CTX_H

#include <stddef.h>
#include <sys/types.h>

#include "cfg.h"
#include "hosthash.h"
#include "layout.h"
#include "log.h"
#include "sunpath.h"

struct al_hung;
struct al_race;


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

#endif /* AGENTLINK_CTX_H */
