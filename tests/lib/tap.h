/* tap.h - a few lines of TAP (Test Anything Protocol) for C tests. */
#ifndef TAP_H
#define TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline int __attribute__((format(printf, 2, 3)))
tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

#define ok(cond, ...) \
	(tap_ok((cond), __VA_ARGS__) ? 1 : \
	 (printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond), 0))

static inline const char *
tap_str(const char *s)
{
	return s ? s : "(null)";
}

#define is_str(got, want, ...) \
	(tap_ok(tap_str(got) == (got) && strcmp(tap_str(got), (want)) == 0, \
		__VA_ARGS__) ? 1 : \
	 (printf("#   got \"%s\", want \"%s\" at %s:%d\n", tap_str(got), \
		 (want), __FILE__, __LINE__), 0))

#define is_int(got, want, ...) \
	(tap_ok((long)(got) == (long)(want), __VA_ARGS__) ? 1 : \
	 (printf("#   got %ld, want %ld at %s:%d\n", (long)(got), (long)(want), \
		 __FILE__, __LINE__), 0))

static inline void
diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
