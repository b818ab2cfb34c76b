/*
 * sshdconf.h - sshd's own configuration (sshdconf.c).
 */
#ifndef AGENTLINK_SSHDCONF_H
#define AGENTLINK_SSHDCONF_H

#include <glob.h>

#include "ctx.h"
#include "expand.h"

#define AL_SSHD_CONFIG "/etc/ssh/sshd_config"

/* A regular file owned by root that only root may write, at most 256 KiB,
 * read whole into a NUL-ended buffer to free; NULL with *why if not.
 * Anything else is never opened (a FIFO or a device where a glob
 * reaches). */
char *al_read_trusted(const char *path, const char **why);
/* The next word of an sshd_config line (quotes stripped; "=" separates
 * too), cut out in place, or NULL. */
char *al_conf_word(char **p);
/* glob() of an Include pattern, relative ones below /etc/ssh as sshd has
 * them; AL_CONF_GLOB_LONG (nothing matched, g untouched) when the pattern
 * is longer than AL_CONF_PATTERN_MAX.  Callers read at most
 * AL_CONF_INCLUDE_MAX of the matches. */
#define AL_CONF_PATTERN_MAX 511
#define AL_CONF_INCLUDE_MAX 64
#define AL_CONF_GLOB_LONG (-1)
int al_conf_glob(const char *pattern, glob_t *g);

/* Logs one line when an AgentSocketPath value in config (or the files it
 * includes) is none of ctx's places; -1 then, else 0. */
int al_sshd_config_check(const struct al_ctx *ctx, const struct al_user *user,
			 const char *config);
/* Is one AgentSocketPath value of sshd's among ctx's places?  A value
 * that cannot be compared (it does not expand for user) counts as one. */
int al_sshd_value_covered(const struct al_ctx *ctx, const struct al_user *user,
			  const char *value);

#endif /* AGENTLINK_SSHDCONF_H */
