/* test_cfg - options on the PAM line and in the config file. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "logcap.h"
#include "tap.h"


static int
set(struct al_cfg *c, const char *opt)
{
	logged[0] = '\0';
	return al_cfg_set(c, opt, "PAM argument", &lg);
}

static void
rejected(const char *opt, const char *name)
{
	struct al_cfg c, d;

	al_cfg_defaults(&c);
	al_cfg_defaults(&d);
	ok(set(&c, opt) != 0 && memcmp(&c, &d, sizeof(c)) == 0 &&
	   strstr(logged, name) != NULL &&
	   (strstr(logged, "using the default") != NULL ||
	    strstr(logged, "ignored") != NULL),
	   "%s: rejected, logged naming %s, default kept", opt, name);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* conf/agentlink.conf shows every option with its default: with those
 * lines uncommented it parses silently into the defaults. */
static void
shipped_conf(void)
{
	char text[8192], *p, *out = text;
	struct al_cfg c, d;
	size_t n, left = sizeof(text) - 1;
	int options = 0;
	FILE *f = fopen("conf/agentlink.conf", "r");
	char line[512];

	if (f == NULL) {
		ok(0, "conf/agentlink.conf readable from the top directory");
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		p = line;
		/* "#name=value": a commented option, not prose */
		if (p[0] == '#' && p[1] >= 'a' && p[1] <= 'z' &&
		    p[1 + strspn(p + 1, "abcdefghijklmnopqrstuvwxyz")] == '=') {
			p++;
			options++;
		}
		n = strlen(p);
		if (n > left)
			break;
		memcpy(out, p, n);
		out += n;
		left -= n;
	}
	fclose(f);
	*out = '\0';
	al_cfg_defaults(&c);
	al_cfg_defaults(&d);
	logged[0] = '\0';
	al_cfg_parse_text(&c, text, strlen(text), "agentlink.conf", &lg);
	ok(options >= 9 && logged[0] == '\0' && memcmp(&c, &d, sizeof(c)) == 0,
	   "conf/agentlink.conf: its %d commented options are the defaults%s%s",
	   options, logged[0] ? ": " : "", logged);
}

int
main(void)
{
	struct al_cfg c;
	char dir[] = "/tmp/test_cfgXXXXXX", path[64], arg[96];
	const char *argv[4];

	al_cfg_defaults(&c);
	ok(strcmp(c.link, "~/.ssh/agent-%H.sock") == 0 &&
	   strcmp(c.env, "AGENTLINK_SOCK") == 0 && c.policy == AL_POLICY_KEEP &&
	   c.wait == 10 && c.cleanup == 1 && c.services[0] == '\0' && !c.debug &&
	   strcmp(c.conf, "/etc/security/agentlink.conf") == 0 && c.probe_ms == 1000 &&
	   strcmp(c.sockpath, "user:.ssh/agent shared:/tmp") == 0,
	   "defaults as documented");

	ok(set(&c, "link=/run/al/%u.sock") == 0 &&
	   strcmp(c.link, "/run/al/%u.sock") == 0, "link= set");
	ok(set(&c, "env=SSH_AUTH_SOCK") == 0 && strcmp(c.env, "SSH_AUTH_SOCK") == 0,
	   "env= set");
	ok(set(&c, "env=none") == 0 && c.env[0] == '\0', "env=none publishes nothing");
	ok(set(&c, "policy=newest") == 0 && c.policy == AL_POLICY_NEWEST,
	   "policy=newest");
	ok(set(&c, "policy=interactive") == 0 && c.policy == AL_POLICY_INTERACTIVE &&
	   strcmp(al_policy_name(c.policy), "interactive") == 0,
	   "policy=interactive, and its name back");
	ok(strcmp(al_policy_name(AL_POLICY_KEEP), "keep") == 0 &&
	   strcmp(al_policy_name(AL_POLICY_NEWEST), "newest") == 0,
	   "every policy has its option word");
	ok(set(&c, "wait=0") == 0 && c.wait == 0 && set(&c, "wait=600") == 0 &&
	   c.wait == 600, "wait= 0 and 600 accepted");
	ok(set(&c, "cleanup=no") == 0 && c.cleanup == 0, "cleanup=no");
	ok(set(&c, "services=su,sudo-i") == 0 && al_cfg_service_listed(&c, "su") &&
	   al_cfg_service_listed(&c, "sudo-i") && !al_cfg_service_listed(&c, "sudo") &&
	   !al_cfg_service_listed(&c, "s") && !al_cfg_service_listed(&c, NULL),
	   "services= list matches whole names only");
	ok(set(&c, "debug") == 0 && c.debug == 1 && set(&c, "debug=no") == 0 &&
	   c.debug == 0, "debug and debug=no");

	ok(set(&c, "probe=0") == 0 && c.probe_ms == 0 && set(&c, "probe=10000") == 0 &&
	   c.probe_ms == 10000, "probe= 0 and 10000 accepted");
	ok(set(&c, "agentsocketpath=shared:/tmp,user:/tmp/agents-%u") == 0 &&
	   strcmp(c.sockpath, "shared:/tmp,user:/tmp/agents-%u") == 0,
	   "agentsocketpath= set");

	rejected("frobnicate", "frobnicate");
	rejected("probe=10001", "probe");
	rejected("probe=1s", "probe");
	rejected("agentsocketpath=/tmp", "agentsocketpath");
	rejected("agentsocketpath=shared:tmp", "agentsocketpath");
	rejected("agentsocketpath=user:/a/../b", "agentsocketpath");
	rejected("frobnicate=1", "frobnicate");
	rejected("link=relative/path", "link");
	rejected("link=~/%z", "link");
	rejected("env=1BAD", "env");
	rejected("env=A-B", "env");
	rejected("policy=sometimes", "policy");
	rejected("policy=Interactive", "policy");
	rejected("wait=601", "wait");
	rejected("wait=-1", "wait");
	rejected("wait=10s", "wait");
	rejected("wait=", "wait");
	rejected("cleanup=maybe", "cleanup");
	rejected("services=ssh d", "services");
	rejected("conf=relative", "conf");
	rejected("debug=loud", "debug");

	al_cfg_defaults(&c);
	logged[0] = '\0';
	{
		static const char text[] = "# comment\n\n  policy = newest  \n"
		    "wait=3\nbogus=1\nconf=/x\n\tcleanup=no";

		al_cfg_parse_text(&c, text, sizeof(text) - 1, "test.conf", &lg);
	}
	ok(c.policy == AL_POLICY_NEWEST && c.wait == 3 && c.cleanup == 0,
	   "file: comments, blank lines, spaces around = and a last line "
	   "without newline");
	ok(strstr(logged, "test.conf line 5") != NULL &&
	   strstr(logged, "bogus") != NULL,
	   "file: an unknown key is logged with file and line");
	ok(strstr(logged, "test.conf line 6") != NULL &&
	   strstr(logged, "only read from the PAM line") != NULL &&
	   strcmp(c.conf, AL_DEFAULT_CONF) == 0, "file: conf= is refused there");
	{
		char big[1200];

		memset(big, 'a', sizeof(big));
		memcpy(big, "wait=", 5);
		al_cfg_defaults(&c);
		logged[0] = '\0';
		al_cfg_parse_text(&c, big, sizeof(big), "big.conf", &lg);
		ok(strstr(logged, "too long") != NULL && c.wait == 10,
		   "file: an over-long line is logged and skipped");
		al_cfg_parse_text(&c, "wait=4\0\nwait=5\n", 15, "nul.conf", &lg);
		ok(c.wait == 5 && strstr(logged, "NUL") != NULL,
		   "file: a line with a NUL byte is skipped");
	}

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/agentlink.conf", dir);
	write_file(path, "policy=newest\nwait=5\nenv=FROM_FILE\n", 0644);
	snprintf(arg, sizeof(arg), "conf=%s", path);
	argv[0] = arg;
	argv[1] = "wait=7";
	logged[0] = '\0';
	al_cfg_load(&c, 2, argv, &lg);
	ok(c.policy == AL_POLICY_NEWEST && c.wait == 7 &&
	   strcmp(c.env, "FROM_FILE") == 0 && logged[0] == '\0',
	   "load: file read, PAM-line options win, nothing logged");

	chmod(path, 0664);
	logged[0] = '\0';
	al_cfg_load(&c, 1, argv, &lg);
	ok(c.policy == AL_POLICY_KEEP && strstr(logged, path) != NULL &&
	   strstr(logged, "writable") != NULL,
	   "load: a group-writable file is ignored and logged by name");

	unlink(path);
	logged[0] = '\0';
	al_cfg_load(&c, 1, argv, &lg);
	ok(c.policy == AL_POLICY_KEEP && strstr(logged, path) != NULL,
	   "load: a missing conf= file is logged by name");
	argv[0] = "debug";
	logged[0] = '\0';
	if (access(AL_DEFAULT_CONF, F_OK) != 0) {
		al_cfg_load(&c, 1, argv, &lg);
		ok(logged[0] == '\0' && c.debug == 1,
		   "load: a missing default file is not an error");
	} else {
		ok(1, "# SKIP %s exists on this machine", AL_DEFAULT_CONF);
	}
	rmdir(dir);
	shipped_conf();
	return done_testing();
}
