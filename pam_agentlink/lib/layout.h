/*
 * layout.h - where sshd puts forwarded agent sockets (layout.c).
 */
#ifndef AGENTLINK_LAYOUT_H
#define AGENTLINK_LAYOUT_H

#include <stddef.h>
#include <sys/types.h>

#include "expand.h"
#include "log.h"
#include "sunpath.h"

/* sshd's AgentSocketPath kinds: user:PATH, shared:DIR. */
enum al_place_kind { AL_PLACE_USER, AL_PLACE_SHARED };

/* One name form a socket can have in a place of its kind.  Forms: %H
 * this host's hash, %P a pid, %R<n> n random alphanumerics. */
struct al_layout {
	const char *what;		/* the OpenSSH versions, for logs */
	enum al_place_kind kind;
	const char *dir_form;		/* shared: the per-connection directory */
	const char *name_form;		/* the socket */
};
extern const struct al_layout al_layouts[];
extern const size_t al_nlayouts;

/* The layout of kind (only layout itself when >= 0) whose name form
 * name matches, or -1; *pid gets the pid the name carries, or 0. */
int al_layout_match_name(enum al_place_kind kind, int layout, const char *name,
			 const char *hosthash, pid_t *pid);
/* The shared layout whose directory form name matches, or -1. */
int al_layout_match_dir(const char *name);

/* The first len bytes of path are home or below it: home's length
 * without trailing slashes then, else 0 (a home of "/" is none). */
size_t al_home_prefix(const char *home, const char *path, size_t len);

#define AL_PLACES_MAX 8

struct al_place {
	enum al_place_kind kind;
	char dir[AL_SUN_PATH_MAX];	/* expanded, absolute */
	int in_home;			/* dir is the home or below it */
};

/* Checks an agentsocketpath= value: up to AL_PLACES_MAX user:PATH or
 * shared:DIR words separated by spaces or commas, sshd's tokens. */
int al_places_check(const char *spec, const char **err);
/* Expands a checked value for user; what does not expand (too long for
 * this user) is logged and left out.  Returns how many places. */
size_t al_places_expand(const char *spec, const struct al_user *user,
			struct al_place *out, size_t max,
			const struct al_log *lg);

#endif /* AGENTLINK_LAYOUT_H */
