/*
 * selinux.h - SELinux file labels (selinux.c).
 */
#ifndef AGENTLINK_SELINUX_H
#define AGENTLINK_SELINUX_H

#include <sys/types.h>

#include "ctx.h"

/*
 * Before creating path (mode: S_IFDIR, S_IFLNK), asks for the label the
 * policy gives it; returns 1 when a label was set, else 0 (no SELinux,
 * disabled, no label, or an error, logged).  al_label_end(ctx, r) puts
 * the default back.  Neither changes errno.
 */
int al_label_begin(const struct al_ctx *ctx, const char *path, mode_t mode);
void al_label_end(const struct al_ctx *ctx, int set);

#endif /* AGENTLINK_SELINUX_H */
