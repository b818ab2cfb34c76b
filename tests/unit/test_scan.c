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

#include "cfg.h"
#include "ctx.h"
#include "expand.h"
#include "layout.h"
#include "log.h"
#include "probe.h"
#include "scan.h"
#include "tap.h"
#include "unixsock.h"

static char root[] = "/tmp/test_scanXXXXXX";

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
	return unixsock_at(p, 8);
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

/* The layout of kind a name has (-1: none), and the pid it carries. */
static int
name_layout(enum al_place_kind kind, const char *name, pid_t *pid)
{
	return al_layout_match_name(kind, -1, name, "AQuO2QT9yn", pid);
}

static void
names(void)
{
	pid_t pid = -1;
	int l;

	l = name_layout(AL_PLACE_SHARED, "agent.1234", &pid);
	ok(l >= 0 && pid == 1234 && strstr(al_layouts[l].what, "10.0"),
	   "agent.1234 (OpenSSH <= 10.0) -> pid 1234");
	l = name_layout(AL_PLACE_SHARED, "agent.sshd.81", &pid);
	ok(l >= 0 && pid == 81 && strstr(al_layouts[l].what, "10.6"),
	   "agent.sshd.81 (10.6 shared:) -> pid 81");
	ok(name_layout(AL_PLACE_SHARED, "agent.", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "agent.12a", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "agent.0", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "agent.01", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "xagent.1", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "agent.sshd.", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "agent.999999999999", &pid) < 0,
	   "malformed agent.<pid> names are not sockets of sshd");
	ok(al_layout_match_dir("ssh-AbC123xyz0") >= 0 &&
	   al_layout_match_dir("ssh-AbC123xyz0ab") >= 0 &&
	   al_layout_match_dir("ssh-AbC123xyz0") != al_layout_match_dir("ssh-AbC123xyz0ab"),
	   "ssh-XXXXXXXXXX (mkdtemp) and ssh-XXXXXXXXXXXX (10.6) are two layouts");
	ok(al_layout_match_dir("ssh-short") < 0 && al_layout_match_dir("ssh-AbC123xyz0x") < 0 &&
	   al_layout_match_dir("ssh-AbC123xy.0") < 0 && al_layout_match_dir("ssh-AbC123xyz0abc") < 0,
	   "other ssh-* names are not");
	ok(al_layout_match_name(AL_PLACE_SHARED, al_layout_match_dir("ssh-AbC123xyz0"),
				"agent.sshd.81", "", &pid) < 0 &&
	   al_layout_match_name(AL_PLACE_SHARED, al_layout_match_dir("ssh-AbC123xyz0ab"),
				"agent.81", "", &pid) < 0,
	   "each per-connection directory holds its own layout's name only");
	l = name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.Zx81kq0aB3", &pid);
	ok(l >= 0 && pid == 0 && strstr(al_layouts[l].what, "10.1"),
	   "s.<hash>.sshd.<random> (10.1 to 10.5) of this host, no pid");
	l = name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.111.AIDQPMz4Tr", &pid);
	ok(l >= 0 && pid == 111 && strstr(al_layouts[l].what, "10.6"),
	   "s.<hash>.sshd.<pid>.<random> (10.6) -> pid 111");
	l = name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.1234567890", &pid);
	ok(l >= 0 && pid == 0 && strstr(al_layouts[l].what, "10.1"),
	   "an all-digit random part is still 10.1's form");
	ok(name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.agent.Zx81kq0aB3", &pid) < 0 &&
	   name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.agent.111.Zx81kq0aB3", &pid) < 0,
	   "ssh-agent's own s.<hash>.agent.* is not");
	ok(name_layout(AL_PLACE_USER, "s.OtherHost1.sshd.Zx81kq0aB3", &pid) < 0 &&
	   name_layout(AL_PLACE_USER, "s.OtherHost1.sshd.111.Zx81kq0aB3", &pid) < 0,
	   "another host's hash is not");
	ok(name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.", &pid) < 0 &&
	   name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.a/b", &pid) < 0 &&
	   name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.Zx81kq0aB", &pid) < 0 &&
	   name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.Zx81kq0aB3x", &pid) < 0 &&
	   name_layout(AL_PLACE_USER, "s.AQuO2QT9yn.sshd.111.Zx81kq0aB3.", &pid) < 0,
	   "an empty, short, long or odd random part is not");
	ok(name_layout(AL_PLACE_USER, "agent.1234", &pid) < 0 &&
	   name_layout(AL_PLACE_SHARED, "s.AQuO2QT9yn.sshd.Zx81kq0aB3", &pid) < 0,
	   "a name counts only in a place of its kind");
}

static void
escapes(void)
{
	char buf[64];

	is_str(al_esc("/tmp/x\nfake\033[2J\\y\xff", buf, sizeof(buf)),
	       "/tmp/x\\x0afake\\x1b[2J\\x5cy\\xff",
	       "logged file system names: control bytes, backslash and high bytes escaped");
	is_str(al_esc("abc\n", buf, 6), "abc",
	       "an escape that does not fit is left out whole");
}

/* The agentsocketpath= values, checked and expanded as sshd has them. */
static void
places(void)
{
	struct al_log lg = { al_log_stderr, NULL, 0 };
	struct al_user u = { "alice", 4101, 4101, "/home/alice" };
	struct al_place pl[AL_PLACES_MAX];
	const char *err;
	size_t n;

	n = al_places_expand(AL_DEFAULT_SOCKPATH, &u, pl, AL_PLACES_MAX, &lg);
	ok(n == 2 && pl[0].kind == AL_PLACE_USER &&
	   strcmp(pl[0].dir, "/home/alice/.ssh/agent") == 0 && pl[0].in_home &&
	   pl[1].kind == AL_PLACE_SHARED && strcmp(pl[1].dir, "/tmp") == 0 &&
	   !pl[1].in_home, "the default: user:.ssh/agent (in the home) and shared:/tmp");
	n = al_places_expand("user:/tmp/agents-%u,shared:/run/%U user:~/a", &u, pl,
			     AL_PLACES_MAX, &lg);
	ok(n == 3 && strcmp(pl[0].dir, "/tmp/agents-alice") == 0 &&
	   strcmp(pl[1].dir, "/run/4101") == 0 && strcmp(pl[2].dir, "/home/alice/a") == 0 &&
	   pl[2].in_home, "tokens %%u %%U and ~, commas and spaces");
	ok(al_places_check("user:.ssh/agent", &err) == 0 &&
	   al_places_check("shared:/tmp user:%h/x", &err) == 0,
	   "good values are accepted");
	ok(al_places_check("", &err) != 0 && al_places_check("shared:tmp", &err) != 0 &&
	   al_places_check("tmp:/x", &err) != 0 && al_places_check("user:", &err) != 0 &&
	   al_places_check("user:/a/../b", &err) != 0 && al_places_check("user:/a%q", &err) != 0 &&
	   al_places_check("user:/a user:/b user:/c user:/d user:/e user:/f user:/g "
			   "user:/h user:/i", &err) != 0,
	   "bad values are refused: %s", err ? err : "(no reason)");
}

static void
probes(void)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/probe.sock", root);
	fd = unixsock_at(p, 8);
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
	struct al_cands c = { 0 };
	char tmp[128], home[128], p[256];
	int fds[16], i = 0;

	memset(&ctx, 0, sizeof(ctx));
	snprintf(tmp, sizeof(tmp), "%s/tmp", root);
	snprintf(home, sizeof(home), "%s/home", root);
	ctx.log = &lg;
	ctx.uid = geteuid();
	ctx.user = "tester";
	ctx.home = home;
	ctx.places[0].kind = AL_PLACE_SHARED;
	strcpy(ctx.places[0].dir, tmp);
	ctx.places[1].kind = AL_PLACE_USER;
	if (al_join(ctx.places[1].dir, sizeof(ctx.places[1].dir), home, ".ssh/agent") != 0)
		exit(1);
	ctx.places[1].in_home = 1;
	ctx.places[2].kind = AL_PLACE_USER;
	if (al_join(ctx.places[2].dir, sizeof(ctx.places[2].dir), root, "agents") != 0)
		exit(1);
	ctx.nplaces = 3;
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
	/* OpenSSH 10.6: its default, shared:DIR and an absolute user:PATH */
	fds[i++] = sock("home/.ssh/agent/s.AQuO2QT9yn.sshd.111.dddddddddd");
	mkdirs("tmp/ssh-evKidlhHEGqm", 0700);
	fds[i++] = sock("tmp/ssh-evKidlhHEGqm/agent.sshd.81");
	mkdirs("tmp/ssh-wrongform01", 0700);
	fds[i++] = sock("tmp/ssh-wrongform01/agent.sshd.82");
	mkdirs("agents", 0700);
	fds[i++] = sock("agents/s.AQuO2QT9yn.sshd.115.ymbQdRmNKd");
	fds[i++] = sock("agents/agent.116");

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
	ok(found(&c, "home/.ssh/agent/s.AQuO2QT9yn.sshd.111.dddddddddd") &&
	   found(&c, "tmp/ssh-evKidlhHEGqm/agent.sshd.81") &&
	   found(&c, "agents/s.AQuO2QT9yn.sshd.115.ymbQdRmNKd"),
	   "found: 10.6's default, shared: and user: sockets");
	ok(!found(&c, "tmp/ssh-wrongform01/agent.sshd.82") &&
	   !found(&c, "agents/agent.116"),
	   "skipped: a name of another layout than its directory's or place's");
	is_int(c.n, 5, "exactly the five candidates");
	{
		size_t k;
		int pids = 0;

		for (k = 0; k < c.n; k++)
			pids += (c.v[k].pid == 101 || c.v[k].pid == 111 ||
				 c.v[k].pid == 81 || c.v[k].pid == 115) &&
			    c.v[k].layout >= 0 && c.v[k].place >= 0;
		ok(pids == 4, "pids parsed from the names that carry one (%d of 4)", pids);
	}

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
			"home/.ssh/agent/s.AQuO2QT9yn.sshd.111.dddddddddd",
			"tmp/ssh-evKidlhHEGqm/agent.sshd.81",
			"tmp/ssh-wrongform01/agent.sshd.82",
			"agents/s.AQuO2QT9yn.sshd.115.ymbQdRmNKd", "agents/agent.116",
			"agents//s.AQuO2QT9yn.sshd.115.ymbQdRmNKd",
		};
		struct al_cands all = { 0 };
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
		ok(agree && listed == 5, "al_scan_target lists a path exactly "
		   "when al_scan does (5 of %zu)", k);
		al_cands_free(&all);
	}

	/* A link path inside a scanned place is never its own candidate. */
	if (al_join(ctx.link, sizeof(ctx.link), tmp, "ssh-good000001/agent.101") != 0)
		exit(1);
	ok(al_scan(&ctx, &c) == 0 && c.n == 4 && !found(&c, "tmp/ssh-good000001/agent.101"),
	   "the link path itself is never a candidate");

	if (al_join(ctx.link, sizeof(ctx.link), home, ".ssh/agent-labhost.sock") != 0)
		exit(1);
	snprintf(p, sizeof(p), "%s/home/.ssh/agent", root);
	chmod(p, 0770);
	ok(al_scan(&ctx, &c) == 0 && c.n == 3 &&
	   !found(&c, "home/.ssh/agent/s.AQuO2QT9yn.sshd.aaaaaaaaaa"),
	   "a group-writable ~/.ssh/agent is not looked into");
	chmod(p, 0700);
	snprintf(p, sizeof(p), "%s/agents", root);
	chmod(p, 0755);
	ok(al_scan(&ctx, &c) == 0 && c.n == 5,
	   "a user: place readable by others is looked into");
	chmod(p, 0702);
	ok(al_scan(&ctx, &c) == 0 && c.n == 4 &&
	   !found(&c, "agents/s.AQuO2QT9yn.sshd.115.ymbQdRmNKd"),
	   "a user: place writable by others is not");
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
	escapes();
	places();
	probes();
	discovery();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd) != 0)
		diag("could not remove %s", root);
	return done_testing();
}
