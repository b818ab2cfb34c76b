/*
 * rule.h - the rule (rule.c): pure, no system calls.
 */
#ifndef AGENTLINK_RULE_H
#define AGENTLINK_RULE_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "cfg.h"
#include "sunpath.h"

enum al_liveness {
	AL_UNKNOWN = 0,
	AL_LIVE,			/* accepts; whether it answers is not known */
	AL_DEAD,			/* refuses: nothing listens */
	AL_ANSWERS,			/* its agent answered a query */
	AL_HUNG				/* accepts, but no answer (or a bad one) */
};

/*
 * Does a socket's connection have a terminal?  sshd titles the session
 * process whose pid the socket's name carries "sshd: USER@pts/N" or
 * "USER@notty"; the caller reads that (al_cands_tty) before it asks the
 * rule, which looks at it only for policy=interactive.
 */
enum al_tty {
	AL_TTY_UNKNOWN = 0,		/* no pid in the name, no such process, or
					 * its session has not started yet */
	AL_TTY_YES,
	AL_TTY_NO
};

struct al_candidate {
	char path[AL_SUN_PATH_MAX];
	struct timespec mtime;
	dev_t dev;
	ino_t ino;
	pid_t pid;			/* carried in the name; 0 if none */
	short layout;			/* index in al_layouts[] */
	short place;			/* index in the context's places */
	unsigned short name_off;	/* where the socket's name starts */
	enum al_liveness live;
	enum al_tty interactive;
};

enum al_link_kind {
	AL_LINK_MISSING,
	AL_LINK_SYMLINK,
	AL_LINK_OTHER			/* a file, directory, FIFO... */
};

struct al_link_state {
	enum al_link_kind kind;
	int target;			/* candidate index, or -1 */
};

enum al_action {
	AL_ACT_NONE,			/* no link, nothing live */
	AL_ACT_KEEP,
	AL_ACT_LINK,			/* create or replace, to .index */
	AL_ACT_REMOVE,
	AL_ACT_REFUSE,			/* link path is not ours to replace */
	AL_ACT_PROBE			/* need liveness of .index first */
};

enum al_reason {
	AL_WHY_ALIVE,			/* link points at a live candidate */
	AL_WHY_MISSING,			/* there was no link */
	AL_WHY_DEAD,			/* link target is a dead candidate */
	AL_WHY_FOREIGN,			/* link target is no candidate */
	AL_WHY_NEWER,			/* policy=newest: a newer one is live */
	AL_WHY_NOT_SYMLINK,
	AL_WHY_GONE,			/* link target no longer exists (set by
					 * al_settle, not by the rule) */
	AL_WHY_HUNG,			/* link target does not answer */
	AL_WHY_ONLY_HUNG,		/* ... but nothing else is alive: kept */
	AL_WHY_TERMINAL			/* policy=interactive: a connection with a
					 * terminal (a newer one) is alive */
};

struct al_decision {
	enum al_action action;
	enum al_reason reason;
	int index;
};

/* a is newer than b: a later mtime, or the greater path when equal. */
int al_cand_newer(const struct al_candidate *a, const struct al_candidate *b);
struct al_decision al_decide(enum al_policy policy,
			     const struct al_link_state *link,
			     const struct al_candidate *cand, size_t n);
const char *al_reason_text(enum al_reason why);
/*
 * The race of a reconnect: how long the link's agent gets to answer, from
 * when it was asked, once this connection's own agent has answered in
 * new_us.  AL_RACE_FACTOR times that, and at least AL_RACE_FLOOR_MS: while
 * an OpenSSH 9.5+ client with a terminal obscures keystroke timing, each
 * packet it sends waits for its next tick (20 ms, up to 22 with fuzz), and
 * an agent's answer is two packets (the channel's confirmation, the
 * reply), so a live old agent can take about 40 ms on loopback when the
 * new one, notty, takes 1.
 */
#define AL_RACE_FACTOR 4
#define AL_RACE_FLOOR_MS 40
long long al_race_patience_us(long long new_us);

#endif /* AGENTLINK_RULE_H */
