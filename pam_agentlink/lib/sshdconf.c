/*
 * sshdconf.c - does sshd put agent sockets where the module looks?
 *
 * OpenSSH 10.6's AgentSocketPath moves forwarded agent sockets; an admin
 * who sets it and not agentsocketpath= would get a module that silently
 * links nothing.  When open finds no live link, the AgentSocketPath
 * values of sshd's configuration (and its Include files, one level) are
 * compared with the module's places, and one line names what is missing.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctx.h"
#include "expand.h"
#include "layout.h"
#include "log.h"
#include "sshdconf.h"

#define CONF_MAX (256 * 1024)

char *
al_read_trusted(const char *path, const char **why)
{
	struct stat pre, st;
	char self[64], *buf = NULL;
	size_t got = 0;
	ssize_t n;
	int fd, pfd;

	/* Looked at before it is opened, so that opening has no effect on
	 * anything but a root-owned regular file: an O_PATH descriptor runs
	 * no FIFO's or driver's open, and the file is then opened through
	 * it, so that a link swapped on the way cannot change which. */
	if ((pfd = open(path, O_PATH | O_CLOEXEC)) < 0) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(pfd, &pre) != 0 || !S_ISREG(pre.st_mode) || pre.st_uid != 0) {
		*why = "not a regular file owned by root";
		close(pfd);
		return NULL;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	close(pfd);
	if (fd < 0) {
		*why = strerror(errno);
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_dev != pre.st_dev || st.st_ino != pre.st_ino)
		*why = "not a regular file";
	else if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		*why = "not owned by root, or writable by group or others";
	else if (st.st_size > CONF_MAX)
		*why = "too large";
	else if ((buf = malloc((size_t)st.st_size + 1)) == NULL)
		*why = "out of memory";
	while (buf != NULL && got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (buf != NULL)
		buf[got] = '\0';
	close(fd);
	return buf;
}

char *
al_conf_word(char **p)
{
	char *s = *p, *w;

	s += strspn(s, " \t=");
	if (*s == '\0')
		return NULL;
	if (*s == '"') {
		w = ++s;
		s += strcspn(s, "\"");
	} else {
		w = s;
		s += strcspn(s, " \t=");
	}
	if (*s != '\0')
		*s++ = '\0';
	*p = s;
	return w;
}

int
al_conf_glob(const char *pattern, glob_t *g)
{
	char full[AL_CONF_PATTERN_MAX + 1];
	int n;

	/* Relative Include paths are below /etc/ssh, as sshd has them. */
	n = snprintf(full, sizeof(full), "%s%s",
		     pattern[0] == '/' ? "" : "/etc/ssh/", pattern);
	if (n < 0 || (size_t)n >= sizeof(full))
		return AL_CONF_GLOB_LONG;	/* never a shorter pattern */
	return glob(full, 0, NULL, g);
}

struct check {
	const struct al_ctx *ctx;
	const struct al_user *user;
	int logged;
};

int
al_sshd_value_covered(const struct al_ctx *ctx, const struct al_user *user,
		      const char *value)
{
	static const struct al_log quiet = { NULL, NULL, 0 };
	struct al_place pl;
	size_t i;

	if (al_places_expand(value, user, &pl, 1, &quiet) != 1)
		return 1;		/* not one we can compare: stay quiet */
	for (i = 0; i < ctx->nplaces; i++)
		if (ctx->places[i].kind == pl.kind &&
		    strcmp(ctx->places[i].dir, pl.dir) == 0)
			return 1;
	return 0;
}

/* Is sshd's value among the module's places? */
static int
covered(const struct check *ck, const char *value)
{
	return al_sshd_value_covered(ck->ctx, ck->user, value);
}

static void file_check(struct check *ck, const char *path, int depth);

static void
include(struct check *ck, const char *pattern, int depth)
{
	char esc[AL_CONF_PATTERN_MAX * 4 + 1];
	glob_t g;
	size_t i;
	int r;

	if ((r = al_conf_glob(pattern, &g)) == AL_CONF_GLOB_LONG)
		al_log(ck->ctx->log, LOG_WARNING, "sshd_config: Include pattern "
		       "longer than %d bytes, not read: %s", AL_CONF_PATTERN_MAX,
		       al_esc(pattern, esc, sizeof(esc)));
	if (r != 0)
		return;
	if (g.gl_pathc > AL_CONF_INCLUDE_MAX)
		al_log(ck->ctx->log, LOG_WARNING, "sshd_config: Include %s matches "
		       "%zu files; only the first %d are read",
		       al_esc(pattern, esc, sizeof(esc)), g.gl_pathc,
		       AL_CONF_INCLUDE_MAX);
	for (i = 0; i < g.gl_pathc && i < AL_CONF_INCLUDE_MAX && !ck->logged; i++)
		file_check(ck, g.gl_pathv[i], depth + 1);
	globfree(&g);
}

static void
line_check(struct check *ck, char *line, const char *path, int depth)
{
	char *p = line, *key, *val;
	char epath[1024], eval[1024];	/* escaped, for the log */

	line[strcspn(line, "#")] = '\0';
	if ((key = al_conf_word(&p)) == NULL)
		return;
	if (strcasecmp(key, "Include") == 0 && depth == 0) {
		while ((val = al_conf_word(&p)) != NULL && !ck->logged)
			include(ck, val, depth);
		return;
	}
	if (strcasecmp(key, "AgentSocketPath") != 0)
		return;
	while ((val = al_conf_word(&p)) != NULL && !ck->logged) {
		if (covered(ck, val))
			continue;
		al_log(ck->ctx->log, LOG_WARNING, "%s sets AgentSocketPath %s, "
		       "which option agentsocketpath does not cover; agent "
		       "sockets there are not linked: add agentsocketpath=%s",
		       al_esc(path, epath, sizeof(epath)),
		       al_esc(val, eval, sizeof(eval)), eval);
		ck->logged = 1;
	}
}

static void
file_check(struct check *ck, const char *path, int depth)
{
	char *text, *line, *next;
	const char *why;

	if ((text = al_read_trusted(path, &why)) == NULL)
		return;
	for (line = text; line != NULL && !ck->logged; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		line_check(ck, line, path, depth);
	}
	free(text);
}

int
al_sshd_config_check(const struct al_ctx *ctx, const struct al_user *user,
		     const char *config)
{
	struct check ck = { ctx, user, 0 };

	file_check(&ck, config, 0);
	return ck.logged ? -1 : 0;
}
