/* logcap.h - an al_log for unit tests that keeps what the code logged:
 * each line appended to logged[], newline-ended; reset with
 * logged[0] = '\0'. */
#ifndef LOGCAP_H
#define LOGCAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static char logged[4096];
/* Called after each line, if set: a test's hook on what is logged. */
static void (*logcap_hook)(void);

static void
capture(void *arg, int prio, const char *fmt, va_list ap)
{
	size_t n = strlen(logged);

	(void)arg;
	(void)prio;
	vsnprintf(logged + n, sizeof(logged) - n, fmt, ap);
	n = strlen(logged);
	if (n + 1 < sizeof(logged)) {
		logged[n] = '\n';
		logged[n + 1] = '\0';
	}
	if (logcap_hook != NULL)
		logcap_hook();
}

static const struct al_log lg = { capture, NULL, 0 };

#endif
