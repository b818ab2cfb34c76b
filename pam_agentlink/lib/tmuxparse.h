/*
 * tmuxparse.h - agentlink tmux: one link per tmux session, pointed at the
 * agent of the client attached to it.  The pure parsers (tmuxparse.c,
 * with a unit test of their own) and the limits.
 */
#ifndef AGENTLINK_TMUXPARSE_H
#define AGENTLINK_TMUXPARSE_H

#include <stddef.h>

#include "sunpath.h"

/* The session link: the host link's path, then ".tmux-<server pid>-<id>". */
#define TM_LINK_SUFFIX ".tmux-"
#define TM_SUN_PATH_MAX (AL_SUN_PATH_MAX - 1)
#define TM_PID_MAX 4194304L		/* the kernel's PID_MAX_LIMIT */
#define TM_ID_MAX 999999999L

/* Bounds on the work, whatever tmux says. */
#define TM_CLIENTS_MAX 64
#define TM_SESSIONS_MAX 64
#define TM_LINKS_MAX 256
#define TM_ANCESTORS_MAX 32
#define TM_ENVIRON_MAX (64 * 1024)
/* The whole sync, tmux's answers, and each agent's. */
#define TM_DEADLINE_MS 5000
#define TM_PROBE_MAX_MS 1000

enum tm_line_kind { TM_LINE_SESSION, TM_LINE_CLIENT };

/* One line of the sync's question to tmux:
 *   "S $<session id> <server pid>"
 *   "C <client pid> $<session id> <activity, seconds>" */
struct tm_line {
	enum tm_line_kind kind;
	long sid;
	long pid;			/* the server's, or the client's */
	long long activity;
};

/* A process id, digits alone; -1 if s is none. */
int tm_parse_pid(const char *s, long *pid);
/* 0 and *out, or -1 when line is none of the two forms. */
int tm_parse_line(const char *line, struct tm_line *out);
/* $TMUX, "SOCKET,SERVER PID,SESSION ID": its parts; -1 if malformed. */
int tm_parse_tmux_env(const char *tmux, char *sock, size_t sz, long *srvpid,
		      long *sid);
/* The value of name in an environ block of len bytes ("A=b\0C=d\0"), or
 * NULL; a last string without its NUL (the block was cut) is not read. */
const char *tm_environ_get(const char *buf, size_t len, const char *name);
/* The session link's path into out; -1 when it does not fit a socket
 * address. */
int tm_link_path(const char *host_link, long srvpid, long sid, char *out,
		 size_t sz);
/* Is name exactly base + ".tmux-<pid>-<id>"?  0 and its numbers if so. */
int tm_link_name_parse(const char *name, const char *base, long *srvpid,
		       long *sid);

#endif /* AGENTLINK_TMUXPARSE_H */
