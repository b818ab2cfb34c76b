/*
 * test_selinux.c - the SELinux labelling hooks where no SELinux kernel
 * is: built against libselinux (HAVE_SELINUX) and without it, they must
 * change nothing, keep errno, log nothing, and the link operations that
 * call them must still create directories and the link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "ctx.h"
#include "linkops.h"
#include "log.h"
#include "selinux.h"
#include "tap.h"

static int selinux_logged;
static char last[512];

static void
count_log(void *arg, int prio, const char *fmt, va_list ap)
{
	(void)arg;
	(void)prio;
	vsnprintf(last, sizeof(last), fmt, ap);
	if (strstr(last, "selinux:") != NULL) {
		selinux_logged++;
		diag("logged: %s", last);
	}
}

int
main(void)
{
	struct al_log lg = { count_log, NULL, 1 };
	struct al_ctx ctx;
	char home[200], buf[256], path[256];
	const char *base, *got = buf;
	struct stat st;
	int dfd, r;
	ssize_t n;

#ifdef HAVE_SELINUX
	diag("built with libselinux; is_selinux_enabled() = %d",
	     is_selinux_enabled());
	if (is_selinux_enabled() > 0) {
		printf("1..0 # SKIP SELinux is enabled here; this tests the "
		       "disabled path\n");
		return 0;
	}
#else
	diag("built without libselinux");
#endif
	/* In the build tree (run from the top), not on the host's /tmp. */
	if (getcwd(home, sizeof(home) - 40) == NULL) {
		printf("Bail out! getcwd: %s\n", strerror(errno));
		return 1;
	}
	strcat(home, "/tests/unit/selinux.XXXXXX");
	if (mkdtemp(home) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	ctx.log = &lg;
	ctx.uid = geteuid();
	ctx.user = "tester";
	ctx.home = home;
	ctx.nplaces = 0;
	snprintf(ctx.link, sizeof(ctx.link), "%s/.ssh/sub/agent.sock", home);

	errno = EXDEV;
	r = al_label_begin(&ctx, ctx.link, S_IFLNK);
	is_int(r, 0, "al_label_begin asks for no label with SELinux off");
	is_int(errno, EXDEV, "al_label_begin keeps errno");
	errno = ENOSPC;
	al_label_end(&ctx, r);
	is_int(errno, ENOSPC, "al_label_end keeps errno");
	errno = EPERM;
	al_label_end(&ctx, 0);
	is_int(errno, EPERM, "al_label_end(0) keeps errno");
	is_int(al_label_begin(&ctx, home, S_IFDIR), 0,
	       "al_label_begin for a directory asks for no label either");

	/* The link operations with the hooks in them still work. */
	dfd = al_linkdir_open(&ctx, &base);
	ok(dfd >= 0, "al_linkdir_open creates .ssh/sub");
	snprintf(path, sizeof(path), "%s/.ssh/sub", home);
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode) &&
	   (st.st_mode & 07777) == 0700, "created directory has mode 0700");
	is_str(base, "agent.sock", "link base name");
	is_int(al_link_replace(&ctx, dfd, base, "/tmp/ssh-XXXXXXXXXX/agent.1"), 0,
	       "al_link_replace creates the link");
	n = readlink(ctx.link, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	is_str(got, "/tmp/ssh-XXXXXXXXXX/agent.1", "the link points at the target");
	is_int(al_link_replace(&ctx, dfd, base, "/tmp/ssh-YYYYYYYYYY/agent.2"), 0,
	       "al_link_replace replaces it");
	n = readlink(ctx.link, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	is_str(got, "/tmp/ssh-YYYYYYYYYY/agent.2", "the link points at the new target");
	is_int(selinux_logged, 0, "nothing about selinux was logged");

	/* Clean up. */
	unlinkat(dfd, base, 0);
	close(dfd);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/.ssh", home);
	rmdir(path);
	ok(rmdir(home) == 0, "nothing else was left in the test directory");
	return done_testing();
}
