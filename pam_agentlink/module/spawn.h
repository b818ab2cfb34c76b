/*
 * spawn.h - the watch process (spawn.c in the module; agentlink-watch).
 */
#ifndef AGENTLINK_SPAWN_H
#define AGENTLINK_SPAWN_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "ctx.h"

#define AL_WATCH_ARGS 25

/* The helper's argv, "name=value" words written before any fork. */
struct al_watch_argv {
	char *v[AL_WATCH_ARGS];
	char buf[AL_WATCH_ARGS][512];
	size_t n;
	int overflow;
};

/* What open_session hands the watch. */
struct al_watch_spec {
	const struct al_ctx *ctx;
	gid_t gid;
	unsigned wait_ms;
	pid_t monitor;			/* this connection's sshd monitor */
	unsigned long long monitor_start; /* its /proc start time */
	struct timespec since;		/* sockets from then on may be its own */
	const char *ident;		/* syslog ident (sshd's name) */
	const char *service;		/* PAM service */
};

/* The watch as open leaves it for close; what the middle process reports. */
struct al_watch_proc {
	pid_t pid;
	unsigned long long start;	/* /proc starttime, against pid reuse */
	int err;			/* why it could not be started */
};

/* Starts agentlink-watch detached, as the user; logs when it cannot. */
void al_watch_start(const struct al_watch_spec *s, struct al_watch_proc *w);
/* Ends the watch w (SIGTERM, then SIGKILL) and waits for its exit. */
void al_watch_stop_proc(const struct al_ctx *ctx,
			const struct al_watch_proc *w);

#endif /* AGENTLINK_SPAWN_H */
