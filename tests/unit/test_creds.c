/*
 * test_creds - al_creds_drop() and al_creds_restore() against the kernel:
 * what the file system then allows, and that everything comes back.
 * Needs root (make check runs it so); skipped otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "tap.h"

#define UID 4242
#define GID 4343

static char root[] = "/tmp/test_credsXXXXXX";

static uid_t
fsuid_now(void)
{
	return (uid_t)setfsuid((uid_t)-1);
}

static gid_t
fsgid_now(void)
{
	return (gid_t)setfsgid((gid_t)-1);
}

/* Can the current file system credentials create a file in dir? */
static int
can_create(const char *dir)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/probe", dir);
	if ((fd = open(p, O_CREAT | O_WRONLY | O_EXCL, 0600)) < 0)
		return 0;
	close(fd);
	unlink(p);
	return 1;
}

static void
mkdir_owned(const char *dir, uid_t uid, gid_t gid, mode_t mode)
{
	if (mkdir(dir, mode) != 0 || chown(dir, uid, gid) != 0 ||
	    chmod(dir, mode) != 0) {
		diag("mkdir %s: %s", dir, strerror(errno));
		exit(1);
	}
}

int
main(void)
{
	char rootonly[128], users[128], group27[128], cmd[96];
	gid_t many[40], now[64];
	struct al_creds c;
	int i, n;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root\n");
		return 0;
	}
	if (mkdtemp(root) == NULL || chmod(root, 0755) != 0)
		return 1;
	snprintf(rootonly, sizeof(rootonly), "%s/root", root);
	snprintf(users, sizeof(users), "%s/user", root);
	snprintf(group27, sizeof(group27), "%s/group27", root);
	mkdir_owned(rootonly, 0, 0, 0700);
	mkdir_owned(users, UID, GID, 0700);
	mkdir_owned(group27, 0, 27, 0770);

	/* Supplementary groups as a host might have them: 0 and 27. */
	many[0] = 0;
	many[1] = 27;
	if (setgroups(2, many) != 0)
		return 1;
	ok(can_create(group27) && can_create(rootonly), "root reaches both");

	ok(al_creds_drop(&c, UID, GID) == 0, "drop succeeds");
	ok(fsuid_now() == UID && fsgid_now() == GID,
	   "file system uid and gid are the user's");
	is_int(getgroups(64, now), 0, "no supplementary groups while dropped");
	ok(geteuid() == 0, "the effective uid stays root (fs credentials only)");
	ok(can_create(users), "the user's own directory is writable");
	ok(!can_create(rootonly), "a root-only directory is not");
	ok(!can_create(group27), "root's group 27 gives nothing any more");
	ok(al_creds_restore(&c) == 0, "restore succeeds");
	ok(fsuid_now() == 0 && fsgid_now() == 0, "file system ids are root's again");
	n = getgroups(64, now);
	ok(n == 2 && now[0] == 0 && now[1] == 27, "the groups are back");
	ok(can_create(rootonly) && can_create(group27), "root reaches both again");
	ok(al_creds_restore(&c) == 0 && fsuid_now() == 0,
	   "a second restore changes nothing");

	/* More groups than fit the small array: the allocated path. */
	for (i = 0; i < 40; i++)
		many[i] = (gid_t)(1000 + i);
	if (setgroups(40, many) != 0)
		return 1;
	ok(al_creds_drop(&c, UID, GID) == 0 && getgroups(0, NULL) == 0,
	   "40 groups: dropped");
	ok(al_creds_restore(&c) == 0 && getgroups(64, now) == 40 &&
	   memcmp(now, many, sizeof(many)) == 0, "40 groups: all back, in order");

	/* Root acting for root: nothing to switch. */
	ok(al_creds_drop(&c, 0, 0) == 0 && getgroups(0, NULL) == 40 &&
	   fsuid_now() == 0, "for uid 0 nothing is switched");
	ok(al_creds_restore(&c) == 0, "and nothing is put back");

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
