/*
 * test_tmuxparse - what agentlink tmux reads, parsed: tmux's -F lines,
 * $TMUX, an environ block, and the session links' names, with the odd and
 * hostile inputs each may bring.
 */
#include <stdio.h>
#include <string.h>

#include "tmuxparse.h"
#include "tap.h"

static void
lines(void)
{
	struct tm_line l;

	ok(tm_parse_line("S $3 4711", &l) == 0 && l.kind == TM_LINE_SESSION &&
	   l.sid == 3 && l.pid == 4711, "S $3 4711: session 3 of server 4711");
	ok(tm_parse_line("S $0 1", &l) == 0 && l.sid == 0, "session id 0 is one");
	ok(tm_parse_line("C 812 $2 1795636202", &l) == 0 && l.kind == TM_LINE_CLIENT &&
	   l.pid == 812 && l.sid == 2 && l.activity == 1795636202,
	   "C 812 $2 1795636202: client 812 in session 2, active then");
	ok(tm_parse_line("S 3 4711", &l) == -1, "a session id without $ is refused");
	ok(tm_parse_line("S $3 4711 ", &l) == -1, "trailing space is refused");
	ok(tm_parse_line("S $3 0", &l) == -1, "server pid 0 is refused");
	ok(tm_parse_line("S $3 99999999", &l) == -1, "a pid over the kernel's limit is refused");
	ok(tm_parse_line("S $03 4711", &l) == -1, "leading zeros are refused");
	ok(tm_parse_line("C 812 $2", &l) == -1, "a client line without activity is refused");
	ok(tm_parse_line("C -812 $2 1", &l) == -1, "a signed pid is refused");
	ok(tm_parse_line("C 812 $2 12345678901234567890", &l) == -1,
	   "an activity too long for 18 digits is refused");
	ok(tm_parse_line("X $1 2", &l) == -1 && tm_parse_line("", &l) == -1,
	   "other lines and empty ones are refused");
}

static void
pids(void)
{
	long pid;

	ok(tm_parse_pid("4711", &pid) == 0 && pid == 4711, "4711 is a pid");
	ok(tm_parse_pid("", &pid) == -1 && tm_parse_pid("0", &pid) == -1 &&
	   tm_parse_pid("12a", &pid) == -1 && tm_parse_pid(" 12", &pid) == -1 &&
	   tm_parse_pid("4194305", &pid) == -1,
	   "empty, zero, trailing text, a space, over the limit: none");
}

static void
tmux_env(void)
{
	char sock[64];
	long pid, sid;

	ok(tm_parse_tmux_env("/tmp/tmux-1000/default,4711,3", sock, sizeof(sock),
			     &pid, &sid) == 0 && pid == 4711 && sid == 3,
	   "$TMUX: server 4711, session 3");
	is_str(sock, "/tmp/tmux-1000/default", "... its socket");
	ok(tm_parse_tmux_env("/tmp/a,b/c,4711,0", sock, sizeof(sock), &pid, &sid) == 0 &&
	   strcmp(sock, "/tmp/a,b/c") == 0 && sid == 0,
	   "a socket path with a comma is read from the right");
	ok(tm_parse_tmux_env("/tmp/s,4711", sock, sizeof(sock), &pid, &sid) == -1,
	   "two fields are refused");
	ok(tm_parse_tmux_env("rel/s,4711,3", sock, sizeof(sock), &pid, &sid) == -1,
	   "a relative socket is refused");
	ok(tm_parse_tmux_env("/tmp/s,4711,", sock, sizeof(sock), &pid, &sid) == -1 &&
	   tm_parse_tmux_env("/tmp/s,,3", sock, sizeof(sock), &pid, &sid) == -1,
	   "empty numbers are refused");
	ok(tm_parse_tmux_env("/tmp/s,47x1,3", sock, sizeof(sock), &pid, &sid) == -1,
	   "a pid that is not a number is refused");
	ok(tm_parse_tmux_env("/tmp/very/long/socket/path,1,3", sock, 8, &pid, &sid) == -1,
	   "a socket longer than the buffer is refused");
	ok(tm_parse_tmux_env("", sock, sizeof(sock), &pid, &sid) == -1 &&
	   tm_parse_tmux_env(",1,2", sock, sizeof(sock), &pid, &sid) == -1,
	   "empty and socketless values are refused");
}

static void
environ_block(void)
{
	static const char env[] = "A=1\0SSH_AUTH_SOCKX=no\0SSH_AUTH_SOCK=/tmp/s\0B=2";
	static const char cut[] = "A=1\0SSH_AUTH_SOCK=/tmp/s";

	is_str(tm_environ_get(env, sizeof(env), "SSH_AUTH_SOCK"), "/tmp/s",
	       "SSH_AUTH_SOCK found, a longer name skipped");
	ok(tm_environ_get(env, sizeof(env), "C") == NULL, "a name not there is NULL");
	ok(tm_environ_get(cut, sizeof(cut) - 1, "SSH_AUTH_SOCK") == NULL,
	   "a last string cut without its NUL is not read");
	is_str(tm_environ_get("SSH_AUTH_SOCK=\0", 15, "SSH_AUTH_SOCK"), "",
	       "an empty value is empty");
	ok(tm_environ_get("", 0, "SSH_AUTH_SOCK") == NULL, "an empty block has nothing");
}

static void
link_names(void)
{
	char p[AL_SUN_PATH_MAX], longl[120];
	long pid, sid;

	ok(tm_link_path("/home/a/.ssh/agent-h.sock", 4711, 3, p, sizeof(p)) == 0,
	   "a session link's path");
	is_str(p, "/home/a/.ssh/agent-h.sock.tmux-4711-3", "... is the host link's plus .tmux-PID-ID");
	memset(longl, 'x', 100);
	longl[0] = '/';
	longl[100] = '\0';
	ok(tm_link_path(longl, 4711, 3, p, sizeof(p)) == -1,
	   "a path over 107 bytes is refused");
	ok(tm_link_name_parse("agent-h.sock.tmux-4711-3", "agent-h.sock", &pid, &sid) == 0 &&
	   pid == 4711 && sid == 3, "its name gives server 4711, session 3");
	ok(tm_link_name_parse("agent-h.sock", "agent-h.sock", &pid, &sid) == -1,
	   "the host link itself is none");
	ok(tm_link_name_parse("agent-h.sock.tmux-4711-3.tmp", "agent-h.sock", &pid, &sid) == -1 &&
	   tm_link_name_parse(".agent-h.sock.tmux-4711-3.1234abcd.tmp", "agent-h.sock",
			      &pid, &sid) == -1,
	   "temporary names and trailing text are none");
	ok(tm_link_name_parse("agent-h.sock.tmux-4711-", "agent-h.sock", &pid, &sid) == -1 &&
	   tm_link_name_parse("agent-h.sock.tmux--3", "agent-h.sock", &pid, &sid) == -1 &&
	   tm_link_name_parse("agent-h.sock.tmux-0-3", "agent-h.sock", &pid, &sid) == -1,
	   "missing or zero numbers are none");
	ok(tm_link_name_parse("agent-x.sock.tmux-4711-3", "agent-h.sock", &pid, &sid) == -1,
	   "another host's link is none");
}

int
main(void)
{
	lines();
	pids();
	tmux_env();
	environ_block();
	link_names();
	return done_testing();
}
