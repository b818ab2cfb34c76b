/*
 * cfg.h - configuration (cfg.c).
 */
#ifndef AGENTLINK_CFG_H
#define AGENTLINK_CFG_H

#include <stddef.h>

#include "log.h"

enum al_policy { AL_POLICY_KEEP, AL_POLICY_NEWEST, AL_POLICY_INTERACTIVE };

#define AL_DEFAULT_LINK "~/.ssh/agent-%H.sock"
#define AL_DEFAULT_ENV "AGENTLINK_SOCK"
#define AL_DEFAULT_CONF "/etc/security/agentlink.conf"
#define AL_DEFAULT_WAIT 10
#define AL_MAX_WAIT 600
/* probe=: how long the watch waits for an agent's answer, in ms. */
#define AL_DEFAULT_PROBE_MS 1000
#define AL_MAX_PROBE_MS 10000
/* What open and close may wait for answers in all: a local agent answers
 * in microseconds, a remote one is left to the watch. */
#define AL_INLINE_PROBE_MS 3
#define AL_TEMPLATE_MAX 256
#define AL_ENV_MAX 64
#define AL_SERVICES_MAX 256
/* OpenSSH 10.6's default, and the one place of every earlier version. */
#define AL_DEFAULT_SOCKPATH "user:.ssh/agent shared:/tmp"
#define AL_SOCKPATH_MAX 512

struct al_cfg {
	char link[AL_TEMPLATE_MAX];	/* template, expanded per user */
	char env[AL_ENV_MAX];		/* "" when env=none */
	enum al_policy policy;
	unsigned wait;			/* seconds; 0 disables the watch */
	unsigned probe_ms;		/* 0: liveness is connect() alone */
	int cleanup;
	char services[AL_SERVICES_MAX];	/* comma-separated PAM services */
	char sockpath[AL_SOCKPATH_MAX];	/* agentsocketpath=: sshd's values */
	int debug;
	char conf[AL_TEMPLATE_MAX];
};

void al_cfg_defaults(struct al_cfg *cfg);
/* One "key=value" or "key" setting; origin names it in log lines. */
int al_cfg_set(struct al_cfg *cfg, const char *opt, const char *origin,
	       const struct al_log *lg);
/* Parses a config file held in memory; name is used in log lines. */
void al_cfg_parse_text(struct al_cfg *cfg, const char *text, size_t len,
		       const char *name, const struct al_log *lg);
/* Reads path (must be a regular file owned by root, not writable by others). */
int al_cfg_load_file(struct al_cfg *cfg, const char *path, int must_exist,
		     const struct al_log *lg);
/* Defaults, then the config file (conf= from argv), then argv itself. */
void al_cfg_load(struct al_cfg *cfg, int argc, const char **argv,
		 const struct al_log *lg);
int al_cfg_service_listed(const struct al_cfg *cfg, const char *service);
/* A decimal number from 0 to max, digits only: 0 and *out, else -1. */
int al_parse_uint(const char *v, unsigned max, unsigned *out);
/* "keep", "newest", "interactive": the option's word for a policy. */
const char *al_policy_name(enum al_policy policy);
/* The policy a word names; -1 when it names none. */
int al_policy_parse(const char *word, enum al_policy *policy);

#endif /* AGENTLINK_CFG_H */
