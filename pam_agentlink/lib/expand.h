/*
 * expand.h - template expansion (expand.c).
 */
#ifndef AGENTLINK_EXPAND_H
#define AGENTLINK_EXPAND_H

#include <stddef.h>
#include <sys/types.h>

struct al_user {
	const char *name;
	uid_t uid;
	gid_t gid;
	const char *home;
};

/*
 * Expands ~ (leading), %h, %u, %U, %H and %%.  The result must be an
 * absolute path without "." or ".." components that fits a Unix socket
 * address.  Returns 0, or -1 with *err naming the problem.
 */
int al_expand(const char *tmpl, const struct al_user *user,
	      const char *shorthost, char *out, size_t outsz, const char **err);
/* Checks a template's syntax with placeholder values. */
int al_expand_check(const char *tmpl, const char **err);

#endif /* AGENTLINK_EXPAND_H */
