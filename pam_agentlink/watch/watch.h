/*
 * watch.h - the watch (watch.c).
 */
#ifndef AGENTLINK_WATCH_H
#define AGENTLINK_WATCH_H

#include <sys/types.h>
#include <time.h>

#include "ctx.h"

/*
 * Waits up to wait_ms for a new forwarded socket, settling the link each
 * time one appears, until one that belongs to the connection of parent_pid
 * (sshd's monitor: its child names /tmp sockets; ~/.ssh/agent sockets
 * younger than since count as its own) is live.  parent_pidfd (or -1)
 * ends the wait as soon as that process exits.
 */
int al_watch(const struct al_ctx *ctx, pid_t parent_pid, int parent_pidfd,
	     unsigned wait_ms, const struct timespec *since);

#endif /* AGENTLINK_WATCH_H */
