/*
 * test_sshdconf - reading sshd's configuration as root (sshdconf.c): what
 * an admin's Include glob reaches is opened only when it is a root-owned
 * regular file, a pattern too long is refused rather than cut, and the
 * matches read are bounded.  Opens are seen with inotify (IN_OPEN).
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "expand.h"
#include "sshdconf.h"
#include "logcap.h"
#include "tap.h"

/* The bounds as sshdconf.c has them (defined here too, so that this test
 * builds against the code before them and fails there). */
#ifndef AL_CONF_PATTERN_MAX
#define AL_CONF_PATTERN_MAX 511
#define AL_CONF_INCLUDE_MAX 64
#define AL_CONF_GLOB_LONG (-1)
#endif


static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Files opened in the watched directories since the last call (not the
 * directories themselves, which glob() opens). */
static int
opens(int ifd)
{
	char buf[64 * 1024];
	ssize_t n;
	int count = 0;
	char *p;

	while ((n = read(ifd, buf, sizeof(buf))) > 0)
		for (p = buf; p < buf + n;
		     p += sizeof(struct inotify_event) + ((struct inotify_event *)p)->len)
			count += (((struct inotify_event *)p)->mask &
				  (IN_OPEN | IN_ISDIR)) == IN_OPEN &&
			    ((struct inotify_event *)p)->len > 0;
	return count;
}

/* sshd_config with one Include line, checked as the module does. */
static void
check_include(const char *dir, const char *pattern)
{
	static struct al_ctx ctx;
	struct al_user user = { "alice", 4101, 4101, "/home/alice" };
	char conf[256], line[700];

	memset(&ctx, 0, sizeof(ctx));
	ctx.log = &lg;
	snprintf(conf, sizeof(conf), "%s/sshd_config", dir);
	snprintf(line, sizeof(line), "Include %s\n", pattern);
	write_file(conf, line);
	logged[0] = '\0';
	(void)al_sshd_config_check(&ctx, &user, conf);
}

int
main(void)
{
	char dir[] = "/tmp/test_sshdconfXXXXXX", sub[128], path[256], pat[700];
	glob_t g;
	int ifd, i, r;

	if (mkdtemp(dir) == NULL || (ifd = inotify_init1(IN_NONBLOCK)) < 0) {
		printf("Bail out! mkdtemp or inotify: %s\n", strerror(errno));
		return 1;
	}

	/* A FIFO where the glob reaches: looked at, never opened. */
	snprintf(sub, sizeof(sub), "%s/fifo.d", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/a.conf", sub);
	if (mkfifo(path, 0644) != 0 ||
	    inotify_add_watch(ifd, sub, IN_OPEN) < 0) {
		printf("Bail out! mkfifo or inotify_add_watch: %s\n", strerror(errno));
		return 1;
	}
	snprintf(pat, sizeof(pat), "%s/*.conf", sub);
	check_include(dir, pat);
	r = opens(ifd);
	is_int(r, 0, "a FIFO an Include glob matches is not opened");
	ok(al_read_trusted(path, &(const char *){ NULL }) == NULL,
	   "... and not read");

	/* A pattern longer than the bound: refused, never cut to a shorter
	 * one (here the cut one would match every file of the directory). */
	snprintf(sub, sizeof(sub), "%s/long.d", dir);
	mkdir(sub, 0755);
	snprintf(path, sizeof(path), "%s/x", sub);
	write_file(path, "");
	r = snprintf(pat, sizeof(pat), "%s/", sub);
	memset(pat + r, '*', AL_CONF_PATTERN_MAX + 10 - (size_t)r);
	strcpy(pat + AL_CONF_PATTERN_MAX + 10, "nomatch");
	memset(&g, 0, sizeof(g));
	r = al_conf_glob(pat, &g);
	is_int(r, AL_CONF_GLOB_LONG, "an Include pattern over %d bytes is refused",
	       AL_CONF_PATTERN_MAX);
	if (r == 0)
		globfree(&g);
	check_include(dir, pat);
	ok(strstr(logged, "Include pattern longer than") != NULL,
	   "... with one log line: %s", logged);

	/* 100 matching files: at most AL_CONF_INCLUDE_MAX are read.  Only
	 * root's files are read at all, so this needs root. */
	if (geteuid() != 0) {
		printf("ok %d # SKIP the bound on matches needs root (files read "
		       "must be root's)\n", ++tap_n);
	} else {
		snprintf(sub, sizeof(sub), "%s/many.d", dir);
		mkdir(sub, 0755);
		for (i = 0; i < 100; i++) {
			snprintf(path, sizeof(path), "%s/%03d.conf", sub, i);
			write_file(path, "# nothing\n");
		}
		(void)opens(ifd);
		inotify_add_watch(ifd, sub, IN_OPEN);
		snprintf(pat, sizeof(pat), "%s/*.conf", sub);
		check_include(dir, pat);
		r = opens(ifd);
		is_int(r, AL_CONF_INCLUDE_MAX, "an Include matching 100 "
		       "files reads %d of them", AL_CONF_INCLUDE_MAX);
		ok(strstr(logged, "matches 100 files") != NULL,
		   "... with one log line: %s", logged);
	}

	/* An AgentSocketPath no place covers is logged with its file's name
	 * and value escaped: a terminal escape stays text.  Root's file. */
	if (geteuid() != 0) {
		printf("ok %d # SKIP escaping needs root (files read must be "
		       "root's)\n", ++tap_n);
	} else {
		static struct al_ctx ctx;
		struct al_user user = { "alice", 4101, 4101, "/home/alice" };

		ctx.log = &lg;
		snprintf(path, sizeof(path), "%s/sshd_config", dir);
		write_file(path, "AgentSocketPath shared:/tmp/a\033[31mb\n");
		logged[0] = '\0';
		(void)al_sshd_config_check(&ctx, &user, path);
		ok(strstr(logged, "shared:/tmp/a\\x1b[31mb") != NULL &&
		   strchr(logged, '\033') == NULL,
		   "an uncovered AgentSocketPath value is logged escaped: %s", logged);
	}
	snprintf(path, sizeof(path), "rm -rf --one-file-system %s", dir);
	if (system(path) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
