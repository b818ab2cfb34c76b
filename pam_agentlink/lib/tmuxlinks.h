/*
 * tmuxlinks.h - tmux session links next to the link (tmuxlinks.c).
 */
#ifndef AGENTLINK_TMUXLINKS_H
#define AGENTLINK_TMUXLINKS_H

#include "ctx.h"

/* close_session: tmux session links next to the link (agentlink tmux)
 * whose target is gone point at the link again (tmuxlinks.c). */
void al_tmux_links_release(const struct al_ctx *ctx, int dirfd,
			   const char *base);

#endif /* AGENTLINK_TMUXLINKS_H */
