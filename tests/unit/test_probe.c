/*
 * test_probe - the agent-protocol liveness probe against fake agents on
 * real Unix sockets in a private directory.  Each fake agent is a forked
 * child that accepts one connection, checks that the request is exactly
 * the 14 bytes of SSH_AGENTC_EXTENSION "query" (and that nothing follows
 * it), then answers, or does not, as one kind of agent would.  Its exit
 * status carries the request check back.  No root needed.
 *
 * Pauses inside the fake agents are their behaviour (a slow agent, a
 * reply in pieces), never synchronisation: the test waits on pipes,
 * waitpid() and poll() with deadlines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe.h"
#include "tap.h"
#include "unixsock.h"

/* How much later than asked a wait may end on a loaded machine; never
 * earlier. */
#define SLACK_US 1500000L
/* "At once": well before the timeout these cases are given. */
#define SOON_MS 1000
#define LONG_MS 5000

static char root[] = "/tmp/test_probeXXXXXX";

static const unsigned char want_req[14] = {
	0, 0, 0, 10, 27, 0, 0, 0, 5, 'q', 'u', 'e', 'r', 'y'
};

/* What a fake agent does once it has accepted. */
struct agent {
	const char *name;
	int read_req;			/* 0: hangs up before reading anything */
	int pause_ms;			/* before the reply */
	const unsigned char *reply;
	size_t len;			/* 0: sends nothing */
	size_t piece;			/* > 0: the reply in pieces this long */
	int piece_ms;			/* that many ms apart */
	int hang_up;			/* closes after the reply */
};

struct fake {
	pid_t pid;
	int ctl;			/* closing it tells the agent to finish */
	int note;			/* the agent writes a byte when it acted */
	char path[128];
};

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void
pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static const char *
ans_name(int a)
{
	return a == AL_ANS_NONE ? "NONE" : a == AL_ANS_YES ? "YES" :
	    a == AL_ANS_BAD ? "BAD" : "?";
}

static void
hex(const char *who, const char *what, const unsigned char *b, size_t n)
{
	char line[256];
	size_t i, o = 0;

	for (i = 0; i < n && o + 4 < sizeof(line); i++)
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %02x", b[i]);
	fprintf(stderr, "# fake agent %s: %s:%s\n", who, what, line);
}

/* ---- the fake agent (child side) ---- */

static int
send_all(int fd, const unsigned char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;	/* the probe may have gone: fine */
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads the request; 0 when it is exactly want_req. */
static int
request_check(const struct agent *a, int cfd)
{
	unsigned char got[sizeof(want_req)];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(got)) {
		r = read(cfd, got + n, sizeof(got) - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (n == sizeof(got) && memcmp(got, want_req, n) == 0)
		return 0;
	hex(a->name, "request differs, got", got, n);
	return 1;
}

/* After the probe closed its end: did it send anything more? */
static int
nothing_more(const struct agent *a, int cfd)
{
	unsigned char extra[64];
	ssize_t r;

	do {
		r = recv(cfd, extra, sizeof(extra), MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r <= 0)
		return 1;	/* end of file, nothing queued, or reset */
	hex(a->name, "bytes after the request", extra, (size_t)r);
	return 0;
}

static void
reply(const struct agent *a, int cfd)
{
	size_t off = 0, k;

	if (a->pause_ms > 0)
		pause_ms(a->pause_ms);
	while (off < a->len) {
		k = a->piece > 0 && a->piece < a->len - off ? a->piece :
		    a->len - off;
		if (off > 0 && a->piece_ms > 0)
			pause_ms(a->piece_ms);
		if (send_all(cfd, a->reply + off, k) != 0)
			return;
		off += k;
	}
}

static void __attribute__((noreturn))
agent_main(const struct agent *a, int lfd, int ctl, int note)
{
	char c;
	int cfd, st = 0;
	ssize_t r;

	alarm(20);		/* a stuck fake agent dies, it does not hang */
	do {
		cfd = accept(lfd, NULL, NULL);
	} while (cfd < 0 && errno == EINTR);
	if (cfd < 0)
		_exit(3);
	close(lfd);
	if (a->read_req && request_check(a, cfd) != 0)
		_exit(10);
	reply(a, cfd);
	if (a->hang_up || !a->read_req) {
		close(cfd);
		cfd = -1;
	}
	if (write(note, "x", 1) != 1)
		_exit(4);
	/* Until the test is done with the connection (end of file). */
	do {
		r = read(ctl, &c, 1);
	} while (r < 0 && errno == EINTR);
	if (cfd >= 0 && !nothing_more(a, cfd))
		st = 11;
	_exit(st);
}

/* ---- the test side ---- */

static void
fake_start(struct fake *f, const struct agent *a)
{
	static int seq;
	int ctl[2], note[2], lfd;

	snprintf(f->path, sizeof(f->path), "%s/agent%d", root, ++seq);
	/* Listening before the fork: the probe never races the agent. */
	lfd = unixsock_at(f->path, 8);
	if (pipe2(ctl, O_CLOEXEC) != 0 || pipe2(note, O_CLOEXEC) != 0)
		bail("pipe2");
	fflush(stdout);
	f->pid = fork();
	if (f->pid < 0)
		bail("fork");
	if (f->pid == 0) {
		int fd;

		/* Only our own ends: an agent holding a sibling's ctl pipe
		 * or connection would keep that one from ever finishing. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != lfd && fd != ctl[0] && fd != note[1])
				close(fd);
		agent_main(a, lfd, ctl[0], note[1]);
	}
	close(lfd);
	close(ctl[0]);
	close(note[1]);
	f->ctl = ctl[1];
	f->note = note[0];
}

static int
fake_connect(struct fake *f)
{
	int fd;

	if (al_connect_nb(f->path, &fd) != 1)
		bail(f->path);
	return fd;
}

/* Waits (up to LONG_MS) for the agent's byte saying it has acted. */
static int
fake_acted(struct fake *f)
{
	struct pollfd p = { f->note, POLLIN, 0 };
	char c;

	return poll(&p, 1, LONG_MS) == 1 && read(f->note, &c, 1) == 1;
}

/* Lets the agent finish; its exit status, or 128 + the signal that
 * ended it. */
static int
fake_end(struct fake *f)
{
	int st;

	close(f->ctl);
	while (waitpid(f->pid, &st, 0) < 0)
		if (errno != EINTR)
			bail("waitpid");
	/* Only now: the agent writes its note whenever it likes. */
	close(f->note);
	unlink(f->path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One agent, one probe. */
struct run {
	struct fake f;
	int fd, n;
	enum al_answer res;
	long us;
	long long el;			/* microseconds, as the test saw it */
};

static void
ask(struct run *r, const struct agent *a, int timeout_ms)
{
	long long t0;

	fake_start(&r->f, a);
	r->fd = fake_connect(&r->f);
	r->res = (enum al_answer)-1;
	t0 = now_us();
	r->n = al_agent_query(&r->fd, 1, timeout_ms, &r->res, &r->us);
	r->el = now_us() - t0;
}

/* Closes the probe's end, then checks what the agent saw. */
static void
finish(struct run *r, const struct agent *a)
{
	int st;

	close(r->fd);
	st = fake_end(&r->f);
	if (a->read_req)
		is_int(st, 0, "%s: the agent got exactly the 14-byte query "
		       "and nothing else", a->name);
	else
		is_int(st, 0, "%s: the agent exited cleanly", a->name);
}

static void
expect(const struct agent *a, int timeout_ms, enum al_answer want)
{
	struct run r;

	ask(&r, a, timeout_ms);
	ok(r.res == want && r.n == (want == AL_ANS_YES),
	   "%s: %s within %d ms (got %s, returned %d, %ld us)", a->name,
	   ans_name(want), timeout_ms, ans_name(r.res), r.n, r.us);
	finish(&r, a);
}

/* ---- replies ---- */

static const unsigned char r_success[] = { 0, 0, 0, 1, 6 };
static const unsigned char r_failure[] = { 0, 0, 0, 1, 5 };
static const unsigned char r_extfail[] = { 0, 0, 0, 1, 28 };
/* type 29, string "query", then one extension name: what an agent that
 * knows "query" sends back */
static const unsigned char r_extresp[] = {
	0, 0, 0, 38, 29, 0, 0, 0, 5, 'q', 'u', 'e', 'r', 'y',
	0, 0, 0, 24, 's', 'e', 's', 's', 'i', 'o', 'n', '-', 'b', 'i', 'n',
	'd', '@', 'o', 'p', 'e', 'n', 's', 's', 'h', '.', 'c', 'o', 'm'
};
static const unsigned char r_idanswer[] = { 0, 0, 0, 1, 12 };
static const unsigned char r_unknown[] = { 0, 0, 0, 1, 200 };
static const unsigned char r_zero[] = { 0, 0, 0, 0 };
/* an oversized length, then bytes the probe must leave alone */
static const unsigned char r_huge[] = { 0x7f, 0xff, 0xff, 0xff, 6, 'M', 'O', 'R', 'E' };
static const unsigned char r_capplus[] = { 0, 1, 0, 1, 29 };
static const unsigned char r_short[] = { 0, 0, 0, 10, 6, 'a', 'b' };
/* a reply with a body, then the start of what would be the next one */
static const unsigned char r_trailing[] = { 0, 0, 0, 3, 29, 'o', 'k', 'N', 'E', 'X', 'T' };
static unsigned char r_cap[4 + AL_AGENT_REPLY_MAX];

static void
answers(void)
{
	static const struct agent success = { "SUCCESS", 1, 0, r_success, sizeof(r_success), 0, 0, 0 };
	static const struct agent failure = { "FAILURE", 1, 0, r_failure, sizeof(r_failure), 0, 0, 0 };
	static const struct agent extfail = { "EXTENSION_FAILURE", 1, 0, r_extfail, sizeof(r_extfail), 0, 0, 0 };
	static const struct agent extresp = { "EXTENSION_RESPONSE", 1, 0, r_extresp, sizeof(r_extresp), 0, 0, 0 };
	static const struct agent split = { "reply in 1-byte writes 20 ms apart", 1, 0, r_extresp, sizeof(r_extresp), 1, 20, 0 };
	static const struct agent cap = { "reply of exactly AL_AGENT_REPLY_MAX", 1, 0, r_cap, sizeof(r_cap), 0, 0, 0 };
	static const struct agent trailing = { "a reply and more bytes after it", 1, 0, r_trailing, sizeof(r_trailing), 0, 0, 0 };
	struct run r;
	char rest[8];

	expect(&success, LONG_MS, AL_ANS_YES);
	expect(&failure, LONG_MS, AL_ANS_YES);
	expect(&extfail, LONG_MS, AL_ANS_YES);
	expect(&extresp, LONG_MS, AL_ANS_YES);

	ask(&r, &split, LONG_MS);
	ok(r.res == AL_ANS_YES && r.n == 1,
	   "%s: YES (got %s)", split.name, ans_name(r.res));
	ok(r.us >= (long)(sizeof(r_extresp) - 1) * 20000L,
	   "%s: only after the last piece (%ld us)", split.name, r.us);
	finish(&r, &split);

	r_cap[0] = (AL_AGENT_REPLY_MAX >> 24) & 0xff;
	r_cap[1] = (AL_AGENT_REPLY_MAX >> 16) & 0xff;
	r_cap[2] = (AL_AGENT_REPLY_MAX >> 8) & 0xff;
	r_cap[3] = AL_AGENT_REPLY_MAX & 0xff;
	r_cap[4] = 29;
	expect(&cap, LONG_MS, AL_ANS_YES);

	ask(&r, &trailing, LONG_MS);
	ok(r.res == AL_ANS_YES, "%s: YES (got %s)", trailing.name, ans_name(r.res));
	ok(recv(r.fd, rest, sizeof(rest), MSG_DONTWAIT) == 4 &&
	   memcmp(rest, "NEXT", 4) == 0,
	   "%s: nothing read past the declared length", trailing.name);
	finish(&r, &trailing);
}

static void
slow(void)
{
	static const struct agent slow300 = { "answers after 300 ms", 1, 300, r_success, sizeof(r_success), 0, 0, 0 };
	struct run r;

	ask(&r, &slow300, 100);
	ok(r.res == AL_ANS_NONE && r.n == 0, "%s: NONE within 100 ms (got %s)",
	   slow300.name, ans_name(r.res));
	ok(r.el >= 100000 && r.el < 100000 + SLACK_US && r.us >= 100000,
	   "%s: waited 100 ms (%lld us, reported %ld us)", slow300.name, r.el, r.us);
	finish(&r, &slow300);

	ask(&r, &slow300, 2000);
	ok(r.res == AL_ANS_YES && r.n == 1, "%s: YES within 2000 ms (got %s)",
	   slow300.name, ans_name(r.res));
	ok(r.us >= 300000 && r.el < 2000000,
	   "%s: the verdict came with the reply (%ld us)", slow300.name, r.us);
	finish(&r, &slow300);
}

static void
bad(void)
{
	static const struct agent idanswer = { "answers IDENTITIES_ANSWER", 1, 0, r_idanswer, sizeof(r_idanswer), 0, 0, 0 };
	static const struct agent unknown = { "answers an unknown type", 1, 0, r_unknown, sizeof(r_unknown), 0, 0, 0 };
	static const struct agent zero = { "answers a zero length", 1, 0, r_zero, sizeof(r_zero), 0, 0, 0 };
	static const struct agent huge = { "announces 0x7fffffff bytes", 1, 0, r_huge, sizeof(r_huge), 0, 0, 0 };
	static const struct agent capplus = { "announces AL_AGENT_REPLY_MAX + 1 bytes", 1, 0, r_capplus, sizeof(r_capplus), 0, 0, 0 };
	static const struct agent shortr = { "closes in the middle of the reply", 1, 0, r_short, sizeof(r_short), 0, 0, 1 };
	static const struct agent closes = { "closes after the request", 1, 0, NULL, 0, 0, 0, 1 };
	const struct agent *const soon[] = { &idanswer, &unknown, &zero, &capplus, &shortr, &closes };
	struct run r;
	char rest[8];
	size_t i;

	/* Each of these is known bad at once: no waiting for the timeout. */
	for (i = 0; i < sizeof(soon) / sizeof(soon[0]); i++) {
		ask(&r, soon[i], LONG_MS);
		ok(r.res == AL_ANS_BAD && r.n == 0 && r.el < SOON_MS * 1000L,
		   "%s: BAD at once (got %s after %lld us)", soon[i]->name,
		   ans_name(r.res), r.el);
		finish(&r, soon[i]);
	}

	ask(&r, &huge, LONG_MS);
	ok(r.res == AL_ANS_BAD && r.el < SOON_MS * 1000L,
	   "%s: BAD at once (got %s after %lld us of %d ms)", huge.name,
	   ans_name(r.res), r.el, LONG_MS);
	ok(recv(r.fd, rest, sizeof(rest), MSG_DONTWAIT) == 5 &&
	   memcmp(rest, "\6MORE", 5) == 0,
	   "%s: nothing read after the length", huge.name);
	finish(&r, &huge);
}

static void
silent(void)
{
	static const struct agent never = { "never answers", 1, 0, NULL, 0, 0, 0, 0 };
	static const struct agent early = { "closes before the request", 0, 0, NULL, 0, 0, 0, 1 };
	struct run r;

	ask(&r, &never, 300);
	ok(r.res == AL_ANS_NONE && r.n == 0, "%s: NONE (got %s)", never.name,
	   ans_name(r.res));
	ok(r.el >= 300000 && r.el < 300000 + SLACK_US,
	   "%s: returned after the 300 ms, not before (%lld us)", never.name, r.el);
	ok(r.us >= 300000 && r.us <= r.el,
	   "%s: reports the time waited (%ld us)", never.name, r.us);
	finish(&r, &never);

	/* The agent is gone before anything is sent: send() meets EPIPE,
	 * and without MSG_NOSIGNAL SIGPIPE would end this test here. */
	fake_start(&r.f, &early);
	r.fd = fake_connect(&r.f);
	if (!fake_acted(&r.f))
		bail("the fake agent did not hang up");
	r.n = al_agent_query(&r.fd, 1, LONG_MS, &r.res, NULL);
	ok(r.res == AL_ANS_BAD && r.n == 0, "%s: BAD, and no SIGPIPE (got %s)",
	   early.name, ans_name(r.res));
	finish(&r, &early);
}

static volatile sig_atomic_t ticks;

static void
on_alarm(int sig)
{
	(void)sig;
	ticks++;
}

/* Signals arriving during the wait (EINTR) neither end it early nor
 * lose a reply. */
static void
interrupted(void)
{
	static const struct agent never = { "never answers, under SIGALRM every 10 ms", 1, 0, NULL, 0, 0, 0, 0 };
	static const struct agent slow300 = { "answers after 300 ms, under SIGALRM every 10 ms", 1, 300, r_success, sizeof(r_success), 0, 0, 0 };
	struct itimerval on = { { 0, 10000 }, { 0, 10000 } }, off;
	struct sigaction sa;
	struct run r;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART: poll() gets EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&off, 0, sizeof(off));

	fake_start(&r.f, &never);
	r.fd = fake_connect(&r.f);
	ticks = 0;
	setitimer(ITIMER_REAL, &on, NULL);
	r.el = now_us();
	r.n = al_agent_query(&r.fd, 1, 200, &r.res, &r.us);
	r.el = now_us() - r.el;
	setitimer(ITIMER_REAL, &off, NULL);
	ok(r.res == AL_ANS_NONE && r.el >= 200000 && r.el < 200000 + SLACK_US &&
	   ticks > 5, "%s: NONE after the whole 200 ms (%lld us, %d signals)",
	   never.name, r.el, (int)ticks);
	finish(&r, &never);

	fake_start(&r.f, &slow300);
	r.fd = fake_connect(&r.f);
	ticks = 0;
	setitimer(ITIMER_REAL, &on, NULL);
	r.n = al_agent_query(&r.fd, 1, 2000, &r.res, &r.us);
	setitimer(ITIMER_REAL, &off, NULL);
	ok(r.res == AL_ANS_YES && ticks > 5, "%s: YES (got %s, %d signals)",
	   slow300.name, ans_name(r.res), (int)ticks);
	finish(&r, &slow300);
	signal(SIGALRM, SIG_DFL);
}

/*
 * Four agents at once, one deadline: two that answer after 300 ms each
 * (one after the other they would need 600 ms, more than the 500 given),
 * one that never answers, one that hangs up.
 */
static void
together(void)
{
	static const struct agent a = { "A: answers after 300 ms", 1, 300, r_success, sizeof(r_success), 0, 0, 0 };
	static const struct agent b = { "B: answers after 300 ms", 1, 300, r_extresp, sizeof(r_extresp), 0, 0, 0 };
	static const struct agent c = { "C: never answers", 1, 0, NULL, 0, 0, 0, 0 };
	static const struct agent d = { "D: closes after the request", 1, 0, NULL, 0, 0, 0, 1 };
	const struct agent *ag[4] = { &a, &b, &c, &d };
	static const enum al_answer want[4] = { AL_ANS_YES, AL_ANS_YES, AL_ANS_NONE, AL_ANS_BAD };
	struct fake f[4];
	enum al_answer res[4];
	long us[4];
	int fds[4], n, right = 0, st;
	long long el;
	size_t i;

	for (i = 0; i < 4; i++) {
		fake_start(&f[i], ag[i]);
		fds[i] = fake_connect(&f[i]);
	}
	el = now_us();
	n = al_agent_query(fds, 4, 500, res, us);
	el = now_us() - el;
	for (i = 0; i < 4; i++) {
		if (res[i] == want[i])
			right++;
		else
			diag("%s: got %s, want %s", ag[i]->name,
			     ans_name(res[i]), ans_name(want[i]));
	}
	ok(right == 4 && n == 2, "four agents at once: YES, YES, NONE, BAD, "
	   "returns 2 (got %d)", n);
	ok(el >= 500000 && el < 500000 + SLACK_US,
	   "four agents at once: one 500 ms timeout in all (%lld us)", el);
	ok(us[0] >= 300000 && us[1] >= 300000 && us[0] < 500000 && us[1] < 500000 &&
	   us[2] >= 500000 && us[3] < us[0],
	   "four agents at once: each verdict timed (%ld, %ld, %ld, %ld us)",
	   us[0], us[1], us[2], us[3]);
	for (i = 0; i < 4; i++) {
		close(fds[i]);
		st = fake_end(&f[i]);
		is_int(st, 0, "%s: the agent got exactly the query", ag[i]->name);
	}
}

static void
connects(void)
{
	char p[256];
	int lfd, fd, fl, fd2, held;

	snprintf(p, sizeof(p), "%s/conn.sock", root);
	lfd = unixsock_at(p, 8);
	ok(al_connect_nb(p, &fd) == 1 && fd >= 0, "al_connect_nb: a listener: connected");
	fl = fcntl(fd, F_GETFL);
	ok(fl >= 0 && (fl & O_NONBLOCK), "the connection is non-blocking");
	fl = fcntl(fd, F_GETFD);
	ok(fl >= 0 && (fl & FD_CLOEXEC), "the connection is close-on-exec");
	close(fd);
	close(lfd);
	fd = 7;
	is_int(al_connect_nb(p, &fd), 0, "al_connect_nb: a socket file without "
	       "its listener is refused (dead)");
	is_int(fd, -1, "refused: no fd handed out");
	unlink(p);
	ok(al_connect_nb(p, &fd) == -1 && errno == ENOENT, "a missing path is an error");
	ok(al_connect_nb("/tmp/" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
			 &fd) == -1 && errno == ENAMETOOLONG,
	   "a path too long for sun_path is an error");

	/* A listener that accepts nothing: backlog 0 holds one connection,
	 * the next finds it full. */
	lfd = unixsock_at(p, 0);
	held = -1;
	fd2 = -1;
	if (al_connect_nb(p, &held) != 1)
		bail("first connection");
	ok(al_connect_nb(p, &fd2) == -1 && errno == EAGAIN && fd2 == -1,
	   "a full backlog is an error (EAGAIN), not a connection");
	is_int(al_probe(p), 1, "...which al_probe() still counts as alive");
	close(held);
	close(lfd);
	unlink(p);
}

static void
arguments(void)
{
	int fds[AL_QUERY_MAX + 1], neg = -1;
	enum al_answer res[AL_QUERY_MAX + 1];
	long us = 99;
	long long el;

	memset(fds, 0, sizeof(fds));
	ok(al_agent_query(fds, AL_QUERY_MAX + 1, 100, res, NULL) == -1 &&
	   errno == EINVAL, "more than AL_QUERY_MAX fds: EINVAL");
	ok(al_agent_query(fds, 1, -1, res, NULL) == -1 && errno == EINVAL,
	   "a negative timeout: EINVAL");
	ok(al_agent_query(fds, 1, 100, NULL, NULL) == -1 && errno == EINVAL,
	   "no result array: EINVAL");
	is_int(al_agent_query(NULL, 0, 100, NULL, NULL), 0, "no fds: 0 answered");
	el = now_us();
	ok(al_agent_query(&neg, 1, LONG_MS, res, &us) == 0 && res[0] == AL_ANS_BAD &&
	   us == 0 && now_us() - el < SOON_MS * 1000L,
	   "a negative fd: BAD at once");
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(root) == NULL)
		return 1;
	connects();
	arguments();
	answers();
	slow();
	bad();
	silent();
	interrupted();
	together();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
