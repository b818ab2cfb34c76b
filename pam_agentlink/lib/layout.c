/*
 * layout.c - where sshd puts forwarded agent sockets, as data.
 *
 * A place is one AgentSocketPath value of sshd (OpenSSH 10.6):
 * user:PATH puts each connection's socket directly in PATH, shared:DIR
 * in a fresh DIR/ssh-XXXXXXXXXXXX of its own.  Older versions behave as
 * one fixed place: up to 10.0 as shared:/tmp, 10.1 to 10.5 as
 * user:.ssh/agent.  A layout is one name form a socket can have in a
 * place of its kind.  Discovery, the watch and cleanup read this table;
 * a new layout is one more row.
 */
#include <ctype.h>
#include <string.h>

#include "cfg.h"
#include "expand.h"
#include "layout.h"
#include "log.h"

/*
 * Forms: %H this host's hash (names in a home shared over NFS carry it),
 * %P a pid (the connection's unprivileged sshd process), %R<n> n random
 * characters from mkdtemp()'s or OpenSSH's alphabet; the rest is literal.
 */
const struct al_layout al_layouts[] = {
	{ "OpenSSH up to 10.0", AL_PLACE_SHARED, "ssh-%R10", "agent.%P" },
	{ "OpenSSH 10.6 shared:", AL_PLACE_SHARED, "ssh-%R12", "agent.sshd.%P" },
	{ "OpenSSH 10.1 to 10.5", AL_PLACE_USER, NULL, "s.%H.sshd.%R10" },
	{ "OpenSSH 10.6 user:", AL_PLACE_USER, NULL, "s.%H.sshd.%P.%R10" },
};
const size_t al_nlayouts = sizeof(al_layouts) / sizeof(al_layouts[0]);

/* A pid: no leading zero, at most 8 digits (pid_max is at most 2^22). */
static const char *
match_pid(const char *s, pid_t *pid)
{
	long v = 0;
	int n = 0;

	if (*s < '1' || *s > '9')
		return NULL;
	for (; isdigit((unsigned char)*s); s++, n++) {
		if (n == 8)
			return NULL;
		v = v * 10 + (*s - '0');
	}
	*pid = (pid_t)v;
	return s;
}

/* 1 when name matches form entirely; *pid gets what %P matched. */
static int
match_form(const char *form, const char *name, const char *hosthash,
	   pid_t *pid)
{
	const char *f = form, *s = name;
	size_t n, i;

	*pid = 0;
	while (*f != '\0') {
		if (f[0] != '%') {
			if (*s++ != *f++)
				return 0;
			continue;
		}
		switch (f[1]) {
		case 'H':
			n = strlen(hosthash);
			if (n == 0 || strncmp(s, hosthash, n) != 0)
				return 0;
			s += n;
			f += 2;
			break;
		case 'P':
			if ((s = match_pid(s, pid)) == NULL)
				return 0;
			f += 2;
			break;
		case 'R':
			f += 2;
			for (n = 0; isdigit((unsigned char)*f); f++)
				n = n * 10 + (size_t)(*f - '0');
			for (i = 0; i < n; i++, s++)
				if (!isalnum((unsigned char)*s))
					return 0;
			break;
		default:
			return 0;
		}
	}
	return *s == '\0';
}

int
al_layout_match_name(enum al_place_kind kind, int layout, const char *name,
		     const char *hosthash, pid_t *pid)
{
	size_t i;

	for (i = 0; i < al_nlayouts; i++) {
		if (al_layouts[i].kind != kind || (layout >= 0 && (size_t)layout != i))
			continue;
		if (match_form(al_layouts[i].name_form, name, hosthash, pid))
			return (int)i;
	}
	return -1;
}

int
al_layout_match_dir(const char *name)
{
	size_t i;
	pid_t unused;

	for (i = 0; i < al_nlayouts; i++)
		if (al_layouts[i].dir_form != NULL &&
		    match_form(al_layouts[i].dir_form, name, "", &unused))
			return (int)i;
	return -1;
}

/* ---- AgentSocketPath values ---- */

/* The next word of spec (separated by spaces or commas) into word. */
static const char *
next_word(const char *p, char *word, size_t wsz, int *toolong)
{
	size_t n;

	*toolong = 0;
	p += strspn(p, " \t,");
	n = strcspn(p, " \t,");
	if (n == 0)
		return NULL;
	if (n >= wsz)
		*toolong = 1;
	else {
		memcpy(word, p, n);
		word[n] = '\0';
	}
	return p + n;
}

/* Splits "user:PATH" or "shared:DIR"; a relative user: PATH is below
 * the home, as sshd has it.  tmpl gets a template for al_expand(). */
static const char *
place_word(const char *word, enum al_place_kind *kind, char *tmpl, size_t tsz)
{
	const char *path;

	if (strncmp(word, "user:", 5) == 0) {
		*kind = AL_PLACE_USER;
		path = word + 5;
	} else if (strncmp(word, "shared:", 7) == 0) {
		*kind = AL_PLACE_SHARED;
		path = word + 7;
		if (path[0] != '/')
			return "shared: needs an absolute directory";
	} else {
		return "expected user:PATH or shared:DIR";
	}
	if (path[0] == '\0')
		return "empty path";
	if (path[0] == '/' || path[0] == '~' || strncmp(path, "%h", 2) == 0) {
		if (strlen(path) >= tsz)
			return "too long";
		strcpy(tmpl, path);
	} else {
		if (strlen(path) + 3 >= tsz)
			return "too long";
		strcpy(tmpl, "%h/");
		strcat(tmpl, path);
	}
	return NULL;
}

int
al_places_check(const char *spec, const char **err)
{
	char word[AL_TEMPLATE_MAX], tmpl[AL_TEMPLATE_MAX + 4];
	enum al_place_kind kind;
	const char *p = spec;
	int toolong;
	size_t n = 0;

	*err = NULL;
	while ((p = next_word(p, word, sizeof(word), &toolong)) != NULL) {
		if (toolong) {
			*err = "a value is too long";
			return -1;
		}
		if (++n > AL_PLACES_MAX) {
			*err = "more than 8 values";
			return -1;
		}
		if ((*err = place_word(word, &kind, tmpl, sizeof(tmpl))) != NULL ||
		    al_expand_check(tmpl, err) != 0)
			return -1;
	}
	if (n == 0) {
		*err = "expected user:PATH or shared:DIR";
		return -1;
	}
	return 0;
}

size_t
al_home_prefix(const char *home, const char *path, size_t len)
{
	size_t hl = strlen(home);

	while (hl > 1 && home[hl - 1] == '/')
		hl--;
	if (hl <= 1 || len < hl || strncmp(path, home, hl) != 0 ||
	    (len > hl && path[hl] != '/'))
		return 0;
	return hl;
}

size_t
al_places_expand(const char *spec, const struct al_user *user,
		 struct al_place *out, size_t max, const struct al_log *lg)
{
	char word[AL_TEMPLATE_MAX], tmpl[AL_TEMPLATE_MAX + 4];
	const char *p = spec, *err;
	struct al_place *pl;
	int toolong;
	size_t n = 0;

	while (n < max && (p = next_word(p, word, sizeof(word), &toolong)) != NULL) {
		pl = &out[n];
		if (toolong)
			continue;		/* refused by al_places_check() */
		if ((err = place_word(word, &pl->kind, tmpl, sizeof(tmpl))) != NULL ||
		    al_expand(tmpl, user, "", pl->dir, sizeof(pl->dir), &err) != 0) {
			al_log(lg, LOG_ERR, "option agentsocketpath: \"%s\" for user "
			       "%s: %s; not looking there", word, user->name, err);
			continue;
		}
		pl->in_home = al_home_prefix(user->home, pl->dir,
					     strlen(pl->dir)) > 0;
		n++;
	}
	return n;
}
