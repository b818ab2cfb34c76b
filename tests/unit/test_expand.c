/* test_expand - the link path template. */
#include <string.h>

#include "cfg.h"
#include "expand.h"
#include "tap.h"

static const struct al_user alice = { "alice", 4101, 4101, "/home/alice" };

static const char *
expand(const char *tmpl, const char **err)
{
	static char out[512];

	return al_expand(tmpl, &alice, "labhost", out, sizeof(out), err) == 0 ?
	    out : NULL;
}

static void
good(const char *tmpl, const char *want)
{
	const char *err = NULL;

	is_str(expand(tmpl, &err), want, "%s -> %s", tmpl, want);
}

static void
bad(const char *tmpl, const char *why)
{
	const char *err = NULL;
	const char *got = expand(tmpl, &err);

	ok(got == NULL && err != NULL && strstr(err, why) != NULL,
	   "\"%s\" rejected: %s", tmpl, err ? err : "(accepted)");
}

int
main(void)
{
	char want[200], tmpl[200];
	const char *err;
	struct al_user slash = { "a/b", 1, 1, "/home/x" };
	char out[256];

	good(AL_DEFAULT_LINK, "/home/alice/.ssh/agent-labhost.sock");
	good("~", "/home/alice");
	good("%h/.ssh/a.sock", "/home/alice/.ssh/a.sock");
	good("/run/agentlink/%u.sock", "/run/agentlink/alice.sock");
	good("/run/agentlink/%U/%H.sock", "/run/agentlink/4101/labhost.sock");
	good("/tmp/100%%-%u", "/tmp/100%-alice");
	bad("%x/sock", "unknown % token");
	bad("/tmp/sock%", "lone %");
	bad("relative/sock", "not an absolute path");
	bad("~alice/sock", "not an absolute path");
	bad("/tmp/../etc/sock", ". or ..");
	bad("/tmp/./sock", ". or ..");
	bad("/tmp//sock", "empty path component");
	bad("/tmp/sock/", "ends with a slash");

	/* 107 bytes fit sun_path with its NUL, 108 do not. */
	memset(want, 'x', sizeof(want));
	want[0] = '/';
	want[107] = '\0';
	good(want, want);
	want[107] = 'x';
	want[108] = '\0';
	bad(want, "longer than a Unix socket address");
	/* "/home/alice/" is 12 bytes: 95 more make 107, 96 make 108. */
	snprintf(tmpl, sizeof(tmpl), "~/%.*s", 95, want + 1);
	ok(expand(tmpl, &err) != NULL, "~/ and 95 bytes: 107 in all, accepted");
	snprintf(tmpl, sizeof(tmpl), "~/%.*s", 96, want + 1);
	bad(tmpl, "longer than a Unix socket address");

	ok(al_expand("/run/%u.sock", &slash, "h", out, sizeof(out), &err) != 0 &&
	   strstr(err, "slash") != NULL, "a user name with a slash is refused");
	ok(al_expand_check("~/.ssh/agent-%H.sock", &err) == 0,
	   "the default template passes the syntax check");
	memset(tmpl, 'y', 150);
	tmpl[0] = '/';
	tmpl[150] = '\0';
	ok(al_expand_check(tmpl, &err) == 0,
	   "the syntax check leaves the length to each user's expansion");
	ok(al_expand_check("%q", &err) != 0, "the syntax check catches %%q");
	return done_testing();
}
