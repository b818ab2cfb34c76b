/*
 * agents.c - the fake agents.  The module (unless probe=0) asks each
 * socket it judges SSH_AGENTC_EXTENSION "query", and a socket that only
 * accepts is a hung agent to it; so every agent socket of the bench is
 * served here, answering or hung, by a forked child (agents_start(),
 * or agent_serve() in a child of the caller's).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"

/* A listening socket at path, given to alice. */
int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		die("socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	/* Made by alice, as sshd makes hers: the kernel's list of listening
	 * sockets names that owner. */
	(void)setfsuid(alice.pw_uid);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	(void)setfsuid(geteuid());
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    lchown(path, alice.pw_uid, alice.pw_gid) != 0 || listen(fd, 128) != 0)
		die("listen on %s: %m", path);
	return fd;
}

/* The module asks at most 8 sockets at once and a watch holds one
 * connection to a hung agent: far fewer than this at a time. */
#define AGENT_CONNS 64

struct agent_conn {
	int fd;
	enum agent_mode mode;
	unsigned char len[4];		/* the request's length as it arrives */
	size_t got;			/* bytes of len[] so far */
	uint32_t left;			/* bytes of its body still to come */
};

static uint32_t
be32(const unsigned char b[4])
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | b[3];
}

/* One whole request is in: answer it (or not). */
static int
agent_reply(const struct agent_conn *c)
{
	static const unsigned char success[5] = { 0, 0, 0, 1, 6 };

	if (c->mode == AGENT_HANGS)
		return 0;
	/* Five bytes into an empty socket buffer: never partial. */
	return send(c->fd, success, sizeof(success), MSG_NOSIGNAL | MSG_DONTWAIT) ==
	    (ssize_t)sizeof(success) ? 0 : -1;
}

/* Takes what has arrived, request by request (a length, then that many
 * bytes), as an agent reads them.  -1 when the peer is gone. */
static int
agent_read(struct agent_conn *c)
{
	unsigned char buf[512];
	ssize_t r, i = 0, take;

	do {
		r = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	if (r <= 0)
		return -1;
	while (i < r) {
		if (c->got < sizeof(c->len)) {
			c->len[c->got++] = buf[i++];
			if (c->got == sizeof(c->len))
				c->left = be32(c->len);
		} else {
			take = r - i < (ssize_t)c->left ? r - i : (ssize_t)c->left;
			c->left -= (uint32_t)take;
			i += take;
		}
		if (c->got == sizeof(c->len) && c->left == 0) {
			c->got = 0;
			if (agent_reply(c) != 0)
				return -1;
		}
	}
	return 0;
}

static void
agent_accept(struct agent_server *s, size_t l, struct agent_conn *conn,
	     size_t *nc)
{
	int fd;

	while ((fd = accept4(s->lfd[l], NULL, NULL,
			     SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (*nc == AGENT_CONNS) {
			close(fd);
			s->dropped++;
			continue;
		}
		memset(&conn[*nc], 0, sizeof(conn[*nc]));
		conn[*nc].fd = fd;
		conn[*nc].mode = s->mode[l];
		(*nc)++;
	}
}

/* Serves s's sockets, every connection at once, in a forked child. */
void
agent_serve(struct agent_server *s)
{
	struct pollfd p[AGENT_LISTEN + 1 + AGENT_CONNS];
	struct agent_conn conn[AGENT_CONNS];
	size_t i, nc = 0, base = s->n + 1;

	for (i = 0; i < s->n; i++) {
		p[i].fd = s->lfd[i];
		p[i].events = POLLIN;
	}
	p[s->n].fd = s->stop;
	p[s->n].events = POLLIN;
	for (;;) {
		for (i = 0; i < nc; i++) {
			p[base + i].fd = conn[i].fd;
			p[base + i].events = POLLIN;
		}
		if (poll(p, base + nc, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[s->n].revents)
			break;
		/* Backwards: a closed connection's slot takes the last one,
		 * already handled. */
		for (i = nc; i-- > 0;)
			if (p[base + i].revents && agent_read(&conn[i]) != 0) {
				close(conn[i].fd);
				conn[i] = conn[--nc];
			}
		for (i = 0; i < s->n; i++)
			if (p[i].revents & POLLIN)
				agent_accept(s, i, conn, &nc);
	}
	while (nc > 0)
		close(conn[--nc].fd);
}

/*
 * Serves a's sockets from a child process: in sshd the agent socket is
 * served by the connection's own sshd process, never by the monitor the
 * module runs in, so this process stays single-threaded as the monitor
 * is (a thread here would add cross-CPU TLB flushes to every munmap the
 * module's transaction makes, which sshd never pays).
 */
void
agents_start(struct agents *a)
{
	if (pipe2(a->stop, O_CLOEXEC) != 0)
		die("pipe: %m");
	a->s.stop = a->stop[0];
	if ((a->pid = fork()) < 0)
		die("fork: %m");
	if (a->pid == 0) {
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		agent_serve(&a->s);
		if (a->s.dropped)
			progress("fake agents: %lu connections dropped for "
				 "want of room", a->s.dropped);
		_exit(0);
	}
	own_child(a->pid, 1);
}

void
agents_stop(struct agents *a)
{
	size_t i;

	if (write(a->stop[1], "x", 1) != 1)
		die("stopping the fake agents: %m");
	while (waitpid(a->pid, NULL, 0) < 0)
		if (errno != EINTR)
			die("waitpid for the fake agents: %m");
	own_child(a->pid, 0);
	close(a->stop[0]);
	close(a->stop[1]);
	for (i = 0; i < a->s.n; i++)
		close(a->s.lfd[i]);
}
