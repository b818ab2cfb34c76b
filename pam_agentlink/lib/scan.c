/*
 * scan.c - find the user's forwarded agent sockets in every place sshd
 * may put them (the places of agentsocketpath=, the forms of layout.c).
 *
 * A candidate is a socket owned by the user, named as one of the layouts
 * has it, in a directory owned by the user and writable by nobody else:
 * the place itself (user:) or a per-connection directory in it (shared:).
 * Another user's entry is never opened: it is looked at with fstatat()
 * without following links, and skipped when it is not the user's.  On
 * the login path (shared_listeners_only) a shared place is not even
 * listed: the kernel's list of listening sockets names the user's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ctx.h"
#include "diag.h"
#include "layout.h"
#include "log.h"
#include "probe.h"
#include "rule.h"
#include "safedir.h"
#include "scan.h"
#include "sunpath.h"


static void
drop_sockfd(struct al_cands *c)
{
	if (c->sockfd_set)
		close(c->sockfd);
	c->sockfd_set = 0;
	c->sockfd = -1;
}

void
al_cands_free(struct al_cands *c)
{
	drop_sockfd(c);
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

int
al_cands_sockfd(const struct al_cands *cands, const struct al_candidate *c)
{
	/* Kept for al_scan_target()'s one candidate alone. */
	return cands->sockfd_set && cands->n == 1 && c == &cands->v[0] ?
	    cands->sockfd : -1;
}

/* Keeps the newest AL_CANDS_MAX: a full list gives up its oldest. */
static int
push(struct al_cands *c, const struct al_candidate *cand)
{
	struct al_candidate *v;
	size_t cap, i, old = 0;

	if (c->n == AL_CANDS_MAX) {
		for (i = 1; i < c->n; i++)
			if (al_cand_newer(&c->v[old], &c->v[i]))
				old = i;
		c->dropped++;
		if (al_cand_newer(cand, &c->v[old]))
			c->v[old] = *cand;
		return 0;
	}
	if (c->n == c->cap) {
		cap = c->cap ? c->cap * 2 : 8;
		v = realloc(c->v, cap * sizeof(*v));
		if (v == NULL)
			return -1;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *cand;
	return 0;
}

/* Where a candidate was found: its place, and the per-connection
 * directory ("" in a user: place). */
struct where {
	size_t place;
	const char *sub;
	int layout;			/* shared: the directory's layout */
	time_t now;
	/* The inode the kernel listed, if it said: 32 bits of it, all its
	 * list carries.  Its device is not compared: btrfs gives stat() a
	 * subvolume's, the list the file system's; the walk from the place
	 * (same device, no symbolic links) pins the file. */
	int has_ino;
	uint32_t ino;
};

/* A socket's time a minute or more in the future is the user's doing,
 * not sshd's: it is taken as the epoch, the oldest of all, so that it
 * neither crowds out the newest sockets nor escapes cleanup. */
#define FUTURE_SLACK 60

/*
 * With sfdp, the socket is opened O_PATH without following a link and
 * looked at through that descriptor (fstat() of what was opened, the
 * same answer as fstatat(AT_SYMLINK_NOFOLLOW)), and the descriptor of
 * the very socket checked goes to *sfdp when it is taken: what
 * al_cand_connect() connects through, with no second open and check.
 */
static int
add_socket_fd(const struct al_ctx *ctx, struct al_cands *out, int dfd,
	      const struct where *w, const char *name, int *sfdp)
{
	const struct al_place *pl = &ctx->places[w->place];
	struct al_candidate c;
	struct stat st;
	char dir[AL_SUN_PATH_MAX];
	int layout, sfd = -1, r;
	pid_t pid;

	layout = al_layout_match_name(pl->kind, w->layout, name, ctx->hosthash,
				      &pid);
	if (layout < 0)
		return 0;
	if (sfdp == NULL) {
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			return 0;
	} else if ((sfd = openat(dfd, name, O_PATH | O_NOFOLLOW |
				 O_CLOEXEC)) < 0) {
		return 0;
	} else if (fstat(sfd, &st) != 0) {
		close(sfd);
		return 0;
	}
	memset(&c, 0, sizeof(c));
	if (w->sub[0] == '\0')
		strcpy(dir, pl->dir);
	if (!S_ISSOCK(st.st_mode) || st.st_uid != ctx->uid ||
	    (w->has_ino && (uint32_t)st.st_ino != w->ino) ||
	    (w->sub[0] != '\0' &&
	     al_join(dir, sizeof(dir), pl->dir, w->sub) != 0) ||
	    /* too long: cannot be connected to anyway */
	    al_join(c.path, sizeof(c.path), dir, name) != 0 ||
	    strcmp(c.path, ctx->link) == 0) {
		if (sfd >= 0)
			close(sfd);
		return 0;
	}
	c.mtime = st.st_mtim;
	if (c.mtime.tv_sec > w->now + FUTURE_SLACK)
		c.mtime.tv_sec = c.mtime.tv_nsec = 0;
	c.dev = st.st_dev;
	c.ino = st.st_ino;
	c.pid = pid;
	c.layout = (short)layout;
	c.place = (short)w->place;
	c.name_off = (unsigned short)(strlen(dir) + 1);
	c.live = AL_UNKNOWN;
	if ((r = push(out, &c)) != 0 && sfd >= 0)
		close(sfd);
	else if (sfd >= 0)
		*sfdp = sfd;
	return r;
}

static int
add_socket(const struct al_ctx *ctx, struct al_cands *out, int dfd,
	   const struct where *w, const char *name)
{
	return add_socket_fd(ctx, out, dfd, w, name, NULL);
}

/* The part of path after prefix and a slash, or NULL. */
static const char *
below(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(path, prefix, n) != 0 || path[n] != '/')
		return NULL;
	return path + n + 1;
}

/* "SUB/NAME" below a shared place: SUB into sub, *name at NAME; the
 * layout SUB's form has, or -1. */
static int
split_shared(const char *rest, char sub[AL_SUN_PATH_MAX], const char **name)
{
	size_t n = strcspn(rest, "/");

	if (rest[n] != '/' || n >= AL_SUN_PATH_MAX)
		return -1;
	memcpy(sub, rest, n);
	sub[n] = '\0';
	*name = rest + n + 1;
	return al_layout_match_dir(sub);
}

/* Opens a per-connection directory of a shared place, if the user's. */
static int
sub_open(const struct al_ctx *ctx, int placefd, const char *name)
{
	return al_user_subdir_open(ctx, placefd, name, O_RDONLY);
}

/* Lists the sockets in the directory dfd (consumed). */
static int
scan_dir(const struct al_ctx *ctx, struct al_cands *out, int dfd,
	 const struct where *w)
{
	struct dirent *de;
	size_t seen = 0;
	DIR *d;
	int r = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (++seen > AL_SCAN_ENTRIES_MAX) {
			out->unread++;
			break;
		}
		if (de->d_type == DT_SOCK || de->d_type == DT_UNKNOWN)
			r = add_socket(ctx, out, dirfd(d), w, de->d_name);
	}
	closedir(d);
	return r;
}

static int
scan_shared(const struct al_ctx *ctx, struct al_cands *out, int pfd,
	    size_t place)
{
	struct where w = { place, "", -1, time(NULL), 0, 0 };
	struct dirent *de;
	size_t subs = 0;
	DIR *d;
	int fd, r = 0;

	if ((d = fdopendir(pfd)) == NULL) {
		close(pfd);
		return 0;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		/* Other users' entries are skipped by name or one fstatat()
		 * and never opened; the user's own are bounded. */
		if ((de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
		    (w.layout = al_layout_match_dir(de->d_name)) < 0 ||
		    (fd = sub_open(ctx, dirfd(d), de->d_name)) < 0)
			continue;
		if (++subs > AL_SCAN_SUBDIRS_MAX) {
			close(fd);
			out->unread++;
			break;
		}
		w.sub = de->d_name;
		r = scan_dir(ctx, out, fd, &w);
	}
	closedir(d);
	return r;
}

/* Opens a place's directory; a place that is there but untrusted is
 * worth a line, a missing one is not. */
static int
place_open(const struct al_ctx *ctx, size_t i, int flags)
{
	const struct al_place *pl = &ctx->places[i];
	int fd;

	if (pl->kind == AL_PLACE_USER)
		flags |= AL_DIR_USERS;
	fd = al_dir_open(ctx, pl->dir, flags, NULL);
	if (fd < 0 && errno == EPERM)
		al_log(ctx->log, LOG_NOTICE, "agent socket directory %s: a "
		       "component is a symbolic link, or owned by another user, "
		       "or writable by others; not looking there", pl->dir);
	else if (fd < 0 && errno != ENOENT)
		al_debug(ctx->log, "agent socket directory %s: %m", pl->dir);
	return fd;
}

/*
 * Place i's directory, as place_open(ctx, i, 0) vouches for it.  In a
 * pass (ctx->pass) the walk is made once and its descriptor held, with
 * the device its last step saw (for al_user_subdir_open()); place_put()
 * closes only what the pass does not hold.  A place that cannot be
 * opened is tried again (and logged again) as before.
 */
static int
place_get(const struct al_ctx *ctx, size_t i)
{
	struct al_pass *p = ctx->pass;
	struct stat st;
	int fd;

	if (p == NULL || i >= AL_PLACES_MAX)
		return place_open(ctx, i, 0);
	if (p->placefd[i] >= 0)
		return p->placefd[i];
	if ((fd = place_open(ctx, i, 0)) < 0)
		return -1;
	if (p->lastdev_ok)
		st.st_dev = p->lastdev;
	else if (fstat(fd, &st) != 0)
		return fd;		/* not held: the caller closes it */
	p->placefd[i] = fd;
	p->placedev[i] = st.st_dev;
	return fd;
}

static void
place_put(const struct al_ctx *ctx, int fd)
{
	if (fd >= 0 && al_pass_place(ctx, fd) < 0)
		close(fd);
}

/* A place's directory to list: from the pass's descriptor when it holds
 * one, else walked to as before. */
static int
place_open_read(const struct al_ctx *ctx, size_t i)
{
	int fd;

	if (ctx->pass == NULL)
		return place_open(ctx, i, AL_DIR_READ);
	if ((fd = place_get(ctx, i)) < 0)
		return -1;
	if (al_pass_place(ctx, fd) < 0) {
		close(fd);
		return place_open(ctx, i, AL_DIR_READ);
	}
	/* From O_PATH to a descriptor readdir() can use, as al_dir_open()
	 * makes one (and place_open() would say why not). */
	if ((fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 &&
	    errno != ENOENT)
		al_debug(ctx->log, "agent socket directory %s: %m",
			 ctx->places[i].dir);
	return fd;
}

/* ---- shared places at login: the kernel's list, no listing ---- */

/* A listening socket of the kernel's list that is named as sshd names
 * one in a shared place. */
struct listed {
	size_t place;
	int layout;
	char sub[AL_SUN_PATH_MAX];
	char name[AL_SUN_PATH_MAX];
	int has_ino;			/* the kernel said which inode */
	uint32_t ino;
};

struct listing {
	const struct al_ctx *ctx;
	struct listed *v;
	size_t n, cap;
	size_t unread;			/* beyond AL_SCAN_SUBDIRS_MAX */
};

/* al_diag_parse()'s callback: names alone, no system call. */
static int
take_listed(void *arg, const struct al_diag_rec *r)
{
	struct listing *l = arg;
	const struct al_ctx *ctx = l->ctx;
	struct listed e, *v;
	const char *rest, *name;
	size_t i;

	memset(&e, 0, sizeof(e));
	for (i = 0; i < ctx->nplaces; i++)
		if (ctx->places[i].kind == AL_PLACE_SHARED &&
		    (rest = below(r->name, ctx->places[i].dir)) != NULL)
			break;
	if (i == ctx->nplaces ||
	    (e.layout = split_shared(rest, e.sub, &name)) < 0 ||
	    strchr(name, '/') != NULL ||
	    al_layout_match_name(AL_PLACE_SHARED, e.layout, name, ctx->hosthash,
				 &(pid_t){ 0 }) < 0)
		return 0;
	if (l->n == AL_SCAN_SUBDIRS_MAX) {
		l->unread++;
		return 0;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		if ((v = realloc(l->v, l->cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
	}
	e.place = i;
	strcpy(e.name, name);		/* shorter than r->name */
	if (r->has_vfs) {
		e.has_ino = 1;
		e.ino = (uint32_t)r->ino;
	}
	l->v[l->n++] = e;
	return 0;
}

/* Each listed socket checked as the scan checks one it lists. */
static int
add_listed(const struct al_ctx *ctx, struct al_cands *out,
	   const struct listing *l)
{
	int pfd[AL_PLACES_MAX], fd, r = 0;
	struct where w = { 0, "", -1, time(NULL), 0, 0 };
	size_t i;

	for (i = 0; i < AL_PLACES_MAX; i++)
		pfd[i] = -2;			/* not opened yet */
	for (i = 0; r == 0 && i < l->n; i++) {
		const struct listed *e = &l->v[i];

		if (pfd[e->place] == -2)
			pfd[e->place] = place_get(ctx, e->place);
		if (pfd[e->place] < 0 ||
		    (fd = sub_open(ctx, pfd[e->place], e->sub)) < 0)
			continue;
		w.place = e->place;
		w.sub = e->sub;
		w.layout = e->layout;
		w.has_ino = e->has_ino;
		w.ino = e->ino;
		r = add_socket(ctx, out, fd, &w, e->name);
		close(fd);
	}
	for (i = 0; i < AL_PLACES_MAX; i++)
		place_put(ctx, pfd[i]);
	return r;
}

/*
 * The user's sockets in shared places, from the kernel's list of
 * listening Unix sockets: other users' entries in /tmp must cost a login
 * nothing, so no shared place is listed.  0 done, 1 when the list cannot
 * be had (the caller lists the places), -1 out of memory.
 */
static int
scan_listening(const struct al_ctx *ctx, struct al_cands *out)
{
	struct listing l = { ctx, NULL, 0, 0, 0 };
	struct al_diag_parse st;
	int r;

	memset(&st, 0, sizeof(st));
	st.seq = (uint32_t)time(NULL);
	st.uid = ctx->uid;
	st.max = AL_SCAN_ENTRIES_MAX;
	st.budget_ms = AL_DIAG_BUDGET_MS;
	st.fn = take_listed;
	st.arg = &l;
	r = al_diag_listeners(&st);
	if (r == AL_DIAG_ERR) {
		r = errno == ENOMEM ? -1 : 1;
		if (r == 1)
			al_debug(ctx->log, "the kernel's list of listening sockets "
				 "cannot be read (%m); listing the shared places");
		free(l.v);
		return r;
	}
	if (r == AL_DIAG_TIME)
		al_log(ctx->log, LOG_NOTICE, "the kernel's list of listening "
		       "sockets took more than %d ms: the rest was not looked at "
		       "(%zu read)", AL_DIAG_BUDGET_MS, st.all);
	else if (r == AL_DIAG_FULL)
		al_log(ctx->log, LOG_NOTICE, "more than %zu listening sockets of "
		       "%s's, or %zu in all, on this host: the rest were not "
		       "looked at", st.max, ctx->user, (size_t)AL_DIAG_RECORDS_MAX);
	al_debug(ctx->log, "listening sockets: %zu read, %zu possibly %s's, "
		 "%zu named as in a shared place", st.all, st.seen, ctx->user,
		 l.n + l.unread);
	out->unread += l.unread + (r == AL_DIAG_FULL || r == AL_DIAG_TIME);
	r = add_listed(ctx, out, &l);
	free(l.v);
	return r;
}

static int
have_shared(const struct al_ctx *ctx)
{
	size_t i;

	for (i = 0; i < ctx->nplaces; i++)
		if (ctx->places[i].kind == AL_PLACE_SHARED)
			return 1;
	return 0;
}

int
al_scan(const struct al_ctx *ctx, struct al_cands *out)
{
	struct where w = { 0, "", -1, time(NULL), 0, 0 };
	size_t i;
	int fd, r = 0, listed = 0;

	drop_sockfd(out);
	out->n = out->dropped = out->unread = 0;
	if (ctx->shared_listeners_only && have_shared(ctx)) {
		if ((r = scan_listening(ctx, out)) < 0)
			return -1;
		listed = r == 0;
		r = 0;
	}
	for (i = 0; r == 0 && i < ctx->nplaces; i++) {
		if (listed && ctx->places[i].kind == AL_PLACE_SHARED)
			continue;
		if ((fd = place_open_read(ctx, i)) < 0)
			continue;
		w.place = i;
		if (ctx->places[i].kind == AL_PLACE_SHARED)
			r = scan_shared(ctx, out, fd, i);
		else
			r = scan_dir(ctx, out, fd, &w);
	}
	if (out->dropped > 0 || out->unread > 0)
		al_log(ctx->log, LOG_NOTICE, "%s has more agent sockets than the "
		       "module looks at: %zu older ones and %zu directories' "
		       "further entries left out", ctx->user, out->dropped,
		       out->unread);
	return r;
}

/* One socket at rest below place i, checked as the scan checks it. */
static int
target_in(const struct al_ctx *ctx, struct al_cands *out, size_t i,
	  const char *rest)
{
	struct where w = { i, "", -1, time(NULL), 0, 0 };
	char sub[AL_SUN_PATH_MAX];
	const char *name = rest;
	int pfd, fd, sfd = -1, r = 0;

	if (ctx->places[i].kind == AL_PLACE_SHARED) {
		if ((w.layout = split_shared(rest, sub, &name)) < 0)
			return 0;
		w.sub = sub;
	}
	if (strchr(name, '/') != NULL ||
	    al_layout_match_name(ctx->places[i].kind, w.layout, name,
				 ctx->hosthash, &(pid_t){ 0 }) < 0)
		return 0;
	if ((pfd = place_get(ctx, i)) < 0)
		return 0;
	fd = w.sub[0] != '\0' ? sub_open(ctx, pfd, w.sub) : pfd;
	/* The socket itself is kept (cands->sockfd), so that the probe
	 * connects through the descriptor that was checked. */
	if (fd >= 0 && out->n == 0 && !out->sockfd_set) {
		r = add_socket_fd(ctx, out, fd, &w, name, &sfd);
		if (sfd >= 0) {
			out->sockfd = sfd;
			out->sockfd_set = 1;
		}
	} else if (fd >= 0) {
		r = add_socket(ctx, out, fd, &w, name);
	}
	if (fd >= 0 && fd != pfd)
		close(fd);
	place_put(ctx, pfd);
	return r;
}

int
al_scan_target(const struct al_ctx *ctx, const char *path,
	       struct al_cands *out)
{
	const char *rest;
	size_t i;
	int r = 0;

	drop_sockfd(out);
	out->n = 0;
	for (i = 0; i < ctx->nplaces && out->n == 0 && r == 0; i++)
		if ((rest = below(path, ctx->places[i].dir)) != NULL)
			r = target_in(ctx, out, i, rest);
	/* Only what a scan would have listed under the very same name. */
	if (r == 0 && out->n == 1 && strcmp(out->v[0].path, path) != 0) {
		out->n = 0;
		drop_sockfd(out);
	}
	return r;
}

const char *
al_cand_sub(const struct al_ctx *ctx, const struct al_candidate *c,
	    char sub[AL_SUN_PATH_MAX])
{
	size_t dl = strlen(ctx->places[c->place].dir);

	if (c->name_off <= dl + 1)
		return NULL;		/* directly in a user: place */
	snprintf(sub, AL_SUN_PATH_MAX, "%.*s", (int)(c->name_off - dl - 2),
		 c->path + dl + 1);
	return sub;
}

/* As al_cand_dir_open(), but *placefd (and the result, for a candidate
 * directly in its place) may be the pass's own: place_put() them. */
static int
cand_dir_get(const struct al_ctx *ctx, const struct al_candidate *c,
	     int *placefd)
{
	char sub[AL_SUN_PATH_MAX];
	int fd, saved;

	*placefd = -1;
	if ((fd = place_get(ctx, (size_t)c->place)) < 0 ||
	    al_cand_sub(ctx, c, sub) == NULL)
		return fd;
	*placefd = fd;
	if ((fd = sub_open(ctx, *placefd, sub)) < 0) {
		saved = errno;
		place_put(ctx, *placefd);
		*placefd = -1;
		errno = saved;
	}
	return fd;
}

/* A descriptor of the caller's own: the pass's is duplicated. */
static int
own_fd(const struct al_ctx *ctx, int fd)
{
	if (fd < 0 || al_pass_place(ctx, fd) < 0)
		return fd;
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

int
al_cand_dir_open(const struct al_ctx *ctx, const struct al_candidate *c,
		 int *placefd)
{
	int fd = cand_dir_get(ctx, c, placefd), saved;

	if (fd >= 0 && (fd = own_fd(ctx, fd)) < 0) {
		saved = errno;
		place_put(ctx, *placefd);
		*placefd = -1;
		errno = saved;
		return -1;
	}
	if (*placefd >= 0 && (*placefd = own_fd(ctx, *placefd)) < 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
al_target_gone(const struct al_ctx *ctx, const char *path)
{
	const char *rest, *name;
	char sub[AL_SUN_PATH_MAX];
	struct stat st;
	int pfd, dfd, gone = 0;
	size_t i;

	for (i = 0; i < ctx->nplaces; i++)
		if ((rest = below(path, ctx->places[i].dir)) != NULL)
			break;
	if (i == ctx->nplaces || (pfd = place_get(ctx, i)) < 0)
		return 0;
	dfd = pfd;
	name = rest;
	if (ctx->places[i].kind == AL_PLACE_SHARED) {
		errno = 0;
		dfd = split_shared(rest, sub, &name) < 0 ? -1 :
		    al_user_subdir_open(ctx, pfd, sub, O_PATH);
		gone = dfd < 0 && errno == ENOENT;
	}
	if (dfd >= 0 && strchr(name, '/') == NULL)
		gone = fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 &&
		    errno == ENOENT;
	if (dfd >= 0 && dfd != pfd)
		close(dfd);
	place_put(ctx, pfd);
	return gone;
}

/*
 * Connects to candidate c through a descriptor: the socket al_scan_target()
 * opened and checked (sockfd), or else its directory reopened as the scan
 * checked it, the socket opened O_PATH without following links and
 * checked to be the very socket that was found; then connect() to
 * /proc/self/fd/N.  The module's euid is root: a path that could be
 * swapped between the check and connect() must never reach it.
 */
int
al_cand_connect(const struct al_ctx *ctx, const struct al_candidate *c,
		int sockfd, int *fdp)
{
	char proc[32];
	struct stat st;
	int placefd, dfd, sfd, r, saved;

	*fdp = -1;
	if (sockfd >= 0) {
		/* Held since its check: the very socket, whatever the path
		 * names now. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sockfd);
		return al_connect_nb(proc, fdp);
	}
	dfd = cand_dir_get(ctx, c, &placefd);
	saved = errno;
	if (dfd < 0) {
		place_put(ctx, placefd);
		return saved == ENOENT ? 0 : -1;
	}
	sfd = openat(dfd, c->path + c->name_off, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	if (dfd != placefd)
		place_put(ctx, dfd);
	place_put(ctx, placefd);
	if (sfd < 0)
		return saved == ENOENT ? 0 : -1;
	/* Replaced since the scan: not known, so neither live nor dead (a
	 * cleanup must not remove what is there now). */
	if (fstat(sfd, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    st.st_uid != ctx->uid || st.st_dev != c->dev || st.st_ino != c->ino) {
		close(sfd);
		errno = ESTALE;
		return -1;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sfd);
	r = al_connect_nb(proc, fdp);
	saved = errno;
	close(sfd);
	errno = saved;
	return r;
}

int
al_cand_probe(const struct al_ctx *ctx, const struct al_candidate *c)
{
	int fd, r = al_cand_connect(ctx, c, -1, &fd);

	if (r == 1)
		close(fd);
	/* A full backlog is a listener. */
	return r == 1 || (r < 0 && errno == EAGAIN) ? 1 : r;
}

int
al_cand_local(const struct al_ctx *ctx, const struct al_candidate *c)
{
	return !ctx->places[c->place].in_home;
}
