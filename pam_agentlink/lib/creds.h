/*
 * creds.h - the user's file system credentials (creds.c).
 */
#ifndef AGENTLINK_CREDS_H
#define AGENTLINK_CREDS_H

#include <sys/types.h>

#define AL_CREDS_SMALL 32

/* What al_creds_drop() replaced, for al_creds_restore(). */
struct al_creds {
	int dropped;
	uid_t fsuid;
	gid_t fsgid;
	int ngroups;
	gid_t *groups;			/* small, or allocated when larger */
	gid_t small[AL_CREDS_SMALL];
};

/*
 * Switches the file system uid and gid to uid and gid and clears the
 * supplementary groups; a no-op unless running as root for a non-root
 * uid.  -1 if anything failed (nothing is left switched).
 * al_creds_restore() puts back what was there; -1 if it could not.
 */
int al_creds_drop(struct al_creds *c, uid_t uid, gid_t gid);
/* Becomes uid and gid for good, with no supplementary group, checking
 * that root cannot be regained; -1 if anything failed. */
int al_become_user(uid_t uid, gid_t gid);
int al_creds_restore(struct al_creds *c);

#endif /* AGENTLINK_CREDS_H */
