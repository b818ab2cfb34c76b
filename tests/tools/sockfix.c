/*
 * sockfix - a real listening Unix socket for shell tests.
 *
 *   sockfix PATH [UID[:GID]]
 *
 * Binds and listens on PATH, made by and given to UID:GID, prints "ready" once it
 * accepts connections, and answers like an agent: each connection's first
 * request gets SSH_AGENT_SUCCESS, then it is closed.  It prints
 * "accepted" for each connection, so a test can count them.  It does so until its
 * standard input reaches end of file or it gets SIGTERM, then exits
 * WITHOUT removing PATH (what a killed sshd leaves behind).  Kill it with
 * SIGKILL for the same effect.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Answers one request on c (waiting at most a second for it), closes c. */
static void
answer(int c)
{
	static const unsigned char success[5] = { 0, 0, 0, 1, 6 };
	struct pollfd p = { c, POLLIN, 0 };
	unsigned char req[256];

	if (poll(&p, 1, 1000) == 1 && read(c, req, sizeof(req)) > 0)
		(void)!send(c, success, sizeof(success), MSG_NOSIGNAL);
	close(c);
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct pollfd pfd[2];
	unsigned long uid = (unsigned long)-1, gid = (unsigned long)-1;
	char *end;
	int fd, c;

	if (argc < 2 || argc > 3 || strlen(argv[1]) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "usage: sockfix PATH [UID[:GID]]\n");
		return 2;
	}
	if (argc == 3) {
		uid = strtoul(argv[2], &end, 10);
		gid = *end == ':' ? strtoul(end + 1, NULL, 10) : uid;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, argv[1]);
	/* The kernel's list of listening sockets names the owner a socket
	 * was made by, as sshd makes a user's: make it as UID. */
	if (argc == 3)
		(void)setfsuid((uid_t)uid);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (argc == 3)
		(void)setfsuid(geteuid());
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		perror(argv[1]);
		return 1;
	}
	if (argc == 3 && lchown(argv[1], (uid_t)uid, (gid_t)gid) != 0) {
		perror("lchown");
		return 1;
	}
	if (listen(fd, 64) != 0) {
		perror("listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	pfd[0].fd = fd;
	pfd[0].events = POLLIN;
	pfd[1].fd = STDIN_FILENO;
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			if ((c = accept(fd, NULL, NULL)) >= 0) {
				printf("accepted\n");
				fflush(stdout);
				answer(c);
			}
		}
		if (pfd[1].revents & (POLLIN | POLLHUP)) {
			char b[64];

			if (read(STDIN_FILENO, b, sizeof(b)) <= 0)
				return 0;
		}
	}
}
