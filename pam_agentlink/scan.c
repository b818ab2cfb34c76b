/*
 * scan.c - find the user's forwarded agent sockets where sshd puts them:
 *   /tmp/ssh-XXXXXXXXXX/agent.<pid>           (OpenSSH before 10.1)
 *   ~/.ssh/agent/s.<hosthash>.sshd.<random>   (OpenSSH 10.1 and later)
 * A candidate is a socket owned by the user in a directory owned by the
 * user and writable by nobody else.  Every open is relative to a directory
 * descriptor and refuses symbolic links.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agentlink.h"

#define DIR_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)

void
al_cands_free(struct al_cands *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
}

static int
push(struct al_cands *c, const struct al_candidate *cand)
{
	struct al_candidate *v;
	size_t cap;

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

pid_t
al_tmp_socket_pid(const char *name)
{
	const char *p;
	long pid = 0;

	if (strncmp(name, "agent.", 6) != 0 || name[6] == '\0' || name[6] == '0')
		return 0;
	for (p = name + 6; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p) || pid > 99999999)
			return 0;
		pid = pid * 10 + (*p - '0');
	}
	return (pid_t)pid;
}

static int
alnum_run(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

int
al_tmp_dir_name_ok(const char *name)
{
	return strncmp(name, "ssh-", 4) == 0 && strlen(name) == 14 &&
	    alnum_run(name + 4, 10);
}

int
al_home_socket_name_ok(const char *name, const char *hosthash)
{
	size_t hl = strlen(hosthash), rl;

	/* s.<hash>.sshd.<random>; ssh-agent's own are s.<hash>.agent.<random>. */
	if (strncmp(name, "s.", 2) != 0 || strncmp(name + 2, hosthash, hl) != 0 ||
	    strncmp(name + 2 + hl, ".sshd.", 6) != 0)
		return 0;
	rl = strlen(name + 2 + hl + 6);
	return rl > 0 && alnum_run(name + 2 + hl + 6, rl);
}

/* Owned by the user and writable by nobody else. */
static int
dir_trusted(int fd, uid_t uid)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid &&
	    (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

static int
add_socket(const struct al_ctx *ctx, struct al_cands *out, int dfd,
	   const char *dirpath, const char *name, enum al_layout layout,
	   pid_t pid)
{
	struct al_candidate c;
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode) || st.st_uid != ctx->uid)
		return 0;
	memset(&c, 0, sizeof(c));
	if (al_join(c.path, sizeof(c.path), dirpath, name) != 0)
		return 0;		/* cannot be connected to anyway */
	if (strcmp(c.path, ctx->link) == 0)
		return 0;
	c.mtime = st.st_mtim;
	c.dev = st.st_dev;
	c.ino = st.st_ino;
	c.pid = pid;
	c.layout = layout;
	c.live = AL_UNKNOWN;
	return push(out, &c);
}

static int
scan_tmp_dir(const struct al_ctx *ctx, struct al_cands *out, int tmpfd,
	     const char *name)
{
	char dirpath[AL_SUN_PATH_MAX];
	struct dirent *de;
	DIR *d;
	pid_t pid;
	int fd, r = 0;

	fd = openat(tmpfd, name, DIR_FLAGS);
	if (fd < 0)
		return 0;		/* another user's, or gone */
	if (!dir_trusted(fd, ctx->uid) || (d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	if (al_join(dirpath, sizeof(dirpath), ctx->tmpdir, name) != 0) {
		closedir(d);
		return 0;
	}
	while (r == 0 && (de = readdir(d)) != NULL)
		if ((pid = al_tmp_socket_pid(de->d_name)) != 0)
			r = add_socket(ctx, out, dirfd(d), dirpath, de->d_name,
				       AL_LAYOUT_TMP, pid);
	closedir(d);
	return r;
}

static int
scan_tmp(const struct al_ctx *ctx, struct al_cands *out)
{
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = open(ctx->tmpdir, DIR_FLAGS);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		/* Still worth looking under the home directory. */
		al_log(ctx->log, LOG_ERR, "cannot read %s: %m", ctx->tmpdir);
		return 0;
	}
	while (r == 0 && (de = readdir(d)) != NULL)
		if ((de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) &&
		    al_tmp_dir_name_ok(de->d_name))
			r = scan_tmp_dir(ctx, out, dirfd(d), de->d_name);
	closedir(d);
	return r;
}

/* Opens ~/.ssh/agent without following links; -1 when absent or untrusted. */
int
al_home_agent_dir_open(const struct al_ctx *ctx)
{
	int home, ssh, agent;

	home = open(ctx->home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (home < 0)
		return -1;
	ssh = openat(home, ".ssh", DIR_FLAGS);
	close(home);
	if (ssh < 0)
		return -1;
	agent = openat(ssh, "agent", DIR_FLAGS);
	close(ssh);
	if (agent >= 0 && !dir_trusted(agent, ctx->uid)) {
		al_debug(ctx->log, "%s/.ssh/agent is not owned by %s or is writable "
			 "by others; not looking there", ctx->home, ctx->user);
		close(agent);
		return -1;
	}
	return agent;
}

static int
scan_home(const struct al_ctx *ctx, struct al_cands *out)
{
	char dirpath[AL_SUN_PATH_MAX];
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	if ((fd = al_home_agent_dir_open(ctx)) < 0)
		return 0;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return 0;
	}
	if (al_join(dirpath, sizeof(dirpath), ctx->home, ".ssh/agent") != 0) {
		closedir(d);
		return 0;
	}
	while (r == 0 && (de = readdir(d)) != NULL)
		if (al_home_socket_name_ok(de->d_name, ctx->hosthash))
			r = add_socket(ctx, out, dirfd(d), dirpath, de->d_name,
				       AL_LAYOUT_HOME, 0);
	closedir(d);
	return r;
}

int
al_scan(const struct al_ctx *ctx, struct al_cands *out)
{
	out->n = 0;
	if (scan_tmp(ctx, out) != 0 || scan_home(ctx, out) != 0)
		return -1;
	return 0;
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

/* One /tmp/ssh-XXXXXXXXXX/agent.<pid>, checked as scan_tmp_dir() does. */
static int
target_tmp(const struct al_ctx *ctx, struct al_cands *out, const char *rest)
{
	char dname[16], dirpath[AL_SUN_PATH_MAX];
	const char *name = strchr(rest, '/');
	int fd, r = 0;
	pid_t pid;

	if (name == NULL || (size_t)(name - rest) >= sizeof(dname))
		return 0;
	memcpy(dname, rest, (size_t)(name - rest));
	dname[name - rest] = '\0';
	name++;
	if (!al_tmp_dir_name_ok(dname) || (pid = al_tmp_socket_pid(name)) == 0 ||
	    al_join(dirpath, sizeof(dirpath), ctx->tmpdir, dname) != 0)
		return 0;
	/* The path up to tmpdir is the administrator's. */
	if ((fd = open(dirpath, DIR_FLAGS)) < 0)
		return 0;
	if (dir_trusted(fd, ctx->uid))
		r = add_socket(ctx, out, fd, dirpath, name, AL_LAYOUT_TMP, pid);
	close(fd);
	return r;
}

/* One ~/.ssh/agent/s.<hosthash>.sshd.<random>, as scan_home() checks it. */
static int
target_home(const struct al_ctx *ctx, struct al_cands *out, const char *name)
{
	char dirpath[AL_SUN_PATH_MAX];
	int fd, r;

	if (strchr(name, '/') != NULL ||
	    !al_home_socket_name_ok(name, ctx->hosthash) ||
	    al_join(dirpath, sizeof(dirpath), ctx->home, ".ssh/agent") != 0 ||
	    (fd = al_home_agent_dir_open(ctx)) < 0)
		return 0;
	r = add_socket(ctx, out, fd, dirpath, name, AL_LAYOUT_HOME, 0);
	close(fd);
	return r;
}

int
al_scan_target(const struct al_ctx *ctx, const char *path,
	       struct al_cands *out)
{
	char agentdir[AL_SUN_PATH_MAX];
	const char *rest;
	int r = 0;

	out->n = 0;
	if ((rest = below(path, ctx->tmpdir)) != NULL)
		r = target_tmp(ctx, out, rest);
	else if (al_join(agentdir, sizeof(agentdir), ctx->home, ".ssh/agent") == 0 &&
		 (rest = below(path, agentdir)) != NULL)
		r = target_home(ctx, out, rest);
	/* Only what a scan would have listed under the very same name. */
	if (r == 0 && out->n == 1 && strcmp(out->v[0].path, path) != 0)
		out->n = 0;
	return r;
}
