/*
 * scan.h - candidate discovery (scan.c).
 */
#ifndef AGENTLINK_SCAN_H
#define AGENTLINK_SCAN_H

#include <stddef.h>

#include "ctx.h"
#include "rule.h"
#include "sunpath.h"

/* Bounds on the work, whatever the user has created: the newest this
 * many candidates are kept, at most AL_SCAN_ENTRIES_MAX entries of one
 * socket directory and AL_SCAN_SUBDIRS_MAX of the user's per-connection
 * directories are looked at. */
#define AL_CANDS_MAX 256
#define AL_SCAN_ENTRIES_MAX 16384
#define AL_SCAN_SUBDIRS_MAX 1024	/* the user's own, in a shared place */

struct al_cands {
	struct al_candidate *v;
	size_t n, cap;
	size_t dropped;			/* older ones left out (AL_CANDS_MAX) */
	size_t unread;			/* directories cut at AL_SCAN_ENTRIES_MAX */
	/* al_scan_target() keeps its candidate's socket open (O_PATH, the
	 * descriptor it checked), so that the probe neither walks to it
	 * nor opens it again. */
	int sockfd_set;
	int sockfd;
};

/* Lists the user's sockets in every place; with shared_listeners_only,
 * those of shared places from the kernel's list of listening sockets
 * (al_diag_listeners), or by listing them if that list cannot be had. */
int al_scan(const struct al_ctx *ctx, struct al_cands *out);
/* Lists path alone, if al_scan() would list it: the same checks on one
 * socket, without reading the directories.  -1 only when out of memory. */
int al_scan_target(const struct al_ctx *ctx, const char *path,
		   struct al_cands *out);
void al_cands_free(struct al_cands *c);
/* Opens the directory holding candidate c, checked as the scan checked
 * it (for cleanup); *placefd gets its place's directory when c is in a
 * per-connection directory of a shared place, else -1. */
int al_cand_dir_open(const struct al_ctx *ctx, const struct al_candidate *c,
		     int *placefd);
/* The per-connection directory of a candidate in a shared place, into
 * sub; NULL for one directly in a user: place. */
const char *al_cand_sub(const struct al_ctx *ctx, const struct al_candidate *c,
			char sub[AL_SUN_PATH_MAX]);
/* path (a link's old target) was in one of the places and is gone: what
 * sshd does to a socket when its connection ends.  For the log only. */
int al_target_gone(const struct al_ctx *ctx, const char *path);
/* Connects to candidate c through a checked descriptor, never by a path
 * that could be swapped: as al_connect_nb().  sockfd: al_cands_sockfd(),
 * or -1. */
int al_cand_connect(const struct al_ctx *ctx, const struct al_candidate *c,
		    int sockfd, int *fdp);
/* The socket al_scan_target() kept open for candidate c, or -1. */
int al_cands_sockfd(const struct al_cands *cands, const struct al_candidate *c);
/* As al_probe(), through al_cand_connect(). */
int al_cand_probe(const struct al_ctx *ctx, const struct al_candidate *c);
/* The place's directory is local to this host: not below the home, which
 * may be shared with other hosts over NFS. */
int al_cand_local(const struct al_ctx *ctx, const struct al_candidate *c);

#endif /* AGENTLINK_SCAN_H */
