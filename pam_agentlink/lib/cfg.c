/*
 * cfg.c - options from the PAM line and from /etc/security/agentlink.conf.
 *
 * A bad option or value is logged with its name and origin and leaves the
 * setting at its default: a typo must never lock anybody out.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "expand.h"
#include "layout.h"
#include "log.h"

#define AL_CONF_MAX_SIZE (64 * 1024)
#define AL_CONF_LINE_MAX 1024

void
al_cfg_defaults(struct al_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->link, AL_DEFAULT_LINK);
	strcpy(cfg->env, AL_DEFAULT_ENV);
	strcpy(cfg->conf, AL_DEFAULT_CONF);
	strcpy(cfg->sockpath, AL_DEFAULT_SOCKPATH);
	cfg->policy = AL_POLICY_KEEP;
	cfg->wait = AL_DEFAULT_WAIT;
	cfg->probe_ms = AL_DEFAULT_PROBE_MS;
	cfg->cleanup = 1;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		 strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

static int
env_name_ok(const char *v)
{
	size_t i;

	if (v[0] == '\0' || strlen(v) >= AL_ENV_MAX || isdigit((unsigned char)v[0]))
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '_')
			return 0;
	return 1;
}

/* A comma-separated list of PAM service names. */
static int
services_ok(const char *v)
{
	size_t i;

	if (strlen(v) >= AL_SERVICES_MAX)
		return 0;
	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && strchr(",._-", v[i]) == NULL)
			return 0;
	return 1;
}

int
al_parse_uint(const char *v, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)v[0]))
		return -1;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || n > max)
		return -1;
	*out = (unsigned)n;
	return 0;
}

static int
bad_value(const struct al_log *lg, const char *origin, const char *key,
	  const char *val, const char *why)
{
	al_log(lg, LOG_ERR, "%s: bad value \"%s\" for option %s (%s); "
	       "using the default", origin, val, key, why);
	return -1;
}

static const char *const policy_names[] = {
	[AL_POLICY_KEEP] = "keep",
	[AL_POLICY_NEWEST] = "newest",
	[AL_POLICY_INTERACTIVE] = "interactive",
};

const char *
al_policy_name(enum al_policy policy)
{
	if ((size_t)policy >= sizeof(policy_names) / sizeof(policy_names[0]))
		return "keep";
	return policy_names[policy];
}

int
al_policy_parse(const char *word, enum al_policy *policy)
{
	size_t i;

	for (i = 0; i < sizeof(policy_names) / sizeof(policy_names[0]); i++)
		if (strcmp(word, policy_names[i]) == 0) {
			*policy = (enum al_policy)i;
			return 0;
		}
	return -1;
}

int
al_cfg_set(struct al_cfg *cfg, const char *opt, const char *origin,
	   const struct al_log *lg)
{
	const char *eq = strchr(opt, '=');
	const char *val = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - opt) : strlen(opt);
	const char *err;
	int b;

#define KEY(name) (klen == sizeof(name) - 1 && strncmp(opt, name, klen) == 0)
	if (KEY("debug")) {
		if (val == NULL) {
			cfg->debug = 1;
			return 0;
		}
		if (parse_bool(val, &b) != 0)
			return bad_value(lg, origin, "debug", val, "expected yes or no");
		cfg->debug = b;
		return 0;
	}
	if (val == NULL) {
		al_log(lg, LOG_ERR, "%s: unknown option \"%s\" ignored", origin, opt);
		return -1;
	}
	if (KEY("link")) {
		if (strlen(val) >= sizeof(cfg->link))
			return bad_value(lg, origin, "link", val, "too long");
		if (al_expand_check(val, &err) != 0)
			return bad_value(lg, origin, "link", val, err);
		strcpy(cfg->link, val);
	} else if (KEY("env")) {
		if (strcmp(val, "none") == 0)
			cfg->env[0] = '\0';
		else if (!env_name_ok(val))
			return bad_value(lg, origin, "env", val,
					 "expected a variable name or none");
		else
			strcpy(cfg->env, val);
	} else if (KEY("policy")) {
		if (al_policy_parse(val, &cfg->policy) != 0)
			return bad_value(lg, origin, "policy", val,
					 "expected keep, newest or interactive");
	} else if (KEY("wait")) {
		if (al_parse_uint(val, AL_MAX_WAIT, &cfg->wait) != 0)
			return bad_value(lg, origin, "wait", val,
					 "expected whole seconds from 0 to 600");
	} else if (KEY("probe")) {
		if (al_parse_uint(val, AL_MAX_PROBE_MS, &cfg->probe_ms) != 0)
			return bad_value(lg, origin, "probe", val,
					 "expected milliseconds from 0 to 10000");
	} else if (KEY("cleanup")) {
		if (parse_bool(val, &b) != 0)
			return bad_value(lg, origin, "cleanup", val,
					 "expected yes or no");
		cfg->cleanup = b;
	} else if (KEY("services")) {
		if (!services_ok(val))
			return bad_value(lg, origin, "services", val,
					 "expected a comma-separated list of PAM service names");
		strcpy(cfg->services, val);
	} else if (KEY("agentsocketpath")) {
		if (strlen(val) >= sizeof(cfg->sockpath))
			return bad_value(lg, origin, "agentsocketpath", val,
					 "too long");
		if (al_places_check(val, &err) != 0)
			return bad_value(lg, origin, "agentsocketpath", val, err);
		strcpy(cfg->sockpath, val);
	} else if (KEY("conf")) {
		if (val[0] != '/' || strlen(val) >= sizeof(cfg->conf))
			return bad_value(lg, origin, "conf", val,
					 "expected an absolute path");
		strcpy(cfg->conf, val);
	} else {
		al_log(lg, LOG_ERR, "%s: unknown option \"%.*s\" ignored",
		       origin, (int)klen, opt);
		return -1;
	}
#undef KEY
	return 0;
}

static void
trim(char **s, char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* Handles one line, [s, e); "key = value" is read as "key=value". */
static void
parse_line(struct al_cfg *cfg, char *s, char *e, const char *origin,
	   const struct al_log *lg)
{
	char opt[AL_CONF_LINE_MAX + 1];
	char *eq, *ke, *vs;

	trim(&s, &e);
	if (s == e || *s == '#')
		return;
	eq = memchr(s, '=', (size_t)(e - s));
	if (eq == NULL) {
		snprintf(opt, sizeof(opt), "%.*s", (int)(e - s), s);
	} else {
		ke = eq;
		vs = eq + 1;
		trim(&s, &ke);
		trim(&vs, &e);
		snprintf(opt, sizeof(opt), "%.*s=%.*s", (int)(ke - s), s,
			 (int)(e - vs), vs);
	}
	if (strncmp(opt, "conf=", 5) == 0) {
		al_log(lg, LOG_ERR, "%s: option conf is only read from the PAM line; ignored",
		       origin);
		return;
	}
	al_cfg_set(cfg, opt, origin, lg);
}

void
al_cfg_parse_text(struct al_cfg *cfg, const char *text, size_t len,
		  const char *name, const struct al_log *lg)
{
	char line[AL_CONF_LINE_MAX + 1], origin[AL_TEMPLATE_MAX + 32];
	size_t pos = 0, n;
	unsigned lineno = 0;
	const char *nl;

	while (pos < len) {
		nl = memchr(text + pos, '\n', len - pos);
		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lineno++;
		snprintf(origin, sizeof(origin), "%s line %u", name, lineno);
		if (n > AL_CONF_LINE_MAX) {
			al_log(lg, LOG_ERR, "%s: line too long; ignored", origin);
		} else if (memchr(text + pos, '\0', n) != NULL) {
			al_log(lg, LOG_ERR, "%s: NUL byte in line; ignored", origin);
		} else {
			memcpy(line, text + pos, n);
			line[n] = '\0';
			parse_line(cfg, line, line + n, origin, lg);
		}
		pos += n + 1;
	}
}

int
al_cfg_load_file(struct al_cfg *cfg, const char *path, int must_exist,
		 const struct al_log *lg)
{
	struct stat st;
	char *buf;
	ssize_t r;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno != ENOENT || must_exist)
			al_log(lg, LOG_ERR, "config file %s: %m; using defaults", path);
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		al_log(lg, LOG_ERR, "config file %s: not a regular file; ignored", path);
		close(fd);
		return -1;
	}
	if ((st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		al_log(lg, LOG_ERR, "config file %s: owned by uid %u or writable by "
		       "group or others; ignored", path, (unsigned)st.st_uid);
		close(fd);
		return -1;
	}
	if (st.st_size > AL_CONF_MAX_SIZE) {
		al_log(lg, LOG_ERR, "config file %s: larger than %d bytes; ignored",
		       path, AL_CONF_MAX_SIZE);
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return -1;
	}
	while (got < (size_t)st.st_size) {
		r = read(fd, buf + got, (size_t)st.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	al_cfg_parse_text(cfg, buf, got, path, lg);
	free(buf);
	return 0;
}

void
al_cfg_load(struct al_cfg *cfg, int argc, const char **argv,
	    const struct al_log *lg)
{
	int i, explicit = 0;

	al_cfg_defaults(cfg);
	/* conf= and debug first, so that the right file is read and its
	 * problems are reported at the right level. */
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0)
			explicit = al_cfg_set(cfg, argv[i], "PAM argument", lg) == 0;
		else if (strcmp(argv[i], "debug") == 0)
			cfg->debug = 1;
	}
	al_cfg_load_file(cfg, cfg->conf, explicit, lg);
	/* Options on the PAM line win over the file. */
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "conf=", 5) != 0)
			al_cfg_set(cfg, argv[i], "PAM argument", lg);
}

int
al_cfg_service_listed(const struct al_cfg *cfg, const char *service)
{
	const char *p = cfg->services, *comma;
	size_t n, len;

	if (service == NULL || *service == '\0')
		return 0;
	len = strlen(service);
	while (*p != '\0') {
		comma = strchr(p, ',');
		n = comma ? (size_t)(comma - p) : strlen(p);
		if (n == len && strncmp(p, service, n) == 0)
			return 1;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}
