/* probe.c - is anything listening on a Unix socket path, and does it
 * answer as an ssh-agent? */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"

/* Set by the watch's SIGTERM handler (watch/helper.c): every wait for an
 * agent's answer ends at once. */
volatile sig_atomic_t al_watch_stop;

/*
 * A non-blocking connect() answers at once: a listener accepts (or has a
 * full backlog, EAGAIN: still alive), a socket file without one refuses.
 * The file test sshd's folk scripts use ([ -S ]) cannot tell the two apart.
 */
int
al_probe(const char *path)
{
	int fd, r = al_connect_nb(path, &fd);

	if (r == 1)
		close(fd);
	/* A full backlog is a listener, too busy to take us now. */
	return r == 1 || (r < 0 && errno == EAGAIN) ? 1 : r;
}

/*
 * A non-blocking connect, keeping the connection for al_agent_query().
 * On Linux a Unix stream connect() completes or fails at once;
 * EINPROGRESS (other systems) is handed over as connected: the query's
 * send() then fails, and the agent counts as not answering.  A full
 * backlog (EAGAIN) leaves no connection to ask,
 * so it is an error here, though al_probe() counts it as alive.
 */
int
al_connect_nb(const char *path, int *fdp)
{
	struct sockaddr_un sun;
	size_t len = strlen(path);
	int fd, r, saved;

	*fdp = -1;
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
	if (r == 0 || errno == EINPROGRESS) {
		*fdp = fd;
		return 1;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return saved == ECONNREFUSED ? 0 : -1;
}

/* ---- the agent-protocol probe ---- */

/*
 * A socket that accepts is not yet an agent that answers: when the laptop
 * at the far end of a forwarded agent sleeps, sshd's socket still accepts,
 * and requests go unanswered.  Only a reply tells the two apart.  The one
 * request asked is the extension "query" (draft-miller-ssh-agent): it
 * touches no key, so no agent prompts for it, and every agent answers it,
 * those that know no extensions with SSH_AGENT_FAILURE.
 */
#define AGENTC_EXTENSION	27
#define AGENT_FAILURE		5
#define AGENT_SUCCESS		6
#define AGENT_EXT_FAILURE	28
#define AGENT_EXT_RESPONSE	29

/* length 10 (big-endian), type 27, string "query" (length 5, bytes) */
static const unsigned char query_req[] = {
	0, 0, 0, 10, AGENTC_EXTENSION, 0, 0, 0, 5, 'q', 'u', 'e', 'r', 'y'
};

#define PENDING AL_QUERY_PENDING

static int
reply_type_ok(unsigned char type)
{
	return type == AGENT_FAILURE || type == AGENT_SUCCESS ||
	    type == AGENT_EXT_FAILURE || type == AGENT_EXT_RESPONSE;
}

/* Sends what is left of the request; PENDING or AL_ANS_BAD. */
static int
query_send(int fd, struct al_query *q)
{
	ssize_t w;

	while (q->done < sizeof(query_req)) {
		/* MSG_NOSIGNAL: a peer that closed gives EPIPE, not SIGPIPE
		 * (the module must not change sshd's signals); MSG_DONTWAIT
		 * in case a caller hands in a blocking fd. */
		w = send(fd, query_req + q->done, sizeof(query_req) - q->done,
			 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PENDING;
		if (w < 0)
			return AL_ANS_BAD;	/* EPIPE, ECONNRESET, ... */
		q->done += (size_t)w;
	}
	q->phase = AL_Q_LEN;
	q->done = 0;
	return PENDING;
}

/* Judges what has been read so far; PENDING until the reply is whole. */
static int
query_judge(struct al_query *q, unsigned char type)
{
	uint32_t len;

	switch (q->phase) {
	case AL_Q_LEN:
		if (q->done < sizeof(q->len))
			return PENDING;
		len = (uint32_t)q->len[0] << 24 | (uint32_t)q->len[1] << 16 |
		    (uint32_t)q->len[2] << 8 | q->len[3];
		/* Decided now: no point waiting for a body we would refuse. */
		if (len == 0 || len > AL_AGENT_REPLY_MAX)
			return AL_ANS_BAD;
		q->left = len - 1;
		q->phase = AL_Q_TYPE;
		return PENDING;
	case AL_Q_TYPE:
		if (!reply_type_ok(type))
			return AL_ANS_BAD;
		q->phase = AL_Q_BODY;
		break;
	default:
		break;
	}
	return q->left == 0 ? AL_ANS_YES : PENDING;
}

/*
 * Reads what has arrived of the reply, never past its declared length
 * (what follows is not ours to take); a verdict, or PENDING.
 */
static int
query_recv(int fd, struct al_query *q)
{
	unsigned char junk[512], type = 0, *buf;
	size_t want;
	ssize_t r;
	int v;

	for (;;) {
		if (q->phase == AL_Q_LEN) {
			buf = q->len + q->done;
			want = sizeof(q->len) - q->done;
		} else if (q->phase == AL_Q_TYPE) {
			buf = &type;
			want = 1;
		} else {
			buf = junk;
			want = q->left < sizeof(junk) ? q->left : sizeof(junk);
		}
		r = recv(fd, buf, want, MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return PENDING;
		if (r <= 0)
			return AL_ANS_BAD;	/* end of file or reset mid-reply */
		if (q->phase == AL_Q_LEN)
			q->done += (size_t)r;
		else if (q->phase == AL_Q_BODY)
			q->left -= (uint32_t)r;
		if ((v = query_judge(q, type)) != PENDING)
			return v;
	}
}

void
al_query_init(struct al_query *q)
{
	memset(q, 0, sizeof(*q));
	q->phase = AL_Q_SEND;
}

short
al_query_events(const struct al_query *q)
{
	return q->phase == AL_Q_SEND ? POLLOUT : POLLIN;
}

int
al_query_step(int fd, struct al_query *q)
{
	/* POLLHUP and POLLERR come here too: send() or recv() says which
	 * it is, or hands over the last bytes. */
	int v = q->phase == AL_Q_SEND ? query_send(fd, q) : PENDING;

	if (v == PENDING && q->phase != AL_Q_SEND)
		v = query_recv(fd, q);
	return v;
}

long long
al_mono_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail on Linux: it exists since 2.6 and
	 * ts is ours. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* poll()'s timeout for what is left until deadline, rounded up, so the
 * wait never ends early. */
static int
ms_left(long long deadline)
{
	long long ns = deadline - al_mono_ns();

	return ns <= 0 ? 0 : (int)((ns + 999999) / 1000000);
}

int
al_agent_query(const int *fds, size_t n, int timeout_ms,
	       enum al_answer *res, long *us)
{
	struct pollfd pfd[AL_QUERY_MAX];
	struct al_query q[AL_QUERY_MAX];
	long long start, deadline;
	size_t i, pending = 0;
	int answered = 0, v, r;

	if (n > AL_QUERY_MAX || timeout_ms < 0 ||
	    (n > 0 && (fds == NULL || res == NULL))) {
		errno = EINVAL;
		return -1;
	}
	start = al_mono_ns();
	deadline = start + timeout_ms * 1000000LL;
	for (i = 0; i < n; i++) {
		al_query_init(&q[i]);
		res[i] = fds[i] < 0 ? AL_ANS_BAD : AL_ANS_NONE;
		if (us != NULL)
			us[i] = 0;
		/* poll() skips negative fds: decided ones become -1. */
		pfd[i].fd = fds[i];
		pfd[i].events = POLLOUT;
		if (fds[i] < 0)
			continue;
		/* A fresh connection is writable: the question goes out at
		 * once, and the answer is waited for with poll() rather than
		 * looked for before the agent can have run. */
		if ((v = query_send(fds[i], &q[i])) != PENDING) {
			res[i] = (enum al_answer)v;
			if (us != NULL)
				us[i] = (long)((al_mono_ns() - start) / 1000);
			pfd[i].fd = -1;
			continue;
		}
		pfd[i].events = al_query_events(&q[i]);
		pending++;
	}
	/* At least one pass even with no time: a reply already there (or a
	 * reset) counts. */
	/* The watch's SIGTERM (al_watch_stop) ends the wait: close must not
	 * wait on a remote client either. */
	while (pending > 0 && !al_watch_stop) {
		r = poll(pfd, (nfds_t)n, ms_left(deadline));
		if (r < 0 && errno != EINTR)
			return -1;
		for (i = 0; r > 0 && i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			if ((v = al_query_step(pfd[i].fd, &q[i])) == PENDING) {
				pfd[i].events = al_query_events(&q[i]);
				continue;
			}
			res[i] = (enum al_answer)v;
			if (us != NULL)
				us[i] = (long)((al_mono_ns() - start) / 1000);
			answered += v == AL_ANS_YES;
			pfd[i].fd = -1;
			pending--;
		}
		if (al_mono_ns() >= deadline)
			break;
	}
	for (i = 0; us != NULL && i < n; i++)
		if (res[i] == AL_ANS_NONE)
			us[i] = (long)((al_mono_ns() - start) / 1000);
	return answered;
}
