/* log.c - logging through a caller-supplied sink (pam_syslog or stderr). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "log.h"

void
al_log(const struct al_log *lg, int prio, const char *fmt, ...)
{
	va_list ap;

	if (lg == NULL || lg->fn == NULL)
		return;
	va_start(ap, fmt);
	lg->fn(lg->arg, prio, fmt, ap);
	va_end(ap);
}

void
al_log_stderr(void *arg, int prio, const char *fmt, va_list ap)
{
	(void)arg;
	(void)prio;
	fputs("pam_agentlink: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

int
al_join(char *buf, size_t sz, const char *a, const char *b)
{
	size_t al = strlen(a), bl = strlen(b);

	if (al + 1 + bl >= sz)
		return -1;
	memcpy(buf, a, al);
	buf[al] = '/';
	memcpy(buf + al + 1, b, bl + 1);
	return 0;
}

const char *
al_esc(const char *s, char *buf, size_t sz)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	unsigned char c;

	if (sz == 0)
		return buf;
	for (; *s != '\0' && o + 1 < sz; s++) {
		c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			buf[o++] = (char)c;
			continue;
		}
		if (o + 4 >= sz)
			break;
		buf[o++] = '\\';
		buf[o++] = 'x';
		buf[o++] = hex[c >> 4];
		buf[o++] = hex[c & 15];
	}
	buf[o] = '\0';
	return buf;
}

/* fd (consumed) into buf, as al_read_small() says: a /proc file may
 * come in more than one read. */
static ssize_t
read_small(int fd, char *buf, size_t sz)
{
	ssize_t n, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got + 1 < sz) {
		n = read(fd, buf + got, sz - 1 - (size_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			got = -1;	/* half a file is no file */
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	if (got >= 0)
		buf[got] = '\0';
	return got;
}

/* Never blocks on a FIFO, never becomes a controlling terminal. */
#define SMALL_FLAGS (O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)

ssize_t
al_read_small(const char *path, char *buf, size_t sz)
{
	return sz == 0 ? -1 : read_small(open(path, SMALL_FLAGS), buf, sz);
}

ssize_t
al_read_small_at(int dirfd, const char *name, char *buf, size_t sz)
{
	return sz == 0 ? -1 :
	    read_small(openat(dirfd, name, SMALL_FLAGS | O_NOFOLLOW), buf, sz);
}
