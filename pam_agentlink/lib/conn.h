/*
 * conn.h - the connection behind a socket (conn.c).
 */
#ifndef AGENTLINK_CONN_H
#define AGENTLINK_CONN_H

#include <stddef.h>
#include <sys/types.h>

#include "ctx.h"
#include "rule.h"
#include "scan.h"

/* The sshd process a socket's name carries, as /proc shows it. */
struct al_conn {
	pid_t pid, ppid;
	unsigned long long start;	/* clock ticks after boot */
	enum al_tty tty;
	char ttys[64];			/* "pts/0", "notty"; "" if not known */
};

/* The terminal in sshd's title "sshd...: USER@TTYS" (pure): AL_TTY_NO for
 * notty, AL_TTY_YES for a terminal, else AL_TTY_UNKNOWN; ttys gets TTYS. */
enum al_tty al_title_tty(const char *title, const char *user, char *ttys,
			 size_t sz);
/* Reads process pid: 0 when it is the user's (every uid is uid) and
 * titled as sshd titles a connection's process, else -1. */
int al_conn_read(pid_t pid, uid_t uid, const char *user, struct al_conn *out);
/* Fills in each candidate's interactive field from its connection. */
void al_cands_tty(const struct al_ctx *ctx, struct al_cands *cands);

#endif /* AGENTLINK_CONN_H */
