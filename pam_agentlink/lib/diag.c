/*
 * diag.c - the kernel's list of listening Unix sockets (sock_diag).
 *
 * At login, sockets in shared places such as /tmp are found here rather
 * than by listing the place: another user can fill /tmp with entries,
 * and those must cost a login nothing.  The list holds only sockets
 * something listens on, with the name each was bound to and its owner;
 * what it says is a hint, checked on the file system as the scan checks
 * (scan.c).  al_diag_parse() is pure, over one received buffer.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>

#include "diag.h"

/* The kernel sizes a dump's parts to the reader's buffer, up to 32 KiB. */
#define DIAG_BUF 32768
/* How long one receive may wait: the kernel answers at once. */
#define DIAG_RECV_MS 500

#define ALIGN4(n) (((n) + 3U) & ~(size_t)3U)

/* One attribute of a record (a struct rtattr without its alignment). */
struct attr {
	uint16_t len, type;
};

/* The name the socket was bound to: a path, NUL-ended, within the
 * attribute; an abstract name (leading NUL) or one too long is none. */
static int
take_name(struct al_diag_rec *r, const unsigned char *p, size_t n)
{
	const unsigned char *nul = memchr(p, '\0', n);
	size_t len = nul != NULL ? (size_t)(nul - p) : n;

	if (len == 0 || len >= sizeof(r->name))
		return -1;
	memcpy(r->name, p, len);
	r->name[len] = '\0';
	return 0;
}

/* Reads the attributes of one record into r; -1 when malformed. */
static int
parse_attrs(const unsigned char *p, size_t n, struct al_diag_rec *r)
{
	struct unix_diag_vfs vfs;
	struct attr a;
	uint32_t uid;

	while (n >= sizeof(a)) {
		memcpy(&a, p, sizeof(a));
		if (a.len < sizeof(a) || a.len > n)
			return -1;
		switch (a.type) {
		case UNIX_DIAG_NAME:
			r->has_name = take_name(r, p + sizeof(a),
						a.len - sizeof(a)) == 0;
			break;
		case UNIX_DIAG_VFS:
			if (a.len - sizeof(a) < sizeof(vfs))
				return -1;
			memcpy(&vfs, p + sizeof(a), sizeof(vfs));
			/* The kernel's own dev_t: 12 bits major, 20 minor. */
			r->dev = makedev(vfs.udiag_vfs_dev >> 20,
					 vfs.udiag_vfs_dev & 0xfffff);
			r->ino = vfs.udiag_vfs_ino;
			r->has_vfs = 1;
			break;
		case UNIX_DIAG_UID:
			if (a.len - sizeof(a) < sizeof(uid))
				return -1;
			memcpy(&uid, p + sizeof(a), sizeof(uid));
			r->uid = (uid_t)uid;
			r->has_uid = 1;
			break;
		default:
			break;
		}
		if (ALIGN4(a.len) >= n)
			return 0;
		p += ALIGN4(a.len);
		n -= ALIGN4(a.len);
	}
	return n == 0 ? 0 : -1;
}

/* One SOCK_DIAG_BY_FAMILY message: handed on if it may be the user's. */
static int
one_record(struct al_diag_parse *st, const unsigned char *p, size_t n)
{
	struct unix_diag_msg m;
	struct al_diag_rec r;

	if (n < sizeof(m))
		return -1;
	memcpy(&m, p, sizeof(m));
	memset(&r, 0, sizeof(r));
	if (parse_attrs(p + sizeof(m), n - sizeof(m), &r) != 0)
		return -1;
	/* A kernel that does not say owners (before 5.3) makes the list
	 * useless: every socket on the host would be the user's to check, up
	 * to AL_DIAG_RECORDS_MAX.  The caller lists the places instead. */
	if (!r.has_uid)
		return -4;
	if (m.udiag_family != AF_UNIX || m.udiag_state != TCP_LISTEN ||
	    m.udiag_type != SOCK_STREAM || !r.has_name || r.uid != st->uid)
		return 0;
	if (st->seen >= st->max)
		return -3;
	st->seen++;
	return st->fn(st->arg, &r) == 0 ? 0 : -2;
}

/* The kernel's errors are -4095 to -1. */
#define ERRNO_MAX 4095

/* NLMSG_ERROR's or NLMSG_DONE's error number, as a positive errno. */
static int
msg_errno(const unsigned char *p, size_t n, int dflt)
{
	int32_t e;

	if (n < sizeof(e))
		return dflt;
	memcpy(&e, p, sizeof(e));
	return e < 0 && e >= -ERRNO_MAX ? -e : dflt;
}

int
al_diag_parse(struct al_diag_parse *st, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct nlmsghdr h;
	size_t step;
	int r, e;

	while (len > 0) {
		if (len < sizeof(h))
			goto bad;
		memcpy(&h, p, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > len ||
		    h.nlmsg_seq != st->seq)
			goto bad;
		switch (h.nlmsg_type) {
		case NLMSG_DONE:
			/* A dump the kernel could not finish says why here. */
			if ((e = msg_errno(p + sizeof(h), h.nlmsg_len - sizeof(h),
					   0)) != 0) {
				errno = e;
				return AL_DIAG_ERR;
			}
			return AL_DIAG_DONE;
		case NLMSG_ERROR:
			errno = msg_errno(p + sizeof(h), h.nlmsg_len - sizeof(h),
					  EPROTO);
			return AL_DIAG_ERR;
		case SOCK_DIAG_BY_FAMILY:
			/* Other users' sockets cost a compare each, not a
			 * place in max: they cannot crowd the user's out. */
			if (st->all >= AL_DIAG_RECORDS_MAX)
				return AL_DIAG_FULL;
			st->all++;
			r = one_record(st, p + sizeof(h), h.nlmsg_len - sizeof(h));
			if (r == -1)
				goto bad;
			if (r == -2)
				return AL_DIAG_ERR;	/* the callback's errno */
			if (r == -3)
				return AL_DIAG_FULL;
			if (r == -4) {
				errno = EOPNOTSUPP;
				return AL_DIAG_ERR;
			}
			break;
		default:
			break;			/* NLMSG_NOOP and the like */
		}
		step = ALIGN4(h.nlmsg_len);
		if (step >= len)
			break;
		p += step;
		len -= step;
	}
	return AL_DIAG_MORE;
bad:
	errno = EBADMSG;
	return AL_DIAG_ERR;
}

/* A netlink socket asking for the list; -1 with errno if it cannot. */
static int
diag_request(uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		struct unix_diag_req req;
	} msg;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timeval tv = { 0, DIAG_RECV_MS * 1000 };
	int fd, saved;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	memset(&msg, 0, sizeof(msg));
	msg.h.nlmsg_len = sizeof(msg);
	msg.h.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	msg.h.nlmsg_seq = seq;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = 1U << TCP_LISTEN;
	msg.req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_VFS | UDIAG_SHOW_UID;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0)
		goto fail;
	while (sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&kernel,
		      sizeof(kernel)) != (ssize_t)sizeof(msg))
		if (errno != EINTR)
			goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

/* One part of the answer, from the kernel alone; 0 at end of file. */
static ssize_t
diag_recv(int fd, unsigned char *buf, size_t sz)
{
	struct sockaddr_nl from;
	struct iovec iov = { buf, sz };
	struct msghdr mh;
	ssize_t n;

	for (;;) {
		memset(&mh, 0, sizeof(mh));
		mh.msg_name = &from;
		mh.msg_namelen = sizeof(from);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		if ((n = recvmsg(fd, &mh, 0)) >= 0 || errno != EINTR)
			break;
	}
	if (n < 0)
		return -1;
	/* Any process may send to a netlink port: only the kernel counts. */
	if (mh.msg_namelen < sizeof(from) || from.nl_pid != 0)
		return -2;
	if (mh.msg_flags & MSG_TRUNC) {
		errno = EMSGSIZE;
		return -1;
	}
	return n;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int
al_diag_listeners(struct al_diag_parse *st)
{
	unsigned char buf[DIAG_BUF] __attribute__((aligned(8)));
	long long deadline = mono_ms() + st->budget_ms;
	size_t parts = 0;
	ssize_t n;
	int fd, r = AL_DIAG_MORE, saved;

	st->seen = st->all = 0;
	if ((fd = diag_request(st->seq)) < 0)
		return AL_DIAG_ERR;
	/* Each part holds a record or more, or the end: bounded by max. */
	while (r == AL_DIAG_MORE) {
		if (parts++ > AL_DIAG_RECORDS_MAX + 1) {
			errno = EOVERFLOW;
			r = AL_DIAG_ERR;
			break;
		}
		/* Each part restarts the kernel's walk of a hash bucket,
		 * which another user can crowd: the whole list gets a time
		 * budget, checked between parts. */
		if (parts > 1 && mono_ms() >= deadline) {
			r = AL_DIAG_TIME;
			break;
		}
		n = diag_recv(fd, buf, sizeof(buf));
		if (n == -2)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = ECONNRESET;
			r = AL_DIAG_ERR;
			break;
		}
		r = al_diag_parse(st, buf, (size_t)n);
	}
	saved = errno;
	close(fd);
	errno = saved;
	return r;
}
