/*
 * test_module - pam_agentlink.so through the real libpam.
 *
 * Runs as root inside tests/lib/ns-run (private /tmp, /home, /dev/log,
 * users alice and bob), as sshd would: the test process is the "monitor"
 * that opens and closes sessions, with real listening sockets laid out
 * as sshd lays them in both layouts.  It is a child subreaper, so the
 * module's detached watch becomes its grandchild-in-law and can be
 * waited for and counted.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "sunpath.h"
#include "tap.h"

#define CONFDIR "/run/agentlink-test/pam.d"
#define LINK "/home/alice/.ssh/agent-labhost.sock"
#define HOME_AGENT "/home/alice/.ssh/agent"

static const char *module;
static uid_t alice_uid, bob_uid;
static int seq;

static int
conv(int n, const struct pam_message **m, struct pam_response **r, void *d)
{
	(void)n; (void)m; (void)r; (void)d;
	return PAM_CONV_ERR;
}

static const struct pam_conv pconv = { conv, NULL };

/* A service file with pam_permit first, so "optional" is what it says. */
static const char *
service(const char *args)
{
	static char name[32];
	char path[128];
	FILE *f;

	snprintf(name, sizeof(name), "svc%d", ++seq);
	snprintf(path, sizeof(path), CONFDIR "/%s", name);
	if ((f = fopen(path, "w")) == NULL)
		exit(1);
	fprintf(f, "session required pam_permit.so\n"
		"session optional %s conf=/run/agentlink-test/none.conf probe=0 %s\n",
		module, args);
	fclose(f);
	return name;
}

struct sess {
	pam_handle_t *pamh;
	int open_rc;
};

static struct sess
open_as(const char *svc, const char *user, const char *tty)
{
	struct sess s = { NULL, -1 };

	if (pam_start_confdir(svc, user, &pconv, CONFDIR, &s.pamh) != PAM_SUCCESS)
		exit(1);
	pam_set_item(s.pamh, PAM_TTY, tty);
	s.open_rc = pam_open_session(s.pamh, 0);
	return s;
}

static struct sess
open_s(const char *svc)
{
	return open_as(svc, "alice", "ssh");
}

static int
close_s(struct sess *s)
{
	int rc = pam_close_session(s->pamh, 0);

	pam_end(s->pamh, rc);
	return rc;
}

static const char *
link_target(void)
{
	static char buf[256];
	ssize_t n = readlink(LINK, buf, sizeof(buf) - 1);

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static void
set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

/* A listening socket at path owned by uid; returns the listener. */
static int
listen_as(const char *path, uid_t uid)
{
	struct sockaddr_un sun;
	int fd;

	/* Made by uid, as sshd makes a user's: the kernel's list of
	 * listening sockets names that owner. */
	(void)setfsuid(uid);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	(void)setfsuid(geteuid());
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    lchown(path, uid, uid) != 0 || listen(fd, 16) != 0) {
		diag("listen_as %s: %s", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* sshd's older layout: /tmp/ssh-XXXXXXXXXX/agent.<pid>, mode 0700. */
struct tsock {
	char path[AL_SUN_PATH_MAX];
	int fd;
};

static struct tsock
tmp_sock(uid_t uid, long pid)
{
	struct tsock t;
	char dir[] = "/tmp/ssh-XXXXXXXXXX";

	if (mkdtemp(dir) == NULL || chown(dir, uid, uid) != 0)
		exit(1);
	snprintf(t.path, sizeof(t.path), "%s/agent.%ld", dir, pid);
	t.fd = listen_as(t.path, uid);
	return t;
}

static void
home_agent_dir(void)
{
	mkdir("/home/alice/.ssh", 0700);
	mkdir(HOME_AGENT, 0700);
	if (chown("/home/alice/.ssh", alice_uid, alice_uid) != 0 ||
	    chown(HOME_AGENT, alice_uid, alice_uid) != 0)
		exit(1);
}

/* OpenSSH >= 10.1: ~/.ssh/agent/s.<hash>.sshd.<random>. */
static struct tsock
home_sock(const char *hash, const char *rnd)
{
	struct tsock t;

	home_agent_dir();
	snprintf(t.path, sizeof(t.path), HOME_AGENT "/s.%s.sshd.%s", hash, rnd);
	t.fd = listen_as(t.path, alice_uid);
	return t;
}

static void
kill_sock(struct tsock *t)
{
	close(t->fd);		/* the file stays: a dead socket */
	t->fd = -1;
}

static void
reset(void)
{
	if (system("rm -rf /tmp/ssh-* /home/alice/.ssh /home/alice/.ssh.* ") != 0)
		diag("reset failed");
}

/* Waits up to ms for path to be gone. */
static int
wait_gone(const char *path, int ms)
{
	struct stat st;

	for (; ms > 0; ms--) {
		if (lstat(path, &st) != 0 && errno == ENOENT)
			return 1;
		usleep(1000);
	}
	return 0;
}

static int
wait_link(const char *want, int ms)
{
	const char *t;

	for (; ms > 0; ms--) {
		t = link_target();
		if (want == NULL ? t == NULL : (t != NULL && strcmp(t, want) == 0))
			return 1;
		usleep(1000);
	}
	return 0;
}

/* Reaps orphans handed to us; returns how many were still running. */
static int
reap_all(int ms)
{
	int running;

	for (;;) {
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		running = 0;
		{
			DIR *d = opendir("/proc/self/task");
			struct dirent *de;
			char path[300], buf[64];
			FILE *f;

			while (d && (de = readdir(d)) != NULL) {
				if (de->d_name[0] == '.')
					continue;
				snprintf(path, sizeof(path),
					 "/proc/self/task/%s/children", de->d_name);
				if ((f = fopen(path, "r")) == NULL)
					continue;
				if (fgets(buf, sizeof(buf), f) != NULL && buf[0] != '\0' &&
				    buf[0] != '\n')
					running = 1;
				fclose(f);
			}
			if (d)
				closedir(d);
		}
		if (!running || ms <= 0)
			return running;
		usleep(1000);
		ms--;
	}
}

static int
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while ((de = readdir(d)) != NULL)
		n++;
	closedir(d);
	return n;
}

static int
no_temp_files(void)
{
	DIR *d = opendir("/home/alice/.ssh");
	struct dirent *de;
	int clean = 1;

	while (d && (de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp") != NULL)
			clean = 0;
	if (d)
		closedir(d);
	return clean;
}

/* A logged line holds needle, and also unless that is NULL. */
static int
syslog_has_both(const char *needle, const char *also)
{
	char line[2048];
	const char *path = getenv("NS_SYSLOG");
	FILE *f = fopen(path ? path : "/var/log/syslog", "r");
	int hit = 0;

	while (f && fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL &&
		    (also == NULL || strstr(line, also) != NULL))
			hit = 1;
	if (f)
		fclose(f);
	return hit;
}


static int
wait_syslog_both(const char *needle, const char *also)
{
	int ms;

	for (ms = 0; ms < 3000; ms++) {
		if (syslog_has_both(needle, also))
			return 1;
		usleep(1000);
	}
	return 0;
}

static int
wait_syslog(const char *needle)
{
	return wait_syslog_both(needle, NULL);
}

/* A pid that no process has: a reaped child's. */
static long
dead_pid(void)
{
	pid_t p = fork();

	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (long)p;
}

static void
test_basics(void)
{
	const char *svc = service("");
	struct sess s;
	struct tsock a, b;
	struct stat st;

	reset();
	s = open_s(svc);
	is_int(s.open_rc, PAM_SUCCESS, "open with no socket: the session opens");
	ok(link_target() == NULL, "no live socket: no link");
	is_str(pam_getenv(s.pamh, "AGENTLINK_SOCK"), LINK,
	       "AGENTLINK_SOCK is published");
	close_s(&s);

	a = tmp_sock(alice_uid, 101);
	s = open_s(svc);
	is_str(link_target(), a.path, "one live /tmp socket: linked to it");
	ok(lstat(LINK, &st) == 0 && st.st_uid == alice_uid,
	   "the link belongs to alice");
	ok(stat("/home/alice/.ssh", &st) == 0 && st.st_uid == alice_uid &&
	   (st.st_mode & 0777) == 0700, "a missing ~/.ssh is created 0700 by alice");

	set_mtime(a.path, time(NULL) - 100);
	b = tmp_sock(alice_uid, 102);
	close_s(&s);
	s = open_s(svc);
	is_str(link_target(), a.path, "policy=keep: a newer socket does not steal a live link");
	close_s(&s);
	/* Nothing changed: said at debug level only.  The debug login's
	 * line comes after the quiet one's would have, from one sender. */
	s = open_s(service("debug"));
	close_s(&s);
	ok(wait_syslog_both("kept " LINK " -> ", "<87>") &&
	   !syslog_has_both("kept " LINK " -> ", "<86>"),
	   "a kept link is logged only with debug, at level debug");

	s = open_s(service("policy=newest"));
	is_str(link_target(), b.path, "policy=newest: moves to the newer socket");
	close_s(&s);

	s = open_s(service("policy=newest"));
	kill_sock(&b);
	close_s(&s);
	is_str(link_target(), a.path, "close relinks from a dead socket to a live one");
	ok(wait_syslog("relinked " LINK " from "), "the relink is logged with both ends");

	s = open_s(svc);
	kill_sock(&a);
	close_s(&s);
	ok(link_target() == NULL, "close removes the link when nothing is live");
	ok(wait_syslog("removed " LINK ", which pointed at"), "the removal is logged");
	unlink(a.path);
	s = open_s(svc);
	if (symlink(a.path, LINK) != 0)
		diag("symlink: %s", strerror(errno));
	close_s(&s);
	ok(wait_syslog("(its socket is gone, and no other"),
	   "a link whose socket sshd already removed is logged as gone");
	ok(no_temp_files(), "no temporary file is left in ~/.ssh");
}

static void
test_relink_on_open(void)
{
	const char *svc = service("wait=0");
	struct tsock a, b;
	struct sess s;

	reset();
	a = tmp_sock(alice_uid, 201);
	s = open_s(svc);
	close_s(&s);
	is_str(link_target(), a.path, "linked to A");
	b = home_sock("AQuO2QT9yn", "Bbbbbbbbb1");
	kill_sock(&a);
	s = open_s(svc);
	is_str(link_target(), b.path,
	       "open mends a link to a dead socket from another live connection "
	       "(~/.ssh/agent layout)");
	close_s(&s);
	kill_sock(&b);
}

/*
 * Like sshd's post-auth child: a child of the "monitor", running as
 * alice, creates the socket (home layout when rnd is set, else
 * agent.<its pid> in a new /tmp/ssh-X) and keeps it until *stop closes.
 */
static pid_t
sshd_child_sock(const char *rnd, char *path, size_t pathsz, int *stop)
{
	int go[2], ready[2];
	pid_t child;
	char c;

	if (pipe(go) != 0 || pipe(ready) != 0)
		exit(1);
	child = fork();
	if (child == 0) {
		struct tsock t;

		close(go[1]);
		close(ready[0]);
		if (setresgid(alice_uid, alice_uid, alice_uid) != 0 ||
		    setresuid(alice_uid, alice_uid, alice_uid) != 0)
			_exit(1);
		if (rnd != NULL)
			t = home_sock("AQuO2QT9yn", rnd);
		else
			t = tmp_sock(alice_uid, (long)getpid());
		if (write(ready[1], t.path, strlen(t.path) + 1) < 0)
			_exit(1);
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], path, pathsz) <= 0)
		exit(1);
	close(ready[0]);
	*stop = go[1];
	return child;
}

/* The socket appears after open_session returned, as with sshd. */
static void
test_watch(void)
{
	const char *svc = service("wait=5");
	char path[AL_SUN_PATH_MAX];
	struct sess s;
	pid_t child;
	int stop;

	reset();
	s = open_s(svc);
	ok(reap_all(0) == 1, "with nothing live, open starts a watch");
	child = sshd_child_sock(NULL, path, sizeof(path), &stop);
	ok(wait_link(path, 3000), "the watch links the /tmp socket that appears "
	   "after open");
	close(stop);
	waitpid(child, NULL, 0);
	ok(reap_all(3000) == 0, "the watch ends once its connection's socket is live");
	close_s(&s);

	/* ~/.ssh/agent does not exist yet when the watch starts. */
	reset();
	s = open_s(svc);
	child = sshd_child_sock("Wwwwwwwww1", path, sizeof(path), &stop);
	ok(wait_link(path, 3000),
	   "the watch follows ~/.ssh/agent into existence and links its socket");
	close_s(&s);
	ok(reap_all(3000) == 1, "close leaves only the socket's own process");
	close(stop);
	waitpid(child, NULL, 0);

	/* No socket ever appears (a login without -A): close ends the watch. */
	reset();
	s = open_s(service("wait=60"));
	ok(reap_all(0) == 1, "a watch runs for a login without forwarding");
	close_s(&s);
	ok(reap_all(1000) == 0, "close_session stops the watch at once");

	/* The watch gives up by itself after wait= seconds. */
	s = open_s(service("wait=1"));
	ok(reap_all(3000) == 0, "the watch ends by itself after wait=1");
	close_s(&s);
}

/* The only child of this process (the watch), or 0. */
static pid_t
watch_pid(void)
{
	char path[64], buf[64];
	FILE *f;
	long pid = 0;

	snprintf(path, sizeof(path), "/proc/self/task/%ld/children",
		 (long)getpid());
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL || sscanf(buf, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	return (pid_t)pid;
}

/*
 * The inotify watches of process pid: how many, and whether one is on the
 * inode ino of /tmp's file system (its fdinfo lines, "inotify wd:N
 * ino:HEX sdev:HEX", sdev the kernel's major << 20 | minor).
 */
static int
inotify_watches(pid_t pid, ino_t ino, int *has_ino)
{
	char path[320], line[512], target[64];
	struct dirent *de;
	unsigned long long wino, wdev;
	struct stat tmp;
	int n = 0;
	ssize_t len;
	FILE *f;
	DIR *d;

	*has_ino = 0;
	if (stat("/tmp", &tmp) != 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/fd", (long)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/%ld/fd/%s", (long)pid, de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		if (strcmp(target, "anon_inode:inotify") != 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%ld/fdinfo/%s", (long)pid,
			 de->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		while (fgets(line, sizeof(line), f) != NULL)
			if (sscanf(line, "inotify wd:%*d ino:%llx sdev:%llx", &wino,
				   &wdev) == 2) {
				n++;
				if ((ino_t)wino == ino &&
				    wdev >> 20 == major(tmp.st_dev) &&
				    (wdev & 0xfffff) == minor(tmp.st_dev))
					*has_ino = 1;
			}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* Makes /tmp/<name>, owned by uid, mode mode; returns its inode. */
static ino_t
tmp_dir_of(const char *name, uid_t uid, mode_t mode)
{
	char path[AL_SUN_PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/tmp/%s", name);
	if (mkdir(path, mode) != 0 || chown(path, uid, uid) != 0 ||
	    chmod(path, mode) != 0 || stat(path, &st) != 0)
		diag("mkdir %s: %s", path, strerror(errno));
	return st.st_ino;
}

/* Waits up to ms for the watch pid to watch inode ino; the number of its
 * watches then, or -1. */
static int
wait_watched(pid_t pid, ino_t ino, int ms)
{
	int n, has;

	for (; ms > 0; ms--) {
		if ((n = inotify_watches(pid, ino, &has)) >= 0 && has)
			return n;
		usleep(1000);
	}
	return -1;
}

/*
 * Another user's per-connection directories in /tmp, readable by all,
 * are never watched: each watch would be charged to alice's inotify
 * limit, and bob could use it up.  inotify reports in order, so once
 * alice's second directory is watched, bob's were all seen before it.
 */
static void
test_watch_foreign(void)
{
	char name[32];
	ino_t mine;
	pid_t w;
	int i, n1, n2, has, bob_watched = 0;
	ino_t bobs[50];
	struct sess s;

	reset();
	s = open_s(service("wait=10"));
	w = watch_pid();
	mine = tmp_dir_of("ssh-aliceDir01", alice_uid, 0700);
	n1 = wait_watched(w, mine, 3000);
	ok(w > 0 && n1 > 0, "the watch watches alice's new /tmp/ssh-* directory "
	   "(%d watches)", n1);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof(name), "ssh-bobDir%04d", i);
		bobs[i] = tmp_dir_of(name, bob_uid, 0755);
	}
	mine = tmp_dir_of("ssh-aliceDir02", alice_uid, 0700);
	n2 = wait_watched(w, mine, 3000);
	for (i = 0; i < 50; i++) {
		(void)inotify_watches(w, bobs[i], &has);
		bob_watched += has;
	}
	/* Not n2 == n1 + 1: the watch may still be adding its own first
	 * watches when n1 is read (slow under the sanitizers). */
	ok(n2 > 0 && bob_watched == 0, "none of bob's 50 readable /tmp/ssh-* "
	   "directories is watched, alice's second one is (%d watches, then "
	   "%d; %d of bob's)", n1, n2, bob_watched);
	close_s(&s);
	ok(reap_all(1000) == 0, "close stops that watch");
}

/*
 * A connection as policy=interactive sees it, with a monitor of its own
 * (the watch knows its connection's socket by the monitor): a process
 * that opens a session, then forks the connection's sshd process, which
 * runs as alice, titles itself as sshd does (written over its argv, as
 * setproctitle() does) and makes its socket agent.<its pid> in a new
 * /tmp/ssh-X.  Each title written to cmd is passed on to that process and
 * acknowledged on ack; closing cmd ends the process, its socket with it,
 * then closes the session.
 */
struct conn {
	pid_t monitor;
	int cmd, ack;
	char path[AL_SUN_PATH_MAX];
};

static char *args_start;
static size_t args_len;

static void
set_title(const char *title)
{
	memset(args_start, 0, args_len);
	snprintf(args_start, args_len, "%s", title);
}

/* Only in, out and the standard descriptors stay: a process holding
 * another's pipe would keep it from seeing its end. */
static void
keep_only(int in, int out)
{
	int fd;

	for (fd = 3; fd < 1024; fd++)
		if (fd != in && fd != out)
			close(fd);
}

/* Passes titles from in to the process's own argv, acknowledging each on
 * out, until in closes. */
static void
relay_titles(int in, int out, const struct conn *to)
{
	char title[64], k;
	ssize_t n;

	while ((n = read(in, title, sizeof(title) - 1)) > 0) {
		title[n] = '\0';
		if (to == NULL)
			set_title(title);
		else if (write(to->cmd, title, (size_t)n) != n || read(to->ack, &k, 1) != 1)
			_exit(1);
		if (write(out, "k", 1) != 1)
			_exit(1);
	}
}

/* Forks a process that runs body(in, out, arg); c gets the pipes' ends. */
static pid_t
spawn(struct conn *c, void (*body)(int, int, const void *), const void *arg)
{
	int p2c[2], c2p[2];
	pid_t pid;

	if (pipe(p2c) != 0 || pipe(c2p) != 0)
		exit(1);
	if ((pid = fork()) == 0) {
		keep_only(p2c[0], c2p[1]);
		body(p2c[0], c2p[1], arg);
		_exit(0);
	}
	close(p2c[0]);
	close(c2p[1]);
	c->cmd = p2c[1];
	c->ack = c2p[0];
	return pid;
}

/* The connection's sshd process: alice, titled, listening. */
static void
sshd_process(int in, int out, const void *title)
{
	struct tsock t;

	if (setresgid(alice_uid, alice_uid, alice_uid) != 0 ||
	    setresuid(alice_uid, alice_uid, alice_uid) != 0)
		_exit(1);
	set_title(title);
	t = tmp_sock(alice_uid, (long)getpid());
	if (write(out, t.path, strlen(t.path) + 1) < 0)
		_exit(1);
	relay_titles(in, out, NULL);
}

struct conn_spec {
	const char *svc, *title;
};

/* The monitor: the session, opened before the socket exists. */
static void
monitor_process(int in, int out, const void *arg)
{
	const struct conn_spec *spec = arg;
	struct conn child;
	struct sess s = open_s(spec->svc);
	pid_t pid = spawn(&child, sshd_process, spec->title);

	if (read(child.ack, child.path, sizeof(child.path)) <= 0 ||
	    write(out, child.path, strlen(child.path) + 1) < 0)
		_exit(1);
	relay_titles(in, out, &child);
	close(child.cmd);
	waitpid(pid, NULL, 0);
	close_s(&s);
}

static struct conn
conn_start(const char *svc, const char *title)
{
	struct conn_spec spec = { svc, title };
	struct conn c;

	memset(&c, 0, sizeof(c));
	c.monitor = spawn(&c, monitor_process, &spec);
	if (read(c.ack, c.path, sizeof(c.path)) <= 0)
		exit(1);
	return c;
}

static int
conn_title(struct conn *c, const char *title)
{
	char k;

	return write(c->cmd, title, strlen(title)) == (ssize_t)strlen(title) &&
	    read(c->ack, &k, 1) == 1;
}

/* Ends the connection: its sshd process, then its session. */
static void
conn_end(struct conn *c)
{
	close(c->cmd);
	close(c->ack);
	waitpid(c->monitor, NULL, 0);
}

/* Children still running, after reaping what ended. */
static int
count_children(void)
{
	char path[64], buf[512], *p;
	int n = 0;
	FILE *f;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	snprintf(path, sizeof(path), "/proc/self/task/%ld/children", (long)getpid());
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) != NULL)
		for (p = strtok(buf, " \n"); p != NULL; p = strtok(NULL, " \n"))
			n++;
	fclose(f);
	return n;
}

/* Waits up to ms for exactly want children; returns how many there are. */
static int
wait_children(int want, int ms)
{
	int n;

	while ((n = count_children()) != want && ms-- > 0)
		usleep(1000);
	return n;
}

/*
 * policy=interactive: a connection with a terminal takes the link from a
 * notty one, also when its title shows the terminal only after its
 * socket exists (sshd makes the socket first); a later notty connection
 * leaves it there; when it ends, the link goes back to a notty one.
 */
static void
test_interactive(void)
{
	const char *svc = service("policy=interactive wait=5 debug");
	struct conn n1, t, n2;

	reset();
	n1 = conn_start(svc, "sshd: alice@notty");
	ok(wait_link(n1.path, 3000), "interactive: a notty connection alone is linked");
	is_int(wait_children(1, 3000), 1, "... and its watch ends");

	t = conn_start(svc, "sshd: alice");
	ok(wait_syslog_both("waiting for its session to show a terminal", t.path) &&
	   strcmp(link_target(), n1.path) == 0,
	   "interactive: a new connection whose session has not started leaves the link");
	is_int(count_children(), 3, "... its watch runs, though the link is alive");
	ok(conn_title(&t, "sshd: alice@pts/0") && wait_link(t.path, 3000),
	   "interactive: once its title shows a terminal the watch moves the link to it");
	ok(wait_syslog_both("policy=interactive prefers the newest connection with a "
			    "terminal", t.path), "... saying why");
	is_int(wait_children(2, 3000), 2, "... and ends");

	n2 = conn_start(svc, "sshd: alice@notty");
	is_int(wait_children(3, 3000), 3, "interactive: the later notty connection's "
	       "watch ends once its socket is live and its title known");
	is_str(link_target(), t.path, "... and the link stays on the terminal connection");

	conn_end(&t);
	is_str(link_target(), n2.path, "interactive: when the terminal connection ends, "
	       "close links the newest notty one");
	conn_end(&n2);
	conn_end(&n1);
	is_int(wait_children(0, 3000), 0, "interactive: nothing left running");
}

static void
test_cleanup(void)
{
	struct tsock live, dead_tmp, dead_home, other_host, young_home, future_home;
	char dir[AL_SUN_PATH_MAX];
	struct sess s;
	struct stat st;

	reset();
	live = tmp_sock(alice_uid, (long)getpid());
	dead_tmp = tmp_sock(alice_uid, dead_pid());
	dead_home = home_sock("AQuO2QT9yn", "Dddddddd01");
	other_host = home_sock("OtherHost1", "Oooooooo01");
	kill_sock(&dead_tmp);
	kill_sock(&dead_home);
	kill_sock(&other_host);
	set_mtime(dead_tmp.path, time(NULL) - 60);
	/* OpenSSH's rule for the home: an hour. */
	set_mtime(dead_home.path, time(NULL) - 3700);
	set_mtime(other_host.path, time(NULL) - 3700);
	young_home = home_sock("AQuO2QT9yn", "Dddddddd03");
	future_home = home_sock("AQuO2QT9yn", "Dddddddd04");
	kill_sock(&young_home);
	kill_sock(&future_home);
	set_mtime(young_home.path, time(NULL) - 600);
	set_mtime(future_home.path, time(NULL) + 86400);

	s = open_s(service("cleanup=no"));
	close_s(&s);
	ok(lstat(dead_tmp.path, &st) == 0 && lstat(dead_home.path, &st) == 0,
	   "cleanup=no leaves stale sockets alone");

	/* A live link is kept without looking at any other socket. */
	s = open_s(service(""));
	close_s(&s);
	ok(lstat(dead_tmp.path, &st) == 0 && lstat(dead_home.path, &st) == 0,
	   "while the link is alive, nothing else is looked at");

	/* The link goes (its connection ended): a new target is looked for.
	 * Open and close do not list /tmp: its dead sockets are the
	 * watch's. */
	unlink(LINK);
	s = open_s(service(""));
	close_s(&s);
	snprintf(dir, sizeof(dir), "%s", dead_tmp.path);
	*strrchr(dir, '/') = '\0';
	ok(lstat(dead_tmp.path, &st) == 0,
	   "open and close leave a killed session's /tmp socket (they list no "
	   "shared place)");
	ok(lstat(dead_home.path, &st) != 0,
	   "a dead ~/.ssh/agent socket of this host an hour old is removed");
	ok(lstat(young_home.path, &st) == 0,
	   "one ten minutes old is left (the home may be another host's too)");
	ok(lstat(future_home.path, &st) != 0,
	   "one dated in the future is not taken for young: removed");
	ok(lstat(other_host.path, &st) == 0,
	   "another host's socket on a shared home is left alone");
	ok(lstat(live.path, &st) == 0 && link_target() != NULL &&
	   strcmp(link_target(), live.path) == 0, "the live socket stays, linked");
	ok(wait_syslog("removed stale agent socket"), "stale removals are logged");
	/* policy=newest: open starts a watch, which lists /tmp. */
	s = open_s(service("policy=newest"));
	ok(wait_gone(dead_tmp.path, 3000) && wait_gone(dir, 1000),
	   "the watch removes a killed session's /tmp socket and its directory");
	close_s(&s);
	kill_sock(&live);

	/* A young dead socket may be between bind() and listen(), unless
	 * the process that would listen is gone; in the home only age tells. */
	reset();
	dead_tmp = tmp_sock(alice_uid, dead_pid());
	live = tmp_sock(alice_uid, (long)getpid());
	dead_home = home_sock("AQuO2QT9yn", "Dddddddd02");
	kill_sock(&dead_tmp);
	kill_sock(&live);
	kill_sock(&dead_home);
	/* Nothing is alive: open starts the watch, which cleans up. */
	s = open_s(service(""));
	ok(wait_gone(dead_tmp.path, 3000),
	   "the watch removes a young dead /tmp socket whose process is gone "
	   "at once");
	close_s(&s);
	ok(lstat(live.path, &st) == 0,
	   "a young dead /tmp socket whose process runs is kept");
	ok(lstat(dead_home.path, &st) == 0,
	   "a dead ~/.ssh/agent socket younger than 2 s is kept");
}

static void
test_scope_and_env(void)
{
	struct tsock a;
	struct sess s;
	const char *svc;

	reset();
	a = tmp_sock(alice_uid, 301);
	svc = service("");
	s = open_as(svc, "alice", "/dev/tty1");
	is_int(s.open_rc, PAM_SUCCESS, "outside sshd the stack still succeeds");
	ok(link_target() == NULL && pam_getenv(s.pamh, "AGENTLINK_SOCK") == NULL,
	   "outside sshd (PAM_TTY not ssh) the module touches nothing");
	close_s(&s);

	svc = service("services=svc-listed");
	{
		char path[128];

		snprintf(path, sizeof(path), CONFDIR "/%s", svc);
		if (rename(path, CONFDIR "/svc-listed") != 0)
			exit(1);
	}
	s = open_as("svc-listed", "alice", "/dev/tty1");
	is_str(link_target(), a.path, "services= brings another PAM service in scope");
	close_s(&s);

	reset();
	a = tmp_sock(alice_uid, 302);
	s = open_s(service(""));
	kill_sock(&a);
	pam_set_item(s.pamh, PAM_TTY, "/dev/pts/3");
	close_s(&s);
	ok(link_target() == NULL,
	   "close acts even after sshd changed PAM_TTY to the pty");

	s = open_s(service("env=SSH_AUTH_SOCK"));
	is_str(pam_getenv(s.pamh, "SSH_AUTH_SOCK"), LINK,
	       "env=SSH_AUTH_SOCK publishes the link as SSH_AUTH_SOCK");
	close_s(&s);
	s = open_s(service("env=none"));
	ok(pam_getenv(s.pamh, "AGENTLINK_SOCK") == NULL, "env=none publishes nothing");
	close_s(&s);

	s = open_as(service(""), "nosuchuser", "ssh");
	is_int(s.open_rc, PAM_SUCCESS, "an unknown user: the login goes through");
	close_s(&s);
	ok(wait_syslog("user nosuchuser unknown"), "and it is logged");

	s = open_s(service("link=/run/agentlink-test/"
			   "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			   "xxxxxxxxxxxxxxxxxxxxx/%u.sock bogus=1"));
	is_int(s.open_rc, PAM_SUCCESS, "a link path too long for a socket address: "
	       "session optional, the login goes through");
	close_s(&s);
	ok(wait_syslog("longer than a Unix socket address"),
	   "the too-long link path is logged");
	ok(wait_syslog("unknown option \"bogus\" ignored"), "an unknown option is logged by name");
}

static void
test_foreign(void)
{
	struct tsock bobs;
	struct sess s;
	char dir[] = "/tmp/ssh-XXXXXXXXXX", path[128];

	reset();
	/* bob's live socket, and a socket of alice in bob's directory */
	bobs = tmp_sock(bob_uid, 401);
	if (mkdtemp(dir) == NULL || chown(dir, bob_uid, bob_uid) != 0)
		exit(1);
	snprintf(path, sizeof(path), "%s/agent.402", dir);
	{
		int fd = listen_as(path, alice_uid);

		s = open_s(service(""));
		ok(link_target() == NULL,
		   "never links another user's socket, nor one in another user's directory");
		close_s(&s);
		close(fd);
	}
	kill_sock(&bobs);
}

/*
 * A fake agent in a thread of this process (so that reap_all() counts only
 * the module's processes): it answers every request with SSH_AGENT_SUCCESS.
 * A plain listening socket (tmp_sock) is a hung agent: connect() succeeds,
 * nothing ever answers.
 */
struct fake_agent {
	struct tsock s;
	int stop[2];
	pthread_t thread;
	volatile int asked;		/* requests read; read after a join or
					 * once the module's call returned */
};

static void *
fake_agent_run(void *arg)
{
	static const unsigned char success[5] = { 0, 0, 0, 1, 6 };
	struct fake_agent *a = arg;
	struct pollfd pfd[2] = { { a->s.fd, POLLIN, 0 }, { a->stop[0], POLLIN, 0 } };
	unsigned char req[64];
	int c;

	while (poll(pfd, 2, -1) > 0 && !(pfd[1].revents & POLLIN)) {
		if ((c = accept4(a->s.fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		if (read(c, req, sizeof(req)) > 0) {
			__atomic_add_fetch(&a->asked, 1, __ATOMIC_SEQ_CST);
			(void)!write(c, success, sizeof(success));
		}
		close(c);
	}
	return NULL;
}

static void
fake_agent_start(struct fake_agent *a, long pid)
{
	a->s = tmp_sock(alice_uid, pid);
	a->asked = 0;
	if (pipe2(a->stop, O_CLOEXEC) != 0 ||
	    pthread_create(&a->thread, NULL, fake_agent_run, a) != 0)
		exit(1);
}

static void
fake_agent_stop(struct fake_agent *a)
{
	(void)!write(a->stop[1], "x", 1);
	pthread_join(a->thread, NULL);
	close(a->stop[0]);
	close(a->stop[1]);
	kill_sock(&a->s);
}

static int syslog_count(const char *needle);
static void syslog_sync(void);

static void
test_probe(void)
{
	struct fake_agent d;
	struct tsock hung;
	struct sess s;

	/* D answers; A, newer, accepts and never answers. */
	reset();
	fake_agent_start(&d, (long)getpid());
	hung = tmp_sock(alice_uid, 1);	/* alive, and no child of ours */
	set_mtime(d.s.path, time(NULL) - 60);
	home_agent_dir();

	if (symlink(d.s.path, LINK) != 0)
		diag("symlink: %s", strerror(errno));
	s = open_s(service("probe=500 wait=5"));
	ok(s.open_rc == PAM_SUCCESS && reap_all(0) == 0,
	   "probe: a link whose agent answers at once is kept, and no watch starts");
	{
		int asked = __atomic_load_n(&d.asked, __ATOMIC_SEQ_CST);

		close_s(&s);
		/* close waits for no answer, so it only connects: a request
		 * would cost every logout an agent round trip for nothing. */
		ok(asked == 1 && __atomic_load_n(&d.asked, __ATOMIC_SEQ_CST) == 1 &&
		   strcmp(link_target(), d.s.path) == 0,
		   "probe: open asked the link's agent once; close kept the link "
		   "without asking it (asked %d, then %d)", asked,
		   __atomic_load_n(&d.asked, __ATOMIC_SEQ_CST));
	}

	unlink(LINK);
	if (symlink(hung.path, LINK) != 0)
		diag("symlink: %s", strerror(errno));
	s = open_s(service("probe=0 wait=5"));
	ok(reap_all(0) == 0 && strcmp(link_target(), hung.path) == 0,
	   "probe=0: a link that accepts is kept and no watch starts");
	close_s(&s);

	s = open_s(service("probe=300 wait=5"));
	ok(strcmp(link_target(), hung.path) == 0 && reap_all(0) == 1,
	   "probe: open keeps a link that does not answer within a few ms, and "
	   "starts the watch to ask again");
	ok(wait_link(d.s.path, 3000),
	   "probe: the watch moves the link from the hung agent to the one that answers");
	ok(wait_syslog_both("its agent does not answer", hung.path),
	   "probe: the relink is logged naming the hung socket");
	close_s(&s);
	ok(reap_all(1000) == 0, "probe: the watch is gone after close");

	/* The link's connection ended; the hung one is newer, D answers. */
	unlink(LINK);
	if (symlink("/tmp/ssh-Gone000000/agent.1", LINK) != 0)
		diag("symlink: %s", strerror(errno));
	s = open_s(service("probe=300 wait=0"));
	close_s(&s);
	ok(link_target() != NULL && strcmp(link_target(), d.s.path) == 0,
	   "probe: open and close link the older socket that answers, not the "
	   "newer hung one");

	/* close's SIGTERM ends a watch that is asking a hung agent: it is
	 * not left to SIGKILL. */
	fake_agent_stop(&d);
	unlink(LINK);
	if (symlink(hung.path, LINK) != 0)
		diag("symlink: %s", strerror(errno));
	syslog_sync();
	{
		int killed = syslog_count("did not end at once; killed it");

		s = open_s(service("probe=5000 wait=10"));
		ok(reap_all(0) == 1, "probe: a hung link starts the watch");
		close_s(&s);
		syslog_sync();
		ok(reap_all(1000) == 0 &&
		   syslog_count("did not end at once; killed it") == killed,
		   "probe: close's SIGTERM ends a watch waiting for a hung agent");
	}
	kill_sock(&hung);
}

/* Writes path with text (the namespace's private /etc/ssh). */
static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0)
		exit(1);
}

static int
syslog_count(const char *needle)
{
	char line[2048];
	const char *path = getenv("NS_SYSLOG");
	FILE *f = fopen(path ? path : "/var/log/syslog", "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

/* Waits until everything this process logged so far is in the log: the
 * module's lines and this marker go down the same /dev/log connection. */
static void
syslog_sync(void)
{
	static int n;
	char mark[48];

	snprintf(mark, sizeof(mark), "test_module sync %d", ++n);
	syslog(LOG_INFO, "%s", mark);
	if (!wait_syslog(mark))
		diag("the log did not catch up");
}

/* An admin who moves sockets with sshd's AgentSocketPath and forgets the
 * module's option is told so, once per login that finds no link. */
static void
test_sshd_config(void)
{
	const char *warn = "sets AgentSocketPath shared:/srv/agents";
	struct sess s;
	int before;

	reset();
	mkdir("/etc/ssh/sshd_config.d", 0755);
	write_file("/etc/ssh/sshd_config", "Port 22\nInclude sshd_config.d/*.conf\n");
	write_file("/etc/ssh/sshd_config.d/al.conf", "# moved\n"
		   "AgentSocketPath shared:/srv/agents\n");
	syslog_sync();
	before = syslog_count(warn);
	s = open_s(service("wait=0"));
	close_s(&s);
	syslog_sync();
	ok(syslog_count(warn) == before + 1 &&
	   syslog_has_both(warn, "add agentsocketpath=shared:/srv/agents"),
	   "AgentSocketPath in an Included file and not in agentsocketpath=: one line says so");

	before = syslog_count("sets AgentSocketPath");
	s = open_s(service("wait=0 agentsocketpath=user:.ssh/agent,shared:/srv/agents"));
	close_s(&s);
	write_file("/etc/ssh/sshd_config.d/al.conf", "AgentSocketPath=user:.ssh/agent\n");
	s = open_s(service("wait=0"));
	close_s(&s);
	syslog_sync();
	ok(syslog_count("sets AgentSocketPath") == before,
	   "nothing is said when agentsocketpath= covers sshd's value");
	unlink("/etc/ssh/sshd_config.d/al.conf");
}

static void
test_no_leaks(void)
{
	struct tsock a;
	struct sess s;
	int before, i;
	const char *svc = service("");

	reset();
	a = tmp_sock(alice_uid, 501);
	before = count_fds();
	for (i = 0; i < 50; i++) {
		s = open_s(svc);
		close_s(&s);
	}
	kill_sock(&a);
	for (i = 0; i < 20; i++) {
		s = open_s(svc);	/* nothing live: watch started and stopped */
		close_s(&s);
	}
	a.fd = -1;
	is_int(count_fds(), before - 1, "no descriptor left after 70 open/close cycles");
	ok(reap_all(2000) == 0, "no process left after close");
}

int
main(int argc, char **argv)
{
	struct passwd *pw;

	if (argc != 2) {
		fprintf(stderr, "usage: test_module /path/to/pam_agentlink.so\n");
		return 2;
	}
	module = argv[1];
	args_start = argv[0];
	args_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
	if (geteuid() != 0 || getenv("NS_RUN_INSIDE") == NULL) {
		printf("1..0 # SKIP run as root through tests/lib/ns-run\n");
		return 0;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if ((pw = getpwnam("alice")) == NULL)
		return 1;
	alice_uid = pw->pw_uid;
	if ((pw = getpwnam("bob")) == NULL)
		return 1;
	bob_uid = pw->pw_uid;
	mkdir(CONFDIR, 0755);
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_basics();
	test_relink_on_open();
	test_watch();
	test_watch_foreign();
	test_interactive();
	test_cleanup();
	test_scope_and_env();
	test_foreign();
	test_probe();
	test_sshd_config();
	test_no_leaks();
	return done_testing();
}
