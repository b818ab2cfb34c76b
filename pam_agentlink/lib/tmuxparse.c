/*
 * tmuxparse.c - the pure part of agentlink tmux: reading what tmux,
 * the environment and /proc say, and naming session links.  Nothing here
 * makes a system call, so that tests/unit/test_tmuxparse can try every
 * odd input; all of it comes from outside and is bounded and checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmuxparse.h"

/*
 * A decimal number of at most 18 digits, no sign, no leading zero but
 * "0" itself, running to the end of s or to stop.  Its end, or NULL.
 */
static const char *
number(const char *s, char stop, long long *out)
{
	long long v = 0;
	size_t n = 0;

	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return NULL;
	for (; s[n] >= '0' && s[n] <= '9'; n++) {
		if (n == 18)
			return NULL;
		v = v * 10 + (s[n] - '0');
	}
	if (n == 0 || s[n] != stop)
		return NULL;
	*out = v;
	return s + n;
}

/* "$N" ended by stop: a tmux session id. */
static const char *
session_id(const char *s, char stop, long *sid)
{
	long long v;

	if (s[0] != '$' || (s = number(s + 1, stop, &v)) == NULL || v > TM_ID_MAX)
		return NULL;
	*sid = (long)v;
	return s;
}

static const char *
pid_field(const char *s, char stop, long *pid)
{
	long long v;

	if ((s = number(s, stop, &v)) == NULL || v < 1 || v > TM_PID_MAX)
		return NULL;
	*pid = (long)v;
	return s;
}

int
tm_parse_pid(const char *s, long *pid)
{
	return pid_field(s, '\0', pid) == NULL ? -1 : 0;
}

int
tm_parse_line(const char *line, struct tm_line *out)
{
	const char *p = line + 2;
	long long act;

	memset(out, 0, sizeof(*out));
	if (strncmp(line, "S ", 2) == 0) {
		out->kind = TM_LINE_SESSION;
		if ((p = session_id(p, ' ', &out->sid)) == NULL ||
		    pid_field(p + 1, '\0', &out->pid) == NULL)
			return -1;
		return 0;
	}
	if (strncmp(line, "C ", 2) != 0)
		return -1;
	out->kind = TM_LINE_CLIENT;
	if ((p = pid_field(p, ' ', &out->pid)) == NULL ||
	    (p = session_id(p + 1, ' ', &out->sid)) == NULL ||
	    number(p + 1, '\0', &act) == NULL)
		return -1;
	out->activity = act;
	return 0;
}

int
tm_parse_tmux_env(const char *tmux, char *sock, size_t sz, long *srvpid,
		  long *sid)
{
	const char *last, *mid;
	long long v;
	size_t n;

	/* "SOCKET,PID,ID": the socket's path may hold commas itself. */
	if ((last = strrchr(tmux, ',')) == NULL || last == tmux)
		return -1;
	for (mid = last - 1; mid > tmux && *mid != ','; mid--)
		;
	if (*mid != ',' || number(last + 1, '\0', &v) == NULL || v > TM_ID_MAX)
		return -1;
	*sid = (long)v;
	if (number(mid + 1, ',', &v) == NULL || v < 1 || v > TM_PID_MAX)
		return -1;
	*srvpid = (long)v;
	n = (size_t)(mid - tmux);
	if (tmux[0] != '/' || n >= sz)
		return -1;
	memcpy(sock, tmux, n);
	sock[n] = '\0';
	return 0;
}

const char *
tm_environ_get(const char *buf, size_t len, const char *name)
{
	size_t nl = strlen(name), i = 0, n;

	/* "NAME=value\0..."; the last string counts only when ended. */
	while (i < len) {
		n = strnlen(buf + i, len - i);
		if (i + n == len)
			return NULL;
		if (n > nl && strncmp(buf + i, name, nl) == 0 && buf[i + nl] == '=')
			return buf + i + nl + 1;
		i += n + 1;
	}
	return NULL;
}

int
tm_link_path(const char *host_link, long srvpid, long sid, char *out,
	     size_t sz)
{
	int n = snprintf(out, sz, "%s%s%ld-%ld", host_link, TM_LINK_SUFFIX,
			 srvpid, sid);

	/* It must fit a Unix socket address, as the host link does. */
	return n < 0 || (size_t)n >= sz || n >= TM_SUN_PATH_MAX ? -1 : 0;
}

int
tm_link_name_parse(const char *name, const char *base, long *srvpid,
		   long *sid)
{
	size_t bl = strlen(base), sl = strlen(TM_LINK_SUFFIX);
	const char *p;
	long long v;

	if (strncmp(name, base, bl) != 0 ||
	    strncmp(name + bl, TM_LINK_SUFFIX, sl) != 0)
		return -1;
	p = name + bl + sl;
	if ((p = pid_field(p, '-', srvpid)) == NULL ||
	    number(p + 1, '\0', &v) == NULL || v > TM_ID_MAX)
		return -1;
	*sid = (long)v;
	return 0;
}
