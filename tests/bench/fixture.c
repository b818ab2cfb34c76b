/*
 * fixture.c - the world the measurements act in: alice, her link in
 * ~/.ssh, the PAM service directories, and her two sockets under /tmp,
 * one whose agent answers and one whose agent hangs, each in a directory
 * that is moved where no scan looks while a case wants it unseen.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "hosthash.h"
#include "sunpath.h"

struct passwd alice;
char link_path[AL_SUN_PATH_MAX], link_dir[AL_SUN_PATH_MAX];
char hosthash[AL_HOSTHASH_LEN + 1];
char confdir_mod[64], confdir_permit[64], confdir_rc[64], confdir_p0[64],
    confdir_hp[64];
char rc_path[PATH_MAX];
char live_dir[AL_SUN_PATH_MAX], live_sock[AL_SUN_PATH_MAX];
char hung_dir[AL_SUN_PATH_MAX], hung_sock[AL_SUN_PATH_MAX];
#define HIDDEN_DIR "/tmp/.bench-hidden"
#define HIDDEN_HUNG "/tmp/.bench-hidden-hung"

/* ---- the link ---- */

void
set_link(const char *target)
{
	char tmp[AL_SUN_PATH_MAX + 8];

	fmt(tmp, sizeof(tmp), "%s.bench", link_path);
	(void)unlink(tmp);
	if (symlink(target, tmp) != 0 ||
	    lchown(tmp, alice.pw_uid, alice.pw_gid) != 0 ||
	    rename(tmp, link_path) != 0)
		die("link %s -> %s: %m", link_path, target);
}

void
drop_link(void)
{
	if (unlink(link_path) != 0 && errno != ENOENT)
		die("unlink %s: %m", link_path);
}

int
link_is(const char *target)
{
	char buf[AL_SUN_PATH_MAX * 2];
	ssize_t n = readlink(link_path, buf, sizeof(buf) - 1);

	if (n < 0)
		return 0;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

/* ---- the sockets' directories ---- */

/* A socket's directory is moved where no scan looks, and back. */
static void
set_visible(const char *dir, const char *hidden, int visible)
{
	struct stat st;
	int now = stat(dir, &st) == 0;

	if (visible == now)
		return;
	if (visible ? rename(hidden, dir) : rename(dir, hidden))
		die("rename %s: %m", dir);
}

/* The answering agent's socket lives in live_dir: hidden, nothing of
 * alice's answers. */
void
live_visible(int visible)
{
	set_visible(live_dir, HIDDEN_DIR, visible);
}

/* The hung agent's socket: seen only where a case asks for it, or every
 * search for a new target would wait for it. */
void
hung_visible(int visible)
{
	set_visible(hung_dir, HIDDEN_HUNG, visible);
}

/* ---- set-up ---- */

static void
make_confdir(char *out, size_t sz, const char *name, const char *line)
{
	char path[PATH_MAX];

	fmt(out, sz, "%s/%s", BENCH_DIR, name);
	if (mkdir(out, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %m", out);
	fmt(path, sizeof(path), "%s/%s", out, SERVICE);
	write_file(path, line);
}

/*
 * alice's ~/.ssh, where the link is, and the PAM service directories:
 * module (with probe= at its default), permit, the rc script through
 * pam_exec, module-probe0 and module-hungprobe (probe=hung_probe);
 * then the directories of the answering and the hung agent's sockets.
 */
void
setup(const char *module, unsigned hung_probe)
{
	char line[PATH_MAX + 128], *rc = rc_path, script[1024], host[256],
	    shorthost[256];
	struct passwd *pw = getpwnam(USER);

	if (pw == NULL)
		die("no user %s (run inside tests/lib/ns-run)", USER);
	alice = *pw;
	alice.pw_dir = strdup(pw->pw_dir);
	if (al_hostnames(host, sizeof(host), shorthost, sizeof(shorthost)) != 0)
		die("gethostname: %m");
	al_hosthash(host, hosthash);
	fmt(link_dir, sizeof(link_dir), "%s/.ssh", alice.pw_dir);
	fmt(link_path, sizeof(link_path), "%s/agent-%s.sock", link_dir,
		 shorthost);
	if (mkdir(link_dir, 0700) != 0 && errno != EEXIST)
		die("mkdir %s: %m", link_dir);
	if (chown(link_dir, alice.pw_uid, alice.pw_gid) != 0)
		die("chown %s: %m", link_dir);
	if (mkdir(BENCH_DIR, 0755) != 0 && errno != EEXIST)
		die("mkdir %s: %m", BENCH_DIR);

	fmt(line, sizeof(line), "session required %s\n", module);
	make_confdir(confdir_mod, sizeof(confdir_mod), "module", line);
	make_confdir(confdir_permit, sizeof(confdir_permit), "permit",
		     "session required pam_permit.so\n");
	/* The seed's ~/.ssh/rc, run once per login (open_session only). */
	fmt(rc, sizeof(rc_path), "%s/ssh-rc", BENCH_DIR);
	fmt(script, sizeof(script),
		 "LINK=%s\n"
		 "if [ ! -S \"$LINK\" ] && [ -S \"$SSH_AUTH_SOCK\" ]; then\n"
		 "\tln -sf \"$SSH_AUTH_SOCK\" \"$LINK\"\n"
		 "fi\n", link_path);
	write_file(rc, script);
	fmt(line, sizeof(line),
		 "session required pam_permit.so\n"
		 "session required pam_exec.so type=open_session /bin/sh %s\n", rc);
	make_confdir(confdir_rc, sizeof(confdir_rc), "rc", line);
	fmt(line, sizeof(line), "session required %s probe=0\n", module);
	make_confdir(confdir_p0, sizeof(confdir_p0), "module-probe0", line);
	fmt(line, sizeof(line), "session required %s probe=%u\n", module,
	    hung_probe);
	make_confdir(confdir_hp, sizeof(confdir_hp), "module-hungprobe", line);

	make_ssh_dir(live_dir, sizeof(live_dir), alice.pw_uid, alice.pw_gid);
	make_ssh_dir(hung_dir, sizeof(hung_dir), alice.pw_uid, alice.pw_gid);
}

static struct agents live_agents;

/* alice's socket whose agent answers, for the transaction and heal cases,
 * and one whose agent hangs; both served by one child process. */
void
live_start(void)
{
	fmt(live_sock, sizeof(live_sock), "%s/agent.%ld", live_dir,
	    (long)getpid());
	fmt(hung_sock, sizeof(hung_sock), "%s/agent.%ld", hung_dir,
	    (long)getpid());
	memset(&live_agents, 0, sizeof(live_agents));
	live_agents.s.lfd[0] = listen_at(live_sock);
	live_agents.s.mode[0] = AGENT_ANSWERS;
	live_agents.s.lfd[1] = listen_at(hung_sock);
	live_agents.s.mode[1] = AGENT_HANGS;
	live_agents.s.n = 2;
	agents_start(&live_agents);
	hung_visible(0);
}

void
live_stop(void)
{
	agents_stop(&live_agents);
}
