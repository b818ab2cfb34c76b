/*
 * fuzz_diag - the parser of the kernel's list of listening Unix sockets.
 *
 * Input: the bytes of one received buffer (request sequence number 0,
 * the user uid 1000).  al_diag_parse() reads a heap copy of exactly that
 * size (so AddressSanitizer sees any byte past it) and must hand on only
 * what it promises: a path name, NUL-ended, shorter than a Unix socket
 * address, of the user's or without an owner; and say why it failed.
 */
#include <errno.h>
#include <string.h>

#include "fuzz_common.h"
#include "diag.h"
#include "sunpath.h"

static int
check(void *arg, const struct al_diag_rec *r)
{
	size_t *n = arg;

	FUZZ_ASSERT(r->has_name);
	FUZZ_ASSERT(memchr(r->name, '\0', sizeof(r->name)) != NULL);
	FUZZ_ASSERT(r->name[0] != '\0');
	FUZZ_ASSERT(strlen(r->name) < AL_SUN_PATH_MAX);
	FUZZ_ASSERT(!r->has_uid || r->uid == 1000);
	(*n)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_diag_parse st;
	unsigned char *copy;
	size_t handed = 0;
	int r;

	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(&st, 0, sizeof(st));
	st.uid = 1000;
	st.max = 64;
	st.fn = check;
	st.arg = &handed;
	errno = 0;
	r = al_diag_parse(&st, copy, size);
	FUZZ_ASSERT(r == AL_DIAG_ERR || r == AL_DIAG_DONE || r == AL_DIAG_MORE ||
		    r == AL_DIAG_FULL || r == AL_DIAG_TIME);
	FUZZ_ASSERT(r != AL_DIAG_ERR || errno != 0);
	/* Handed on: the user's, counted in seen, and those of no owner. */
	FUZZ_ASSERT(st.seen <= st.max && st.seen <= handed &&
		    handed <= st.all && st.all <= AL_DIAG_RECORDS_MAX);
	free(copy);
	return 0;
}
