/*
 * log.h - logging (log.c).
 */
#ifndef AGENTLINK_LOG_H
#define AGENTLINK_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <syslog.h>

typedef void (*al_log_fn)(void *arg, int prio, const char *fmt, va_list ap);

struct al_log {
	al_log_fn fn;
	void *arg;
	int debug;
};

void al_log(const struct al_log *lg, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define al_debug(lg, ...) \
	do { if ((lg)->debug) al_log((lg), LOG_DEBUG, __VA_ARGS__); } while (0)
/* A logger that writes "pam_agentlink: ..." lines to stderr. */
void al_log_stderr(void *arg, int prio, const char *fmt, va_list ap);

/* s with every byte that is not printable ASCII (and the backslash) as
 * \xHH, into buf: for what came from the file system, before it is
 * logged.  Returns buf. */
const char *al_esc(const char *s, char *buf, size_t sz);

/* At most sz - 1 bytes of a small file (/proc, a dot file) into buf,
 * NUL-ended: the number of bytes, or -1. */
ssize_t al_read_small(const char *path, char *buf, size_t sz);
/* The same for name in the directory dirfd, not following a symbolic
 * link there (a /proc/<pid> held open: both reads are of one process). */
ssize_t al_read_small_at(int dirfd, const char *name, char *buf, size_t sz);

/* "a/b" into buf; -1 (buf untouched beyond sz) when it does not fit. */
int al_join(char *buf, size_t sz, const char *a, const char *b);

#endif /* AGENTLINK_LOG_H */
