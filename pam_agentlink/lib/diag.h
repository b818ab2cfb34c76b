/*
 * diag.h - the kernel's list of listening Unix sockets (diag.c).
 */
#ifndef AGENTLINK_DIAG_H
#define AGENTLINK_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sunpath.h"

/* One listening socket as the kernel lists it: untrusted (its owner
 * chose the name), a hint to check on the file system. */
struct al_diag_rec {
	char name[AL_SUN_PATH_MAX];	/* the path it was bound to */
	int has_name, has_uid, has_vfs;
	uid_t uid;			/* its owner */
	dev_t dev;			/* its file */
	ino_t ino;
};

enum {
	AL_DIAG_ERR = -1,		/* errno says why */
	AL_DIAG_DONE = 0,		/* the whole list was read */
	AL_DIAG_MORE = 1,		/* more parts to come */
	AL_DIAG_FULL = 2,		/* max records were looked at */
	AL_DIAG_TIME = 3		/* budget_ms ran out */
};

/* Records of any owner read at most: a bound on the work whatever is
 * on the host (a million listening sockets take the kernel a second). */
#define AL_DIAG_RECORDS_MAX (1U << 20)
/* The time open and close give the kernel's list: a few ms on a host
 * with tens of thousands of listening sockets; more means a crowded hash
 * bucket, someone's doing, and the rest is left to the watch. */
#define AL_DIAG_BUDGET_MS 50

struct al_diag_parse {
	uint32_t seq;			/* the request's */
	uid_t uid;			/* records of other owners are skipped */
	size_t seen, max;		/* records handed to fn, and at most */
	size_t all;			/* records read, of any owner */
	unsigned budget_ms;		/* al_diag_listeners(): time for it all */
	/* Called for each listening stream socket with a path name and
	 * no other owner; not 0 stops (AL_DIAG_ERR, its errno). */
	int (*fn)(void *arg, const struct al_diag_rec *r);
	void *arg;
};

/* One received buffer of a SOCK_DIAG_BY_FAMILY dump of AF_UNIX sockets
 * (pure): AL_DIAG_MORE, DONE, FULL (max records handed on, or
 * AL_DIAG_RECORDS_MAX read), or ERR (EBADMSG when malformed, the
 * kernel's errno for NLMSG_ERROR). */
int al_diag_parse(struct al_diag_parse *st, const void *buf, size_t len);
/* Asks the kernel for its listening Unix sockets and parses the answer:
 * AL_DIAG_DONE, FULL, TIME (budget_ms ran out between two parts), or ERR
 * (no socket_diag here, EPERM, ...). */
int al_diag_listeners(struct al_diag_parse *st);

#endif /* AGENTLINK_DIAG_H */
