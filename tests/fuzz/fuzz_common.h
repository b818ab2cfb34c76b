/* fuzz_common.h - shared by the libFuzzer harnesses. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A sink that formats every message (so the sanitizers see each format
 * and argument) and throws it away. */
static void
fuzz_log_sink(void *arg, int prio, const char *fmt, va_list ap)
{
	char buf[2048];

	(void)arg;
	(void)prio;
	vsnprintf(buf, sizeof(buf), fmt, ap);
}

static const struct al_log fuzz_log = { fuzz_log_sink, NULL, 1 };

/* An invariant the code promises did not hold: a crash for libFuzzer. */
#define FUZZ_ASSERT(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "invariant failed at %s:%d: %s\n", __FILE__, \
			__LINE__, #cond); \
		abort(); \
	} \
} while (0)

#endif
