/*
 * creds.c - act with the user's file system credentials, and back.
 *
 * What pam_modutil_drop_priv() does, without its initgroups(): the file
 * system uid and gid become the user's and the supplementary groups are
 * cleared, so every access is checked as the owner of the files the module
 * works on (the user's home, ~/.ssh, sshd's socket directories), with at
 * most the rights the user has.  initgroups() would add the user's other
 * groups, which those files never need, at the price of a walk through NSS
 * (hundreds of system calls with nss-systemd) twice per login.  The watch
 * drops the same way, for good (become_user() in pam_agentlink.c).
 *
 * setfsuid() and setfsgid() report no errors: each is called twice and the
 * second call's answer, the value now in force, is what is checked.
 */
#include <errno.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/fsuid.h>
#include <unistd.h>

#include "creds.h"

/* Sets the file system gid; -1 unless it is now gid.  *old, if given,
 * gets the one it replaced. */
static int
set_fsgid(gid_t gid, gid_t *old)
{
	gid_t was = (gid_t)setfsgid(gid);

	if (old != NULL)
		*old = was;
	return (gid_t)setfsgid(gid) == gid ? 0 : -1;
}

static int
set_fsuid(uid_t uid, uid_t *old)
{
	uid_t was = (uid_t)setfsuid(uid);

	if (old != NULL)
		*old = was;
	return (uid_t)setfsuid(uid) == uid ? 0 : -1;
}

/* Puts back the groups saved by save_groups() and forgets them. */
static int
restore_groups(struct al_creds *c)
{
	int r = 0;

	/* None were there, so none were cleared. */
	if (c->ngroups > 0)
		r = setgroups((size_t)c->ngroups, c->groups);
	if (c->groups != c->small)
		free(c->groups);
	c->groups = NULL;
	c->ngroups = 0;
	return r;
}

static int
save_groups(struct al_creds *c)
{
	int n;

	c->groups = c->small;
	if ((n = getgroups(AL_CREDS_SMALL, c->small)) < 0) {
		if (errno != EINVAL || (n = getgroups(0, NULL)) < 0)
			return -1;
		if ((c->groups = calloc((size_t)n + 1, sizeof(gid_t))) == NULL)
			return -1;
		if ((n = getgroups(n, c->groups)) < 0) {
			free(c->groups);
			c->groups = NULL;
			return -1;
		}
	}
	c->ngroups = n;
	return 0;
}

int
al_creds_drop(struct al_creds *c, uid_t uid, gid_t gid)
{
	c->dropped = 0;
	c->groups = NULL;
	c->ngroups = 0;
	/* -1 changes nothing: what a failed drop puts back before it knows. */
	c->fsuid = (uid_t)-1;
	c->fsgid = (gid_t)-1;
	/* Not root: nothing to switch.  Root acting for root: likewise. */
	if (geteuid() != 0 || uid == 0)
		return 0;
	if (save_groups(c) != 0)
		return -1;
	if ((c->ngroups > 0 && setgroups(0, NULL) != 0) ||
	    set_fsgid(gid, &c->fsgid) != 0) {
		(void)set_fsgid(c->fsgid, NULL);
		(void)restore_groups(c);
		return -1;
	}
	if (set_fsuid(uid, &c->fsuid) != 0) {
		(void)set_fsuid(c->fsuid, NULL);
		(void)set_fsgid(c->fsgid, NULL);
		(void)restore_groups(c);
		return -1;
	}
	c->dropped = 1;
	return 0;
}

int
al_creds_restore(struct al_creds *c)
{
	int r = 0;

	if (!c->dropped)
		return 0;
	c->dropped = 0;
	if (set_fsuid(c->fsuid, NULL) != 0)
		r = -1;
	if (set_fsgid(c->fsgid, NULL) != 0)
		r = -1;
	if (restore_groups(c) != 0)
		r = -1;
	return r;
}

int
al_become_user(uid_t uid, gid_t gid)
{
	if (geteuid() == 0 &&
	    (setgroups(0, NULL) != 0 || setresgid(gid, gid, gid) != 0 ||
	     setresuid(uid, uid, uid) != 0))
		return -1;
	/* For good: root must be out of reach now. */
	if (uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		return -1;
	if (getuid() != uid || geteuid() != uid || getgid() != gid ||
	    getegid() != gid)
		return -1;
	return 0;
}
