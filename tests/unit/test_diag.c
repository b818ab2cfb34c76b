/*
 * test_diag - the parser of the kernel's list of listening Unix sockets
 * over crafted buffers, then the real list: sockets this test binds in a
 * private directory, listening or not.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/tcp.h>

#include "diag.h"
#include "scan.h"
#include "sunpath.h"
#include "tap.h"
#include "unixsock.h"

#define SEQ 4242

/* A buffer being crafted. */
struct msg {
	unsigned char b[4096];
	size_t len;
	size_t start;			/* of the current netlink message */
};

static void
put(struct msg *m, const void *p, size_t n)
{
	if (m->len + n > sizeof(m->b))
		exit(2);
	memcpy(m->b + m->len, p, n);
	m->len += n;
}

static void
pad(struct msg *m)
{
	static const unsigned char z[4];

	put(m, z, (4 - m->len % 4) % 4);
}

static void
begin(struct msg *m, uint16_t type, uint32_t seq)
{
	struct nlmsghdr h;

	memset(&h, 0, sizeof(h));
	h.nlmsg_type = type;
	h.nlmsg_seq = seq;
	m->start = m->len;
	put(m, &h, sizeof(h));
}

/* Sets the current message's length to what was put since begin(). */
static void
end(struct msg *m)
{
	uint32_t len = (uint32_t)(m->len - m->start);

	memcpy(m->b + m->start, &len, sizeof(len));
	pad(m);
}

static void
attr(struct msg *m, uint16_t type, const void *p, size_t n)
{
	uint16_t a[2] = { (uint16_t)(4 + n), type };

	put(m, a, sizeof(a));
	put(m, p, n);
	pad(m);
}

/* A record: a listening stream socket by default. */
static void
record(struct msg *m, const char *name, size_t namelen, int uid, int state)
{
	struct unix_diag_msg u;
	struct unix_diag_vfs v = { .udiag_vfs_ino = 77,
				    .udiag_vfs_dev = 0x00500001 };
	uint32_t id = (uint32_t)uid;

	memset(&u, 0, sizeof(u));
	u.udiag_family = AF_UNIX;
	u.udiag_type = SOCK_STREAM;
	u.udiag_state = (uint8_t)state;
	begin(m, SOCK_DIAG_BY_FAMILY, SEQ);
	put(m, &u, sizeof(u));
	if (name != NULL)
		attr(m, UNIX_DIAG_NAME, name, namelen);
	attr(m, UNIX_DIAG_VFS, &v, sizeof(v));
	if (uid >= 0)
		attr(m, UNIX_DIAG_UID, &id, sizeof(id));
	end(m);
}

static void
done_msg(struct msg *m, int32_t err)
{
	begin(m, NLMSG_DONE, SEQ);
	put(m, &err, sizeof(err));
	end(m);
}

/* What the callback was handed. */
struct seen {
	size_t n;
	char names[8][AL_SUN_PATH_MAX];
	struct al_diag_rec last;
	int fail;
};

static int
collect(void *arg, const struct al_diag_rec *r)
{
	struct seen *s = arg;

	if (s->fail) {
		errno = ENOMEM;
		return -1;
	}
	if (s->n < 8)
		strcpy(s->names[s->n], r->name);
	s->n++;
	s->last = *r;
	return 0;
}

static int
parse(const struct msg *m, size_t len, struct seen *s, size_t max)
{
	struct al_diag_parse st;

	memset(&st, 0, sizeof(st));
	st.seq = SEQ;
	st.uid = 1000;
	st.max = max;
	st.fn = collect;
	st.arg = s;
	return al_diag_parse(&st, m->b, len);
}

static void
crafted(void)
{
	char longname[200];
	struct nlmsgerr e;
	struct seen s;
	struct msg m;
	size_t i;
	int r;

	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	record(&m, "/tmp/ssh-aaaaaaaaaa/agent.12", 29, 1000, TCP_LISTEN);
	record(&m, "/tmp/ssh-bbbbbbbbbb/agent.13", 29, 1001, TCP_LISTEN);
	record(&m, "\0abstract", 9, 1000, TCP_LISTEN);
	record(&m, "/tmp/unconnected", 17, 1000, TCP_CLOSE);
	record(&m, NULL, 0, 1000, TCP_LISTEN);
	memset(longname, 'x', sizeof(longname));
	longname[0] = '/';
	record(&m, longname, sizeof(longname), 1000, TCP_LISTEN);
	record(&m, "/tmp/nonul", 10, 1000, TCP_LISTEN);
	r = parse(&m, m.len, &s, 100);
	is_int(r, AL_DIAG_MORE, "a part without NLMSG_DONE asks for more");
	is_int(s.n, 2, "two records are handed on");
	is_str(s.names[0], "/tmp/ssh-aaaaaaaaaa/agent.12", "the user's socket");
	is_str(s.names[1], "/tmp/nonul", "a name without its NUL within the attribute");
	ok(s.last.has_vfs && s.last.ino == 77 && major(s.last.dev) == 5 &&
	   minor(s.last.dev) == 1, "the kernel's dev_t is read as major:minor");
	ok(s.last.has_uid && s.last.uid == 1000, "the owner is read");

	/* The end, and nothing after it is looked at. */
	done_msg(&m, 0);
	record(&m, "/tmp/after", 11, 1000, TCP_LISTEN);
	memset(&s, 0, sizeof(s));
	is_int(parse(&m, m.len, &s, 100), AL_DIAG_DONE, "NLMSG_DONE ends the list");
	is_int(s.n, 2, "... and what follows it is not read");

	memset(&s, 0, sizeof(s));
	is_int(parse(&m, m.len, &s, 1), AL_DIAG_FULL, "at max records of the "
	       "user's the list is cut");
	is_int(s.n, 1, "... after max of the user's: other owners' records take "
	       "no place, so they cannot crowd hers out");

	/* A kernel that does not say owners: the list is not used at all
	 * (the caller lists the places), rather than every socket of the
	 * host handed on as possibly hers. */
	memset(&m, 0, sizeof(m));
	memset(&s, 0, sizeof(s));
	record(&m, "/tmp/ssh-aaaaaaaaaa/agent.12", 29, 1000, TCP_LISTEN);
	record(&m, "/tmp/nouid", 11, -1, TCP_LISTEN);
	record(&m, "/tmp/ssh-cccccccccc/agent.14", 29, 1000, TCP_LISTEN);
	errno = 0;
	r = parse(&m, m.len, &s, 100);
	is_int(r, AL_DIAG_ERR, "a record without its owner: the list is refused");
	is_int(errno, EOPNOTSUPP, "... as not supported (EOPNOTSUPP), so the "
	       "places are listed instead");
	is_int(s.n, 1, "... and nothing after it is handed on");

	/* Truncated: in every place, never past the buffer. */
	for (i = 1; i < m.len; i++) {
		memset(&s, 0, sizeof(s));
		r = parse(&m, i, &s, 100);
		if (r != AL_DIAG_ERR && r != AL_DIAG_MORE && r != AL_DIAG_DONE)
			break;
		/* A cut inside a message is malformed. */
		if (r == AL_DIAG_MORE && s.n > 3)
			break;
	}
	ok(i == m.len, "every truncation parses without reading past the end");
	memset(&s, 0, sizeof(s));
	r = parse(&m, 40, &s, 100);
	ok(r == AL_DIAG_ERR && errno == EBADMSG, "a message cut short is malformed");

	/* Bad lengths. */
	memset(&m, 0, sizeof(m));
	record(&m, "/tmp/a", 7, 1000, TCP_LISTEN);
	m.b[0] = 8;			/* nlmsg_len below the header's size */
	memset(&s, 0, sizeof(s));
	r = parse(&m, m.len, &s, 100);
	ok(r == AL_DIAG_ERR && errno == EBADMSG && s.n == 0,
	   "a message length below the header is malformed");
	m.b[0] = 0xff;
	m.b[1] = 0xff;
	memset(&s, 0, sizeof(s));
	r = parse(&m, m.len, &s, 100);
	ok(r == AL_DIAG_ERR && errno == EBADMSG, "a length past the buffer is malformed");

	memset(&m, 0, sizeof(m));
	record(&m, "/tmp/a", 7, 1000, TCP_LISTEN);
	/* The name attribute's length past its message. */
	m.b[sizeof(struct nlmsghdr) + sizeof(struct unix_diag_msg)] = 0xf0;
	memset(&s, 0, sizeof(s));
	r = parse(&m, m.len, &s, 100);
	ok(r == AL_DIAG_ERR && errno == EBADMSG && s.n == 0,
	   "an attribute longer than its message is malformed");

	memset(&m, 0, sizeof(m));
	begin(&m, SOCK_DIAG_BY_FAMILY, SEQ);
	put(&m, "\1\1\n", 3);		/* shorter than struct unix_diag_msg */
	end(&m);
	memset(&s, 0, sizeof(s));
	ok(parse(&m, m.len, &s, 100) == AL_DIAG_ERR && errno == EBADMSG,
	   "a record shorter than unix_diag_msg is malformed");

	memset(&m, 0, sizeof(m));
	record(&m, "/tmp/a", 7, 1000, TCP_LISTEN);
	m.b[8] ^= 1;			/* nlmsg_seq */
	memset(&s, 0, sizeof(s));
	ok(parse(&m, m.len, &s, 100) == AL_DIAG_ERR && s.n == 0,
	   "a message of another request is refused");

	/* Errors. */
	memset(&m, 0, sizeof(m));
	memset(&e, 0, sizeof(e));
	e.error = -ENOENT;
	begin(&m, NLMSG_ERROR, SEQ);
	put(&m, &e, sizeof(e));
	end(&m);
	ok(parse(&m, m.len, &s, 100) == AL_DIAG_ERR && errno == ENOENT,
	   "NLMSG_ERROR gives the kernel's errno (no unix_diag: ENOENT)");
	memset(&m, 0, sizeof(m));
	begin(&m, NLMSG_ERROR, SEQ);
	end(&m);
	ok(parse(&m, m.len, &s, 100) == AL_DIAG_ERR && errno == EPROTO,
	   "NLMSG_ERROR without its error is EPROTO");
	memset(&m, 0, sizeof(m));
	done_msg(&m, -EINTR);
	ok(parse(&m, m.len, &s, 100) == AL_DIAG_ERR && errno == EINTR,
	   "NLMSG_DONE carrying an error is a failed dump");
	memset(&m, 0, sizeof(m));
	begin(&m, NLMSG_DONE, SEQ);
	end(&m);
	is_int(parse(&m, m.len, &s, 100), AL_DIAG_DONE, "a bare NLMSG_DONE ends the list");
	is_int(parse(&m, 0, &s, 100), AL_DIAG_MORE, "an empty buffer is nothing yet");

	memset(&m, 0, sizeof(m));
	record(&m, "/tmp/a", 7, 1000, TCP_LISTEN);
	memset(&s, 0, sizeof(s));
	s.fail = 1;
	ok(parse(&m, m.len, &s, 100) == AL_DIAG_ERR && errno == ENOMEM,
	   "the callback's failure stops the parse with its errno");
}

struct want {
	const char *path;
	int found, matches;
	struct stat st;
};

static int
look(void *arg, const struct al_diag_rec *r)
{
	struct want *w = arg;

	for (; w->path != NULL; w++)
		if (strcmp(r->name, w->path) == 0) {
			w->found++;
			w->matches = r->has_vfs && r->ino == w->st.st_ino &&
			    r->dev == w->st.st_dev;
		}
	return 0;
}

static void
real_dump(void)
{
	char dir[] = "/tmp/test_diagXXXXXX", a[64], b[64], cmd[96];
	struct want w[3];
	struct al_diag_parse st;
	int fa, fb, r, fds_before, fds_after;

	if (mkdtemp(dir) == NULL)
		exit(1);
	snprintf(a, sizeof(a), "%s/listening", dir);
	snprintf(b, sizeof(b), "%s/bound", dir);
	fa = unixsock_at(a, 4);
	fb = unixsock_at(b, -1);
	memset(w, 0, sizeof(w));
	w[0].path = a;
	w[1].path = b;
	if (stat(a, &w[0].st) != 0 || stat(b, &w[1].st) != 0)
		exit(1);
	memset(&st, 0, sizeof(st));
	st.seq = SEQ;
	st.uid = geteuid();
	st.max = AL_SCAN_ENTRIES_MAX;
	st.budget_ms = 10000;
	st.fn = look;
	st.arg = w;
	fds_before = dup(0);
	close(fds_before);
	r = al_diag_listeners(&st);
	fds_after = dup(0);
	close(fds_after);
	if (r == AL_DIAG_ERR) {
		printf("ok %d # SKIP the kernel's list cannot be read here: %s\n",
		       ++tap_n, strerror(errno));
		printf("ok %d # SKIP (the same)\n", ++tap_n);
		printf("ok %d # SKIP (the same)\n", ++tap_n);
	} else {
		ok(r == AL_DIAG_DONE && w[0].found == 1 && w[0].matches,
		   "the real list has the listening socket bound here, with our "
		   "uid and its file's device and inode (%zu looked at)", st.seen);
		is_int(w[1].found, 0, "a socket bound but not listening is not in it");
		is_int(fds_after, fds_before, "no descriptor is left open");
	}
	close(fa);
	close(fb);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

static int
count(void *arg, const struct al_diag_rec *r)
{
	(void)r;
	++*(size_t *)arg;
	return 0;
}

/*
 * The time budget: 400 listening sockets with long names make a list of
 * more than one 32 KiB part, and a budget of 0 ms lets only the first
 * part be read.
 */
static void
budget(void)
{
	char dir[] = "/tmp/test_diag_budgetXXXXXX", path[128], cmd[96];
	struct al_diag_parse st;
	int fds[400], i, r;
	size_t handed = 0;

	if (mkdtemp(dir) == NULL)
		exit(1);
	for (i = 0; i < 400; i++) {
		/* 27 + 1 + 70 bytes: a long name, within sun_path. */
		snprintf(path, sizeof(path), "%s/%070d", dir, i);
		fds[i] = unixsock_at(path, 4);
	}
	memset(&st, 0, sizeof(st));
	st.seq = SEQ;
	st.uid = geteuid();
	st.max = AL_SCAN_ENTRIES_MAX;
	st.fn = count;
	st.arg = &handed;
	st.budget_ms = 0;
	r = al_diag_listeners(&st);
	if (r == AL_DIAG_ERR) {
		printf("ok %d # SKIP the kernel's list cannot be read here: %s\n",
		       ++tap_n, strerror(errno));
	} else {
		ok(r == AL_DIAG_TIME && handed > 0 && handed < 400,
		   "budget_ms=0: the list stops after its first part (%zu of "
		   "400 handed on, result %d)", handed, r);
	}
	st.budget_ms = 10000;
	handed = 0;
	r = al_diag_listeners(&st);
	ok(r == AL_DIAG_ERR || (r == AL_DIAG_DONE && handed >= 400),
	   "with time, the whole list is read (%zu handed on)", handed);
	for (i = 0; i < 400; i++)
		close(fds[i]);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

int
main(void)
{
	crafted();
	real_dump();
	budget();
	return done_testing();
}
