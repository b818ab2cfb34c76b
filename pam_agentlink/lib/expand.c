/*
 * expand.c - the link path template: ~ and %h (home), %u (user), %U (uid),
 * %H (short host name), %%.
 */
#include <stdio.h>
#include <string.h>

#include "cfg.h"
#include "expand.h"
#include "sunpath.h"

static int
append(char *out, size_t outsz, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n >= outsz)
		return -1;
	memcpy(out + *len, s, n + 1);
	*len += n;
	return 0;
}

/* Absolute, no empty, "." or ".." component, no trailing slash. */
static const char *
path_problem(const char *p)
{
	const char *c = p, *e;
	size_t n;

	if (p[0] != '/')
		return "not an absolute path";
	while (*c == '/') {
		c++;
		e = strchr(c, '/');
		n = e ? (size_t)(e - c) : strlen(c);
		if (n == 0)
			return e ? "empty path component" : "ends with a slash";
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return "contains a . or .. component";
		c += n;
	}
	return NULL;
}

static const char too_long[] = "longer than a Unix socket address (107 bytes)";

static int
expand(const char *tmpl, const struct al_user *user, const char *shorthost,
       char *out, size_t outsz, size_t maxlen, const char **err)
{
	char num[24];
	size_t len = 0;
	const char *p = tmpl, *add;
	char one[2] = { 0, 0 };

	*err = NULL;
	if (outsz == 0)
		return -1;
	out[0] = '\0';
	if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
		if (append(out, outsz, &len, user->home) != 0)
			goto toolong;
		p++;
	}
	for (; *p != '\0'; p++) {
		if (*p != '%') {
			one[0] = *p;
			add = one;
		} else {
			switch (*++p) {
			case 'h': add = user->home; break;
			case 'u': add = user->name; break;
			case 'H': add = shorthost; break;
			case '%': add = "%"; break;
			case 'U':
				snprintf(num, sizeof(num), "%lu",
					 (unsigned long)user->uid);
				add = num;
				break;
			case '\0':
				*err = "ends with a lone %";
				return -1;
			default:
				*err = "unknown % token (known: %h %u %U %H %%)";
				return -1;
			}
			/* A name with a slash would step into another directory. */
			if ((p[0] == 'u' || p[0] == 'H') && strchr(add, '/') != NULL) {
				*err = "user or host name contains a slash";
				return -1;
			}
		}
		if (append(out, outsz, &len, add) != 0)
			goto toolong;
	}
	if ((*err = path_problem(out)) != NULL)
		return -1;
	if (len > maxlen)
		goto toolong;
	return 0;
toolong:
	*err = too_long;
	return -1;
}

int
al_expand(const char *tmpl, const struct al_user *user, const char *shorthost,
	  char *out, size_t outsz, const char **err)
{
	return expand(tmpl, user, shorthost, out, outsz, AL_SUN_PATH_MAX - 1, err);
}

int
al_expand_check(const char *tmpl, const char **err)
{
	static const struct al_user probe = { "user", 1000, 1000, "/home/user" };
	char out[AL_TEMPLATE_MAX * 4];

	/* Syntax only: the length is checked with each user's real values. */
	return expand(tmpl, &probe, "host", out, sizeof(out), sizeof(out), err);
}
