/*
 * scale.c - 3. scale: pam_close_session relinking a dead link with 10,000
 * foreign entries in /tmp and 1, 10 and 100 live sockets of alice's, and
 * with 100 of hers in a /tmp that has nothing else; 3b. a whole open and
 * close relinking a dead link, /tmp empty and with another user's 20,000
 * /tmp/ssh-* directories.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "sunpath.h"

/* How many of alice's sockets the first three runs have. */
static const size_t sizes[3] = { 1, 10, 100 };

/* The 10,000 foreign entries in /tmp: files, directories, and sshd
 * directories of another user's. */
#define FOREIGN_FILES 8000
#define FOREIGN_DIRS 1000
#define FOREIGN_SSH 1000

static char (*foreign_ssh)[AL_SUN_PATH_MAX];

static void
foreign_make(void)
{
	struct passwd *bob = getpwnam("bob");
	char path[PATH_MAX], r[11];
	int i, fd;

	if (bob == NULL)
		die("no user bob");
	foreign_ssh = calloc(FOREIGN_SSH, sizeof(*foreign_ssh));
	if (foreign_ssh == NULL)
		die("out of memory");
	for (i = 0; i < FOREIGN_FILES; i++) {
		random_alnum(r, 10);
		fmt(path, sizeof(path), "/tmp/tmp.%s.%d", r, i);
		if ((fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0600)) < 0)
			die("create %s: %m", path);
		close(fd);
	}
	for (i = 0; i < FOREIGN_DIRS; i++) {
		random_alnum(r, 10);
		fmt(path, sizeof(path), "/tmp/systemd-private-%s-%d", r, i);
		if (mkdir(path, 0700) != 0)
			die("mkdir %s: %m", path);
	}
	/* Other users' sshd directories: the same name pattern, unreadable. */
	for (i = 0; i < FOREIGN_SSH; i++)
		make_ssh_dir(foreign_ssh[i], sizeof(foreign_ssh[i]), bob->pw_uid,
			     bob->pw_gid);
}

static void
foreign_remove(void)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d = opendir("/tmp");

	if (d == NULL)
		die("opendir /tmp: %m");
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "tmp.", 4) == 0) {
			fmt(path, sizeof(path), "/tmp/%s", de->d_name);
			(void)unlink(path);
		} else if (strncmp(de->d_name, "systemd-private-", 16) == 0) {
			fmt(path, sizeof(path), "/tmp/%s", de->d_name);
			(void)rmdir(path);
		}
	}
	closedir(d);
	for (int i = 0; i < FOREIGN_SSH; i++)
		(void)rmdir(foreign_ssh[i]);
	free(foreign_ssh);
	foreign_ssh = NULL;
}

/* The i-th of alice's sockets held by process pid: even ones in
 * dirs[i]/agent.<pid>, odd ones ~/.ssh/agent/s.<hash>.sshd.<names[i]>. */
static void
own_path(char *out, size_t sz, size_t i, pid_t pid, const char *agentdir,
	 char (*dirs)[AL_SUN_PATH_MAX], char (*names)[16])
{
	if (i % 2 == 0)
		fmt(out, sz, "%s/agent.%ld", dirs[i], (long)pid);
	else
		fmt(out, sz, "%s/s.%s.sshd.%s", agentdir, hosthash, names[i]);
}

/* n live sockets of alice's, half in each layout, their agents answering
 * in a child process (the pid in their names is this one's, alive). */
static void
own_sockets(struct agents *a, size_t n, char (*paths)[AL_SUN_PATH_MAX],
	    char (*dirs)[AL_SUN_PATH_MAX])
{
	static char names[100][16];
	char agentdir[AL_SUN_PATH_MAX];
	struct timespec ts[2];
	size_t i;

	if (n > 100 || n > AGENT_LISTEN)
		die("at most 100 sockets");
	fmt(agentdir, sizeof(agentdir), "%s/.ssh/agent", alice.pw_dir);
	if (mkdir(agentdir, 0700) != 0 && errno != EEXIST)
		die("mkdir %s: %m", agentdir);
	if (chown(agentdir, alice.pw_uid, alice.pw_gid) != 0)
		die("chown %s: %m", agentdir);
	memset(a, 0, sizeof(*a));
	for (i = 0; i < n; i++) {
		dirs[i][0] = '\0';
		if (i % 2 == 0)
			make_ssh_dir(dirs[i], sizeof(dirs[i]), alice.pw_uid,
				     alice.pw_gid);
		else
			random_alnum(names[i], 10);
		own_path(paths[i], sizeof(paths[i]), i, getpid(), agentdir, dirs,
			 names);
		a->s.lfd[i] = listen_at(paths[i]);
		a->s.mode[i] = AGENT_ANSWERS;
	}
	a->s.n = n;
	agents_start(a);
	/* Old sockets, as on a host where connections last: each one a
	 * minute and i seconds old (cleanup looks at sockets older than 2 s;
	 * the newest, paths[0], is what the link should go to). */
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	for (i = 0; i < n; i++) {
		ts[1] = ts[0];
		ts[1].tv_sec -= 60 + (time_t)i;
		if (utimensat(AT_FDCWD, paths[i], ts, AT_SYMLINK_NOFOLLOW) != 0)
			die("utimensat %s: %m", paths[i]);
	}
}

static void
own_sockets_remove(struct agents *a, char (*paths)[AL_SUN_PATH_MAX],
		   char (*dirs)[AL_SUN_PATH_MAX])
{
	size_t i, n = a->s.n;

	agents_stop(a);
	for (i = 0; i < n; i++) {
		(void)unlink(paths[i]);
		if (dirs[i][0] != '\0')
			(void)rmdir(dirs[i]);
	}
}

/* Calls not counted after each set-up: the first ones after 10,000 new
 * entries in /tmp run on cold caches. */
#define SCALE_WARMUP 20
unsigned scale_bad;

/* One measured call from a dead link: its time in microseconds. */
typedef double (*timed_call)(void);

/* From a dead link: close alone, or a login's open and close (open
 * relinks; its agent answers, so no watch starts; close keeps the link). */
static double
relinking(int with_open)
{
	pam_handle_t *h;
	double t0, t1;

	set_link(DEAD_TARGET);
	h = pam_begin(confdir_mod, DEAD_TARGET);
	t0 = now_us();
	if (with_open)
		check(h, pam_open_session(h, 0), "pam_open_session");
	check(h, pam_close_session(h, 0), "pam_close_session");
	t1 = now_us();
	pam_end(h, PAM_SUCCESS);
	return t1 - t0;
}

static double
close_relinking(void)
{
	return relinking(0);
}

static double
open_close_relinking(void)
{
	return relinking(1);
}

static struct stats
scale_run(size_t nsock, unsigned reps, timed_call call,
	  char (*paths)[AL_SUN_PATH_MAX], char (*dirs)[AL_SUN_PATH_MAX])
{
	double *t = calloc(reps, sizeof(double));
	struct agents s;
	struct stats st;
	unsigned r;
	double us;

	if (t == NULL)
		die("out of memory");
	own_sockets(&s, nsock, paths, dirs);
	for (r = 0; r < reps + SCALE_WARMUP; r++) {
		us = call();
		if (!link_is(paths[0]))
			scale_bad++;
		if (r >= SCALE_WARMUP)
			t[r - SCALE_WARMUP] = us;
	}
	own_sockets_remove(&s, paths, dirs);
	st = stats_of(t, reps);
	free(t);
	return st;
}

/* reps calls with 1, 10 and 100 of alice's sockets among 10,000 foreign
 * entries, then with 100 and none (sc[3]). */
void
bench_scale(unsigned reps, struct stats *sc)
{
	static char paths[100][AL_SUN_PATH_MAX], dirs[100][AL_SUN_PATH_MAX];
	int i;

	foreign_make();
	for (i = 0; i < 3; i++) {
		progress("scale: %zu live sockets", sizes[i]);
		sc[i] = scale_run(sizes[i], reps, close_relinking, paths, dirs);
	}
	foreign_remove();
	progress("scale: 100 live sockets, no foreign entries");
	sc[3] = scale_run(100, reps, close_relinking, paths, dirs);
}

/* Section 3 of the table. */
void
print_scale(const struct stats *sc)
{
	int i;

	row("\n3. Scale: pam_close_session relinking a dead link, /tmp with "
	    "10,000 foreign entries\n");
	row("   %-38s %10s %10s %10s %8s\n", "live sockets of the user", "median",
	    "p99", "max", "vs 1");
	for (i = 0; i < SCALE_RUNS; i++)
		row("   %-38s %7.1f us %7.1f us %7.1f us %7.2fx\n",
		    i < 3 ? (sizes[i] == 1 ? "1" : sizes[i] == 10 ? "10" : "100") :
		    "100, /tmp empty (no foreign entries)",
		    sc[i].p50, sc[i].p99, sc[i].max, sc[i].p50 / sc[0].p50);
}

/* 3b: another user's per-connection directories, as many as issue 14
 * found to cost a login 80 ms when the login listed /tmp. */
#define FOREIGN_SSH_DIRS 20000

/* reps open+close with /tmp empty (fo[0]), then among 20,000 empty
 * /tmp/ssh-* directories of bob's (fo[1]); one live socket of alice's. */
void
bench_foreign(unsigned reps, struct stats *fo)
{
	static char paths[1][AL_SUN_PATH_MAX], dirs[1][AL_SUN_PATH_MAX];
	struct passwd *bob = getpwnam("bob");
	char (*foreign)[AL_SUN_PATH_MAX];
	int i;

	if (bob == NULL)
		die("no user bob");
	if ((foreign = calloc(FOREIGN_SSH_DIRS, sizeof(*foreign))) == NULL)
		die("out of memory");
	progress("3b. open+close, /tmp empty");
	fo[0] = scale_run(1, reps, open_close_relinking, paths, dirs);
	progress("3b. open+close, %d foreign /tmp/ssh-* directories",
		 FOREIGN_SSH_DIRS);
	for (i = 0; i < FOREIGN_SSH_DIRS; i++)
		make_ssh_dir(foreign[i], sizeof(foreign[i]), bob->pw_uid,
			     bob->pw_gid);
	fo[1] = scale_run(1, reps, open_close_relinking, paths, dirs);
	for (i = 0; i < FOREIGN_SSH_DIRS; i++)
		(void)rmdir(foreign[i]);
	free(foreign);
}

/* Section 3b of the table. */
void
print_foreign(const struct stats *fo)
{
	int i;

	row("\n3b. Foreign entries: open+close relinking a dead link (one live "
	    "socket of the user's)\n");
	row("   %-38s %10s %10s %10s %8s\n", "/tmp holds", "median", "p99",
	    "max", "vs empty");
	for (i = 0; i < FOREIGN_RUNS; i++)
		row("   %-38s %7.1f us %7.1f us %7.1f us %7.2fx\n",
		    i == 0 ? "nothing else" :
		    "20,000 /tmp/ssh-* dirs of another user",
		    fo[i].p50, fo[i].p99, fo[i].max, fo[i].p50 / fo[0].p50);
}
