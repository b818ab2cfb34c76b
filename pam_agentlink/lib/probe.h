/*
 * probe.h - liveness (probe.c).
 */
#ifndef AGENTLINK_PROBE_H
#define AGENTLINK_PROBE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/* 1: something accepts connections; 0: refused (dead); -1: other error. */
int al_probe(const char *path);

/* Non-blocking connect to a Unix socket path: 1 connected (a non-blocking,
 * close-on-exec fd in *fdp), 0 refused (nothing listens: dead), -1 other
 * error (errno; EAGAIN: a listener with a full backlog).  *fdp is -1
 * unless 1 is returned. */
int al_connect_nb(const char *path, int *fdp);

/* The longest agent reply al_agent_query() reads (and discards). */
#define AL_AGENT_REPLY_MAX (64 * 1024)
/* The most descriptors one al_agent_query() call takes. */
#define AL_QUERY_MAX 64

enum al_answer {
	AL_ANS_NONE = 0,		/* no reply within the time */
	AL_ANS_YES,			/* well-formed reply */
	AL_ANS_BAD			/* closed, reset, or malformed/oversized
					 * reply */
};

/*
 * Sends SSH_AGENTC_EXTENSION (27) with the extension name "query" on each
 * of n (at most AL_QUERY_MAX) connected non-blocking fds, and waits at most
 * timeout_ms IN ALL (one deadline, all fds polled together) for their
 * replies.  Nothing else is ever sent: no identities list (some agents ask
 * the user to unlock for that), no signature.  res[i] gets each verdict,
 * us[i] (if us != NULL) the microseconds until the verdict (or the time
 * waited).  A negative fd is AL_ANS_BAD.  Returns how many answered, or -1
 * with errno (EINVAL: n too large, timeout_ms < 0, fds or res NULL; or
 * poll()'s own error, with every undecided res[i] AL_ANS_NONE).  Does not
 * close the fds, nor read past the end of a reply.
 */
int al_agent_query(const int *fds, size_t n, int timeout_ms,
		   enum al_answer *res, long *us);

/*
 * The same question, one step at a time, for a caller that waits on other
 * things as well (the watch): al_query_init(), then al_query_step()
 * whenever poll() finds al_query_events() ready on the connection; it
 * returns AL_QUERY_PENDING until the verdict, AL_ANS_YES or AL_ANS_BAD.
 */
#define AL_QUERY_PENDING (-1)
struct al_query {
	enum { AL_Q_SEND, AL_Q_LEN, AL_Q_TYPE, AL_Q_BODY } phase;
	size_t done;			/* bytes of the current phase */
	unsigned char len[4];
	uint32_t left;			/* body bytes still to read */
};
void al_query_init(struct al_query *q);
short al_query_events(const struct al_query *q);
int al_query_step(int fd, struct al_query *q);
/* CLOCK_MONOTONIC in nanoseconds. */
long long al_mono_ns(void);


/* Set from a SIGTERM handler to end the watch (al_watch()).  The caller blocks every
 * signal; al_watch() lets SIGTERM in only while it waits, so it never stops
 * half-way through a change. */
extern volatile sig_atomic_t al_watch_stop;

#endif /* AGENTLINK_PROBE_H */
