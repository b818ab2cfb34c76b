/* unixsock.h - a real Unix stream socket for C tests. */
#ifndef UNIXSOCK_H
#define UNIXSOCK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/*
 * A socket bound at path (close it to leave a dead one), listening with
 * backlog, or only bound when backlog is negative.  A fixture that cannot
 * be made bails the test out.
 */
static inline int
unixsock_at(const char *path, int backlog)
{
	struct sockaddr_un sun;
	size_t n = strlen(path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (n >= sizeof(sun.sun_path))
		errno = ENAMETOOLONG;
	else
		memcpy(sun.sun_path, path, n);
	if (fd < 0 || n >= sizeof(sun.sun_path) ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    (backlog >= 0 && listen(fd, backlog) != 0)) {
		printf("Bail out! socket at %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

#endif /* UNIXSOCK_H */
