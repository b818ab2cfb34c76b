/*
 * test_pass - one settling pass (al_apply) holds each place open from the
 * scan on.  A user place in a sticky directory can be renamed by its
 * owner's own process while the pass runs and replaced by another user's
 * directory holding a socket of the same name: the pass must then not
 * link to what the path names now.  The swap is made at the pass's
 * "probe ...: accepts" debug line, after the probe and before the link.
 * As root: the files belong to two users.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "apply.h"
#include "ctx.h"
#include "log.h"
#include "logcap.h"
#include "tap.h"

#define ALICE 4101
#define BOB 4102
#define NAME "s.AQuO2QT9yn.sshd.Zx81kq0aB3"

static char top[32], place[64], moved[80];
static int swap_armed, swapped;

static int
listen_at(const char *path, uid_t uid)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0 || chown(path, uid, uid) != 0) {
		printf("Bail out! socket %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void
user_dir(const char *path, mode_t mode, uid_t uid)
{
	if (mkdir(path, mode) != 0 || chmod(path, mode) != 0 ||
	    chown(path, uid, uid) != 0) {
		printf("Bail out! mkdir %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* alice's process renames her place away; bob makes his own of the
 * same name, with a listening socket of the same name in it. */
static void
swap_place(void)
{
	char sock[256];

	setfsuid(0);
	setfsgid(0);
	if (rename(place, moved) != 0) {
		printf("Bail out! rename %s: %s\n", place, strerror(errno));
		exit(1);
	}
	user_dir(place, 0700, BOB);
	snprintf(sock, sizeof(sock), "%s/%s", place, NAME);
	(void)listen_at(sock, BOB);
	setfsgid(ALICE);
	setfsuid(ALICE);
	swapped = 1;
}

/* The swap, once, at the probe's line (logcap_hook). */
static void
swap_at_probe(void)
{
	if (swap_armed && strstr(logged, "probe ") != NULL &&
	    strstr(logged, ": accepts") != NULL) {
		swap_armed = 0;
		swap_place();
	}
}

static const struct al_log dlg = { capture, NULL, 1 };

/* A fresh tree: a sticky shared directory with alice's place and her
 * listening socket in it, her home, no link. */
static void
fresh_tree(void)
{
	char path[256];

	snprintf(path, sizeof(path), "rm -rf --one-file-system %s/*", top);
	if (system(path) != 0)
		diag("could not empty %s", top);
	snprintf(path, sizeof(path), "%s/pl", top);
	user_dir(path, 01777, 0);
	user_dir(place, 0700, ALICE);
	snprintf(path, sizeof(path), "%s/home", top);
	user_dir(path, 0700, ALICE);
	snprintf(path, sizeof(path), "%s/home/.ssh", top);
	user_dir(path, 0700, ALICE);
	snprintf(path, sizeof(path), "%s/%s", place, NAME);
	(void)listen_at(path, ALICE);
}

static enum al_status
run_pass(struct al_ctx *ctx, char *target, size_t sz)
{
	struct al_outcome out;
	enum al_status st;
	ssize_t n;

	logged[0] = '\0';
	setfsgid(ALICE);
	setfsuid(ALICE);
	st = al_apply(ctx, "open", 0, &out);
	setfsuid(0);
	setfsgid(0);
	n = readlink(ctx->link, target, sz - 1);
	target[n > 0 ? n : 0] = '\0';
	return st;
}

int
main(void)
{
	static struct al_ctx ctx;
	char home[48], target[256], want[256];
	struct stat st;
	enum al_status r;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root: the files are two users'\n");
		return 0;
	}
	snprintf(top, sizeof(top), "/tmp/test_passXXXXXX");
	if (mkdtemp(top) == NULL || chmod(top, 0755) != 0) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	snprintf(place, sizeof(place), "%s/pl/agents-alice", top);
	snprintf(moved, sizeof(moved), "%s/pl/agents-alice.old", top);
	snprintf(home, sizeof(home), "%s/home", top);
	snprintf(want, sizeof(want), "%s/%s", place, NAME);

	ctx.log = &dlg;
	logcap_hook = swap_at_probe;
	ctx.uid = ALICE;
	ctx.user = "alice";
	ctx.home = home;
	ctx.places[0].kind = AL_PLACE_USER;
	snprintf(ctx.places[0].dir, sizeof(ctx.places[0].dir), "%s", place);
	ctx.nplaces = 1;
	strcpy(ctx.hosthash, "AQuO2QT9yn");
	snprintf(ctx.link, sizeof(ctx.link), "%s/.ssh/agent.sock", home);
	ctx.policy = AL_POLICY_NEWEST;
	ctx.probe_ms = 0;

	/* Nothing moves: the link names alice's socket. */
	fresh_tree();
	r = run_pass(&ctx, target, sizeof(target));
	is_int(r, AL_OK, "without a swap the pass links");
	is_str(target, want, "... to alice's socket");

	/* The place swapped after the probe: no link to bob's socket. */
	fresh_tree();
	swap_armed = 1;
	swapped = 0;
	r = run_pass(&ctx, target, sizeof(target));
	ok(swapped, "the place was swapped during the pass");
	ok(target[0] == '\0' ||
	   (lstat(target, &st) == 0 && st.st_uid == ALICE),
	   "no link to another user's socket (link: '%s')", target);
	is_int(r, AL_AGAIN, "the pass leaves the link as it is");
	ok(strstr(logged, "changed during the pass; leaving the link as it is") != NULL,
	   "... and says so: %s", logged);

	snprintf(target, sizeof(target), "rm -rf --one-file-system %s", top);
	if (system(target) != 0)
		diag("could not remove %s", top);
	return done_testing();
}
