/* probe.c - is anything listening on a Unix socket path? */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "agentlink.h"

/*
 * A non-blocking connect() answers at once: a listener accepts (or has a
 * full backlog, EAGAIN: still alive), a socket file without one refuses.
 * The file test sshd's folk scripts use ([ -S ]) cannot tell the two apart.
 */
int
al_probe(const char *path)
{
	struct sockaddr_un sun;
	size_t len = strlen(path);
	int fd, r, saved;

	if (len >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	do {
		r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	} while (r != 0 && errno == EINTR);
	saved = errno;
	close(fd);
	if (r == 0 || saved == EAGAIN || saved == EINPROGRESS)
		return 1;
	errno = saved;
	return saved == ECONNREFUSED ? 0 : -1;
}
