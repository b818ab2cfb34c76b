/*
 * linkops.h - safe link operations (linkops.c).
 */
#ifndef AGENTLINK_LINKOPS_H
#define AGENTLINK_LINKOPS_H

#include <stddef.h>

#include "ctx.h"
#include "rule.h"

/* Opens (creating 0700 if missing) the link's directory; *base gets the
 * link's last component.  Returns a directory fd or -1 (logged). */
int al_linkdir_open(const struct al_ctx *ctx, const char **base);
/* Reads the link: kind, and its target into buf (empty if none). */
int al_link_read(int dirfd, const char *base, enum al_link_kind *kind,
		 char *buf, size_t bufsz);
int al_link_replace(const struct al_ctx *ctx, int dirfd, const char *base,
		    const char *target);
int al_link_remove(const struct al_ctx *ctx, int dirfd, const char *base);

#endif /* AGENTLINK_LINKOPS_H */
