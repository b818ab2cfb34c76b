/*
 * watch.c - wait for this connection's forwarded socket to appear.
 *
 * sshd opens the PAM session before the client asks for agent forwarding,
 * so the socket appears only after pam_open_session has returned.  The
 * watch runs in a detached process with the user's credentials, follows
 * the places sshd creates sockets in with inotify, settles the link each
 * time one appears, and ends as soon as its own connection's socket is
 * live, its time is up, or the sshd process it serves has exited.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <dirent.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include "agentlink.h"

#define CREATE_MASK (IN_CREATE | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)
/* A socket exists from bind(); its listener comes with listen(), a moment
 * later.  Retry a refused new socket at growing intervals up to this. */
#define RETRY_MAX_MS 64

volatile sig_atomic_t al_watch_stop;

struct watch {
	const struct al_ctx *ctx;
	int ifd;
	int wd_tmp, wd_home, wd_ssh, wd_agent;
	pid_t parent;
	struct timespec since;
};

static long
ms_until(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

int
al_proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start)
{
	char path[64], buf[1024], *p;
	unsigned long long st;
	ssize_t n;
	long pp;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ... starttime(22)": comm may hold anything,
	 * so fields are counted from the last ')'. */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u "
		   "%*u %*d %*d %*d %*d %*d %*d %llu", &pp, &st) != 2)
		return -1;
	if (ppid != NULL)
		*ppid = (pid_t)pp;
	if (start != NULL)
		*start = st;
	return 0;
}

static int
add_dir_watch(struct watch *w, const char *path)
{
	return inotify_add_watch(w->ifd, path, CREATE_MASK);
}

/* Watches the user's /tmp/ssh-* directories that exist now. */
static void
watch_tmp_dirs(struct watch *w)
{
	char path[AL_SUN_PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if ((d = opendir(w->ctx->tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!al_tmp_dir_name_ok(de->d_name) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != w->ctx->uid)
			continue;
		if (al_join(path, sizeof(path), w->ctx->tmpdir, de->d_name) == 0)
			add_dir_watch(w, path);
	}
	closedir(d);
}

/* Follows home -> .ssh -> agent as far as it exists. */
static void
watch_home_chain(struct watch *w)
{
	char path[PATH_MAX];

	if (w->wd_agent < 0 &&
	    al_join(path, sizeof(path), w->ctx->home, ".ssh/agent") == 0)
		w->wd_agent = add_dir_watch(w, path);
	if (w->wd_agent >= 0)
		return;
	if (w->wd_ssh < 0 &&
	    al_join(path, sizeof(path), w->ctx->home, ".ssh") == 0)
		w->wd_ssh = add_dir_watch(w, path);
	if (w->wd_ssh >= 0)
		return;
	if (w->wd_home < 0)
		w->wd_home = inotify_add_watch(w->ifd, w->ctx->home,
					       IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
}

/* Reads pending events; returns 1 if a pass is due. */
static int
drain_events(struct watch *w)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	char path[AL_SUN_PATH_MAX];
	int due = 0;
	ssize_t n;
	char *p;

	while ((n = read(w->ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW) {
				due = 1;
				continue;
			}
			if (ev->len == 0)
				continue;
			if (ev->wd == w->wd_tmp) {
				if ((ev->mask & IN_ISDIR) &&
				    al_tmp_dir_name_ok(ev->name)) {
					/* Fails for other users' directories. */
					if (al_join(path, sizeof(path), w->ctx->tmpdir,
						    ev->name) == 0 &&
					    add_dir_watch(w, path) >= 0)
						due = 1;
				}
			} else if (ev->wd == w->wd_home || ev->wd == w->wd_ssh) {
				if (strcmp(ev->name, ".ssh") == 0 ||
				    strcmp(ev->name, "agent") == 0) {
					watch_home_chain(w);
					due = 1;
				}
			} else if (ev->wd == w->wd_agent) {
				if (al_home_socket_name_ok(ev->name, w->ctx->hosthash))
					due = 1;
			} else if (al_tmp_socket_pid(ev->name) != 0) {
				due = 1;
			}
		}
	}
	return due;
}

static int
is_own(const struct watch *w, const struct al_candidate *c)
{
	pid_t ppid;

	if (c->layout == AL_LAYOUT_TMP &&
	    al_proc_stat(c->pid, &ppid, NULL) == 0)
		return ppid == w->parent;
	return c->mtime.tv_sec > w->since.tv_sec ||
	    (c->mtime.tv_sec == w->since.tv_sec &&
	     c->mtime.tv_nsec >= w->since.tv_nsec);
}

/*
 * One pass: settle the link over a fresh scan.  Returns 1 when this
 * connection's socket is live (the job is done), 0 when it has not
 * appeared, -1 when it exists but does not accept connections yet.
 */
static int
pass(struct watch *w)
{
	struct al_cands cands = { NULL, 0, 0 };
	struct al_outcome out;
	int state = 0;
	size_t i;

	if (al_scan(w->ctx, &cands) == 0)
		(void)al_settle(w->ctx, &cands, "watch", 0, &out);
	for (i = 0; i < cands.n; i++) {
		struct al_candidate *c = &cands.v[i];

		if (!is_own(w, c))
			continue;
		if (c->live == AL_UNKNOWN)
			c->live = al_probe(c->path) == 1 ? AL_LIVE : AL_DEAD;
		if (c->live == AL_LIVE) {
			al_debug(w->ctx->log, "watch: own socket %s is live; done",
				 c->path);
			state = 1;
			break;
		}
		state = -1;
	}
	al_cands_free(&cands);
	return state;
}

int
al_watch(const struct al_ctx *ctx, pid_t parent_pid, int parent_pidfd,
	 unsigned wait_ms, const struct timespec *since)
{
	struct watch w = { ctx, -1, -1, -1, -1, -1, parent_pid, *since };
	struct timespec deadline;
	struct pollfd pfd[2];
	struct timespec tmo;
	sigset_t waitmask;
	long left, retry_ms = 0;
	int state, r, due;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += wait_ms / 1000;
	deadline.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	w.ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w.ifd < 0) {
		al_log(ctx->log, LOG_ERR, "watch: inotify_init1: %m");
		return -1;
	}
	/* Watches first, then a pass: nothing can slip in between. */
	w.wd_tmp = inotify_add_watch(w.ifd, ctx->tmpdir,
				     IN_CREATE | IN_MOVED_TO | IN_ONLYDIR);
	watch_tmp_dirs(&w);
	watch_home_chain(&w);
	due = 1;

	/* The caller blocks every signal; SIGTERM arrives only inside
	 * ppoll(), never in the middle of a change. */
	sigfillset(&waitmask);
	sigdelset(&waitmask, SIGTERM);
	for (;;) {
		if (al_watch_stop)
			break;
		if (due) {
			state = pass(&w);
			if (state == 1)
				break;
			retry_ms = state < 0 ?
			    (retry_ms ? retry_ms * 2 : 1) : 0;
			if (retry_ms > RETRY_MAX_MS)
				retry_ms = RETRY_MAX_MS;
		}
		if ((left = ms_until(&deadline)) <= 0) {
			al_debug(ctx->log, "watch: no socket of this connection "
				 "within %u ms; done", wait_ms);
			break;
		}
		if (retry_ms > 0 && retry_ms < left)
			left = retry_ms;
		if (parent_pidfd < 0 && left > 250)
			left = 250;
		pfd[0].fd = w.ifd;
		pfd[0].events = POLLIN;
		pfd[1].fd = parent_pidfd;
		pfd[1].events = POLLIN;
		tmo.tv_sec = left / 1000;
		tmo.tv_nsec = (left % 1000) * 1000000L;
		r = ppoll(pfd, parent_pidfd >= 0 ? 2 : 1, &tmo, &waitmask);
		if (r < 0 && errno != EINTR)
			break;
		if (r < 0)
			continue;
		if (r > 0 && parent_pidfd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP))) {
			al_debug(ctx->log, "watch: sshd process %ld exited; done",
				 (long)parent_pid);
			break;
		}
		/* Without a pidfd, notice the parent's exit at each wake-up. */
		if (parent_pidfd < 0 && kill(parent_pid, 0) != 0 && errno == ESRCH)
			break;
		due = (r > 0 && (pfd[0].revents & POLLIN) && drain_events(&w)) ||
		    (r == 0 && retry_ms > 0);
	}
	close(w.ifd);
	return 0;
}
