/*
 * test_conn - the connection behind a socket: sshd's titles parsed
 * (al_title_tty), and a real process of ours that titles itself as sshd
 * does (it writes over its argv, as setproctitle() does on Linux) read
 * through /proc (al_conn_read); and the reader of small files under it
 * (al_read_small, al_read_small_at).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conn.h"
#include "log.h"
#include "rule.h"
#include "tap.h"

static char *args_start;
static size_t args_len;

static void
titles(void)
{
	char t[64];

	is_int(al_title_tty("sshd: alice@pts/0", "alice", t, sizeof(t)), AL_TTY_YES,
	       "sshd: alice@pts/0 has a terminal");
	is_str(t, "pts/0", "... named pts/0");
	is_int(al_title_tty("sshd-session: alice@notty", "alice", t, sizeof(t)),
	       AL_TTY_NO, "sshd-session: alice@notty has none");
	is_str(t, "notty", "... and says notty");
	is_int(al_title_tty("sshd-agentlink: alice@pts/1,pts/2", "alice", t, sizeof(t)),
	       AL_TTY_YES, "a connection with two sessions lists both terminals");
	is_str(t, "pts/1,pts/2", "... pts/1,pts/2");
	is_int(al_title_tty("sshd: alice", "alice", t, sizeof(t)), AL_TTY_UNKNOWN,
	       "authenticated, no session yet: not known");
	is_str(t, "", "... and no terminal named");
	is_int(al_title_tty("sshd: alicex@pts/0", "alice", t, sizeof(t)), AL_TTY_UNKNOWN,
	       "another user's name is not this user's");
	is_int(al_title_tty("sshd-session: alice [priv]", "alice", t, sizeof(t)),
	       AL_TTY_UNKNOWN, "the privileged monitor's title says nothing");
	is_int(al_title_tty("bash: alice@pts/0", "alice", t, sizeof(t)), AL_TTY_UNKNOWN,
	       "a title not sshd's says nothing");
	is_int(al_title_tty("sshd: alice@", "alice", t, sizeof(t)), AL_TTY_UNKNOWN,
	       "an empty terminal list says nothing");
	is_int(al_title_tty("sshd: alice@pts/0", "alice", t, 4), AL_TTY_UNKNOWN,
	       "a terminal list longer than the buffer says nothing");
}

/* In the child: the title, over the whole argv area, NUL-padded. */
static void
set_title(const char *title)
{
	memset(args_start, 0, args_len);
	snprintf(args_start, args_len, "%s", title);
}

/* A child that sets each title it reads from the pipe, then says so. */
static pid_t
titled_child(int *cmd, int *ack)
{
	int c2p[2], p2c[2];
	char title[64];
	ssize_t n;
	pid_t pid;

	if (pipe(c2p) != 0 || pipe(p2c) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(c2p[0]);
		close(p2c[1]);
		while ((n = read(p2c[0], title, sizeof(title) - 1)) > 0) {
			title[n] = '\0';
			set_title(title);
			if (write(c2p[1], "k", 1) != 1)
				_exit(1);
		}
		_exit(0);
	}
	close(c2p[1]);
	close(p2c[0]);
	*cmd = p2c[1];
	*ack = c2p[0];
	return pid;
}

static int
retitle(int cmd, int ack, const char *title)
{
	char c;

	return write(cmd, title, strlen(title)) == (ssize_t)strlen(title) &&
	    read(ack, &c, 1) == 1;
}

static void
processes(void)
{
	struct al_conn conn;
	int cmd, ack;
	pid_t pid, ppid;

	/* Run by its path (tests/unit/test_conn), argv has room enough. */
	if (!ok(args_len >= sizeof("sshd: u@pts/3"), "argv can hold a title"))
		return;
	if ((pid = titled_child(&cmd, &ack)) < 0) {
		ok(0, "fork a titled child");
		return;
	}
	ok(retitle(cmd, ack, "sshd: u@pts/3") &&
	   al_conn_read(pid, getuid(), "u", &conn) == 0 && conn.tty == AL_TTY_YES &&
	   strcmp(conn.ttys, "pts/3") == 0 && conn.pid == pid,
	   "a process of ours titled sshd: u@pts/3 has terminal pts/3");
	ppid = conn.ppid;
	is_int(ppid, getpid(), "... its parent is read from /proc");
	ok(conn.start > 0, "... and its start time");
	ok(al_conn_read(pid, getuid() + 1, "u", &conn) == -1,
	   "a process whose uids are not the user's is not read");
	ok(retitle(cmd, ack, "sshd: u@notty") &&
	   al_conn_read(pid, getuid(), "u", &conn) == 0 && conn.tty == AL_TTY_NO,
	   "retitled sshd: u@notty: no terminal");
	ok(retitle(cmd, ack, "sshd: u") &&
	   al_conn_read(pid, getuid(), "u", &conn) == 0 && conn.tty == AL_TTY_UNKNOWN,
	   "retitled sshd: u: not known yet");
	ok(retitle(cmd, ack, "bash") && al_conn_read(pid, getuid(), "u", &conn) == -1,
	   "a process not titled as sshd is no connection");
	close(cmd);
	close(ack);
	waitpid(pid, NULL, 0);
	ok(al_conn_read(pid, getuid(), "u", &conn) == -1,
	   "a process that is gone is no connection");
}

/* A large file (a process's environ, copied) is read whole, up to the
 * buffer; a symbolic link is not followed by the _at form. */
static void
small_files(void)
{
	static char big[20000], buf[32768];
	ssize_t n;
	int pfd;

	memset(big, 'x', sizeof(big) - 1);
	setenv("TEST_CONN_BIG", big, 1);
	/* Our own environ is the one exec gave us: read a child's. */
	if (system("exec env TEST_CONN_BIG=\"$TEST_CONN_BIG\" sh -c "
		   "'cat /proc/$$/environ > /tmp/test_conn_environ'") != 0)
		diag("could not copy a large environ");
	n = al_read_small("/tmp/test_conn_environ", buf, sizeof(buf));
	ok(n > 20000 && memmem(buf, (size_t)n, big, sizeof(big) - 1) != NULL,
	   "al_read_small reads a file of %zd bytes whole", n);
	is_int((int)al_read_small("/tmp/test_conn_environ", buf, 5), 4,
	       "... and at most sz - 1 bytes, NUL-ended");
	pfd = open("/proc/self", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	n = al_read_small_at(pfd, "environ", buf, sizeof(buf));
	ok(n >= 0, "al_read_small_at reads /proc/<pid>/environ through a held "
	   "directory (%zd bytes)", n);
	if (symlink("/tmp/test_conn_environ", "/tmp/test_conn_link") != 0)
		diag("symlink failed");
	is_int((int)al_read_small_at(AT_FDCWD, "/tmp/test_conn_link", buf,
				     sizeof(buf)), -1,
	       "al_read_small_at does not follow a symbolic link");
	ok(al_read_small("/tmp/test_conn_link", buf, sizeof(buf)) > 0,
	   "al_read_small does (a dot file may be a link to a dotfiles tree)");
	close(pfd);
	unlink("/tmp/test_conn_link");
	unlink("/tmp/test_conn_environ");
	unsetenv("TEST_CONN_BIG");
}

int
main(int argc, char **argv)
{
	args_start = argv[0];
	args_len = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) + 1 - argv[0]);
	titles();
	processes();
	small_files();
	return done_testing();
}
