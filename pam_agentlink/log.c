/* log.c - logging through a caller-supplied sink (pam_syslog or stderr). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "agentlink.h"

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

ssize_t
al_read_small(const char *path, char *buf, size_t sz)
{
	ssize_t n;
	int fd;

	/* Never blocks on a FIFO, never becomes a controlling terminal. */
	if (sz == 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return -1;
	do {
		n = read(fd, buf, sz - 1);
	} while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}
