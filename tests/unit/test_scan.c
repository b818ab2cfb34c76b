/*
 * test_scan - socket names, liveness probes against real listening
 * sockets, and discovery in a private directory tree (no root needed:
 * the "user" is whoever runs the test).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agentlink.h"
#include "tap.h"

static char root[] = "/tmp/test_scanXXXXXX";

/* A listening socket at path; returns its fd (close it to make it dead). */
static int
listen_at(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fd, 8) != 0) {
		diag("listen_at %s: %s", path, strerror(errno));
		exit(1);
	}
	return fd;
}

static void
mkdirs(const char *rel, mode_t mode)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (mkdir(p, mode) != 0 || chmod(p, mode) != 0) {
		diag("mkdir %s: %s", p, strerror(errno));
		exit(1);
	}
}

static int
sock(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	return listen_at(p);
}

static int
found(const struct al_cands *c, const char *rel)
{
	char p[256];
	size_t i;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].path, p) == 0)
			return 1;
	return 0;
}

static void
names(void)
{
	is_int(al_tmp_socket_pid("agent.1234"), 1234, "agent.1234 -> pid 1234");
	ok(al_tmp_socket_pid("agent.") == 0 && al_tmp_socket_pid("agent.12a") == 0 &&
	   al_tmp_socket_pid("agent.0") == 0 && al_tmp_socket_pid("xagent.1") == 0 &&
	   al_tmp_socket_pid("agent.999999999999") == 0,
	   "malformed agent.<pid> names are not sockets of sshd");
	ok(al_tmp_dir_name_ok("ssh-AbC123xyz0") && !al_tmp_dir_name_ok("ssh-short") &&
	   !al_tmp_dir_name_ok("ssh-AbC123xyz0x") && !al_tmp_dir_name_ok("ssh-AbC123xy.0"),
	   "ssh-XXXXXXXXXX: exactly mkdtemp's ten characters");
	ok(al_home_socket_name_ok("s.AQuO2QT9yn.sshd.Zx81kq0aB3", "AQuO2QT9yn"),
	   "s.<hash>.sshd.<random> of this host is a candidate name");
	ok(!al_home_socket_name_ok("s.AQuO2QT9yn.agent.Zx81kq0aB3", "AQuO2QT9yn"),
	   "ssh-agent's own s.<hash>.agent.<random> is not");
	ok(!al_home_socket_name_ok("s.OtherHost1.sshd.Zx81kq0aB3", "AQuO2QT9yn"),
	   "another host's hash is not");
	ok(!al_home_socket_name_ok("s.AQuO2QT9yn.sshd.", "AQuO2QT9yn") &&
	   !al_home_socket_name_ok("s.AQuO2QT9yn.sshd.a/b", "AQuO2QT9yn"),
	   "an empty or odd random part is not");
}

static void
probes(void)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/probe.sock", root);
	fd = listen_at(p);
	is_int(al_probe(p), 1, "a listening socket is alive");
	close(fd);
	is_int(al_probe(p), 0, "the same socket without its listener is dead");
	unlink(p);
	ok(al_probe(p) == -1 && errno == ENOENT, "a missing path is an error");
	snprintf(p, sizeof(p), "%s/plain", root);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	ok(al_probe(p) != 1, "a regular file is not alive");
	ok(al_probe("/tmp/" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx") == -1 &&
	   errno == ENAMETOOLONG, "a path too long for sun_path is an error");
}

static void
discovery(void)
{
	struct al_log lg = { al_log_stderr, NULL, 0 };
	struct al_ctx ctx;
	struct al_cands c = { NULL, 0, 0 };
	char tmp[128], home[128], p[256];
	int fds[8], i = 0;

	memset(&ctx, 0, sizeof(ctx));
	snprintf(tmp, sizeof(tmp), "%s/tmp", root);
	snprintf(home, sizeof(home), "%s/home", root);
	ctx.log = &lg;
	ctx.uid = geteuid();
	ctx.user = "tester";
	ctx.home = home;
	ctx.tmpdir = tmp;
	strcpy(ctx.hosthash, "AQuO2QT9yn");
	if (al_join(ctx.link, sizeof(ctx.link), home, ".ssh/agent-labhost.sock") != 0)
		exit(1);

	mkdirs("tmp", 01777);
	mkdirs("tmp/ssh-good000001", 0700);
	fds[i++] = sock("tmp/ssh-good000001/agent.101");
	mkdirs("tmp/ssh-open000002", 0777);
	fds[i++] = sock("tmp/ssh-open000002/agent.102");
	mkdirs("tmp/ssh-grpw000003", 0770);
	fds[i++] = sock("tmp/ssh-grpw000003/agent.103");
	mkdirs("tmp/ssh-name000004", 0700);
	fds[i++] = sock("tmp/ssh-name000004/agent.x");
	mkdirs("tmp/notssh", 0700);
	fds[i++] = sock("tmp/notssh/agent.105");
	mkdirs("tmp/ssh-file000006", 0700);
	snprintf(p, sizeof(p), "%s/tmp/ssh-file000006/agent.106", root);
	close(open(p, O_CREAT | O_WRONLY, 0600));
	mkdirs("tmp/ssh-link000007", 0700);
	snprintf(p, sizeof(p), "%s/tmp/ssh-link000007/agent.107", root);
	if (symlink("../ssh-good000001/agent.101", p) != 0)
		exit(1);
	snprintf(p, sizeof(p), "%s/tmp/ssh-dirl000008", root);
	if (symlink("ssh-good000001", p) != 0)
		exit(1);

	mkdirs("home", 0700);
	mkdirs("home/.ssh", 0700);
	mkdirs("home/.ssh/agent", 0700);
	fds[i++] = sock("home/.ssh/agent/s.AQuO2QT9yn.sshd.aaaaaaaaaa");
	fds[i++] = sock("home/.ssh/agent/s.AQuO2QT9yn.agent.bbbbbbbbbb");
	fds[i++] = sock("home/.ssh/agent/s.OtherHost1.sshd.cccccccccc");

	ok(al_scan(&ctx, &c) == 0, "scan succeeds");
	ok(found(&c, "tmp/ssh-good000001/agent.101"),
	   "found: /tmp/ssh-*/agent.<pid> in a 0700 directory");
	ok(found(&c, "home/.ssh/agent/s.AQuO2QT9yn.sshd.aaaaaaaaaa"),
	   "found: ~/.ssh/agent/s.<this host>.sshd.<random>");
	ok(!found(&c, "tmp/ssh-open000002/agent.102") &&
	   !found(&c, "tmp/ssh-grpw000003/agent.103"),
	   "skipped: directories writable by group or others");
	ok(!found(&c, "tmp/ssh-name000004/agent.x") && !found(&c, "tmp/notssh/agent.105"),
	   "skipped: names that are not sshd's");
	ok(!found(&c, "tmp/ssh-file000006/agent.106") &&
	   !found(&c, "tmp/ssh-link000007/agent.107"),
	   "skipped: a regular file and a symlink named like a socket");
	ok(!found(&c, "tmp/ssh-dirl000008/agent.101"),
	   "skipped: a symlinked ssh-* directory");
	ok(!found(&c, "home/.ssh/agent/s.AQuO2QT9yn.agent.bbbbbbbbbb") &&
	   !found(&c, "home/.ssh/agent/s.OtherHost1.sshd.cccccccccc"),
	   "skipped: ssh-agent's own socket and other hosts' sockets");
	is_int(c.n, 2, "exactly the two candidates");
	ok(c.n == 2 && c.v[0].layout != c.v[1].layout &&
	   (c.v[0].layout == AL_LAYOUT_TMP ? c.v[0].pid : c.v[1].pid) == 101,
	   "layouts recorded, pid parsed from the name");

	/* One target checked alone is listed exactly when the scan lists it. */
	{
		static const char *const rels[] = {
			"tmp/ssh-good000001/agent.101",
			"home/.ssh/agent/s.AQuO2QT9yn.sshd.aaaaaaaaaa",
			"tmp/ssh-open000002/agent.102", "tmp/ssh-grpw000003/agent.103",
			"tmp/ssh-name000004/agent.x", "tmp/notssh/agent.105",
			"tmp/ssh-file000006/agent.106", "tmp/ssh-link000007/agent.107",
			"tmp/ssh-dirl000008/agent.101",
			"home/.ssh/agent/s.AQuO2QT9yn.agent.bbbbbbbbbb",
			"home/.ssh/agent/s.OtherHost1.sshd.cccccccccc",
			/* the same sockets under names a scan never produces */
			"tmp//ssh-good000001/agent.101",
			"tmp/ssh-good000001//agent.101",
			"tmp/ssh-good000001/./agent.101",
			"tmp/ssh-dirl000008/../ssh-good000001/agent.101",
			"tmp/ssh-good000001/agent.101/",
			"home/.ssh/agent/./s.AQuO2QT9yn.sshd.aaaaaaaaaa",
			"home/.ssh//agent/s.AQuO2QT9yn.sshd.aaaaaaaaaa",
			"tmp/ssh-good000001", "tmp", "home/.ssh/agent",
		};
		struct al_cands all = { NULL, 0, 0 };
		size_t k;
		int agree = 1, listed = 0;

		if (al_scan(&ctx, &all) != 0)
			exit(1);
		for (k = 0; k < sizeof(rels) / sizeof(rels[0]); k++) {
			int want = found(&all, rels[k]), got;

			snprintf(p, sizeof(p), "%s/%s", root, rels[k]);
			/* 1: listed alone, as itself; 0: not listed; -1: wrong */
			if (al_scan_target(&ctx, p, &c) != 0)
				got = -1;
			else if (c.n == 0)
				got = 0;
			else
				got = c.n == 1 && strcmp(c.v[0].path, p) == 0 ? 1 : -1;
			if (got != want) {
				diag("%s: scan %d, target %d", rels[k], want, got);
				agree = 0;
			}
			listed += got == 1;
		}
		ok(agree && listed == 2, "al_scan_target lists a path exactly "
		   "when al_scan does (2 of %zu)", k);
		al_cands_free(&all);
	}

	/* A link path inside a scanned place is never its own candidate. */
	if (al_join(ctx.link, sizeof(ctx.link), tmp, "ssh-good000001/agent.101") != 0)
		exit(1);
	ok(al_scan(&ctx, &c) == 0 && c.n == 1 &&
	   c.v[0].layout == AL_LAYOUT_HOME, "the link path itself is never a candidate");

	if (al_join(ctx.link, sizeof(ctx.link), home, ".ssh/agent-labhost.sock") != 0)
		exit(1);
	snprintf(p, sizeof(p), "%s/home/.ssh/agent", root);
	chmod(p, 0770);
	ok(al_scan(&ctx, &c) == 0 && c.n == 1 && c.v[0].layout == AL_LAYOUT_TMP,
	   "a group-writable ~/.ssh/agent is not looked into");
	al_cands_free(&c);
	while (i > 0)
		close(fds[--i]);
}

int
main(void)
{
	char cmd[64];

	if (mkdtemp(root) == NULL)
		return 1;
	names();
	probes();
	discovery();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
