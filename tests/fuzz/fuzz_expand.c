/*
 * fuzz_expand - the link path template expansion.
 *
 * Input: NUL-separated fields "template\0user\0home\0host\0" followed by
 * the bytes of the uid and of an output size (missing fields get
 * ordinary values).  al_expand writes into a heap buffer of exactly that
 * size (so AddressSanitizer sees any byte past it) and must, when it
 * succeeds, return what it promises: an absolute path without empty, "."
 * or ".." components that fits a Unix socket address; on failure it must
 * say why.
 */
#include <string.h>

#include "fuzz_common.h"
#include "expand.h"
#include "sunpath.h"

static void
check_path(const char *p, size_t outsz)
{
	const char *c;
	size_t len = strlen(p);

	FUZZ_ASSERT(len < outsz);
	FUZZ_ASSERT(len <= AL_SUN_PATH_MAX - 1);
	FUZZ_ASSERT(p[0] == '/');
	FUZZ_ASSERT(p[len - 1] != '/');
	FUZZ_ASSERT(strstr(p, "//") == NULL);
	for (c = p; (c = strstr(c, "/.")) != NULL; c++) {
		FUZZ_ASSERT(!(c[2] == '/' || c[2] == '\0'));
		FUZZ_ASSERT(!(c[2] == '.' && (c[3] == '/' || c[3] == '\0')));
	}
}

/* The next NUL-terminated field, or def when the input has run out. */
static const char *
field(const char **p, const char *end, const char *def)
{
	const char *f = *p, *z;

	if (f >= end)
		return def;
	if ((z = memchr(f, '\0', (size_t)(end - f))) == NULL)
		return def;
	*p = z + 1;
	return f;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p, *end, *err;
	struct al_user u;
	char *copy, *out, fixed[AL_SUN_PATH_MAX];
	const char *tmpl, *host;
	size_t outsz = AL_SUN_PATH_MAX;
	unsigned char tail[5] = { 0, 0, 0, 0, 0 };
	int r;

	/* A private copy with a final NUL, so every field is terminated. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	p = copy;
	end = copy + size + 1;
	tmpl = field(&p, end, "~/.ssh/agent-%H.sock");
	u.name = field(&p, end, "alice");
	u.home = field(&p, end, "/home/alice");
	host = field(&p, end, "labhost");
	if (p < copy + size)
		memcpy(tail, p, (size_t)(copy + size - p) < sizeof(tail) ?
		       (size_t)(copy + size - p) : sizeof(tail));
	u.uid = (uid_t)(tail[0] | tail[1] << 8 | tail[2] << 16 |
			(uint32_t)tail[3] << 24);
	u.gid = u.uid;
	if (tail[4] != 0)
		outsz = tail[4];

	err = NULL;
	r = al_expand(tmpl, &u, host, fixed, sizeof(fixed), &err);
	if (r == 0)
		check_path(fixed, sizeof(fixed));
	else
		FUZZ_ASSERT(err != NULL);

	if ((out = malloc(outsz)) != NULL) {
		err = NULL;
		if (al_expand(tmpl, &u, host, out, outsz, &err) == 0)
			check_path(out, outsz);
		else
			FUZZ_ASSERT(err != NULL);
		free(out);
	}

	/* The syntax check with placeholder values. */
	err = NULL;
	if (al_expand_check(tmpl, &err) != 0)
		FUZZ_ASSERT(err != NULL);
	free(copy);
	return 0;
}
