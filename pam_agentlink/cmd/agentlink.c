/*
 * agentlink - the user's view of pam_agentlink, and a hand on it:
 *
 *   agentlink status [--json] [--probe=MS]   the link, the sockets, the rule
 *   agentlink relink                         apply the rule now
 *   agentlink doctor                         check the setup, say what fixes it
 *   agentlink tmux [SOCKET [CLIENT]]         sync the tmux session links
 *
 * It runs as the user who calls it and acts only for that user: the uid
 * is getuid(), the home the passwd entry's (never $HOME), and it refuses
 * to run with privileges it was not started with (setuid, setgid, file
 * capabilities).  The module's options come from the same places the
 * module reads them: its line in sshd's PAM stack, when readable, and
 * /etc/security/agentlink.conf, both only when root owns them.
 */
#include <errno.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <syslog.h>
#include <unistd.h>

#include "cmd.h"
#include "apply.h"
#include "cfg.h"
#include "ctx.h"
#include "expand.h"
#include "hosthash.h"
#include "layout.h"
#include "rule.h"
#include "sshdconf.h"
#include "sunpath.h"

static const char usage_text[] =
	"usage: agentlink status [--json] [--probe=MS]\n"
	"       agentlink relink\n"
	"       agentlink doctor\n"
	"       agentlink tmux [SOCKET [CLIENT]]\n"
	"       agentlink --help | --version\n"
	"  (--debug, with any command, shows the library's debug lines)\n";

/*
 * The library's lines: problems on stderr; what relink did on stdout (the
 * module logs the same words); debug lines only with --debug.
 */
static void
cmd_log(void *arg, int prio, const char *fmt, va_list ap)
{
	const struct cmd *c = arg;
	FILE *f = stderr;

	if (prio == LOG_INFO && !c->info_out)
		return;
	if (prio == LOG_INFO)
		f = stdout;
	else
		fputs("agentlink: ", f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

static int
usage(const char *why)
{
	if (why != NULL)
		fprintf(stderr, "agentlink: %s\n", why);
	fputs(usage_text, stderr);
	return CMD_USAGE;
}

/* Started setuid, setgid or with file capabilities: it would act with
 * rights the caller does not have. */
static int
privileged(void)
{
	return getauxval(AT_SECURE) != 0 || getuid() != geteuid() ||
	    getgid() != getegid();
}

/* The caller's passwd entry: name and home, copied. */
static int
setup_user(struct cmd *c)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwuid(getuid())) == NULL) {
		fprintf(stderr, "agentlink: no passwd entry for uid %u%s%s\n",
			(unsigned)getuid(), errno ? ": " : "",
			errno ? strerror(errno) : "");
		return -1;
	}
	if (pw->pw_dir == NULL || pw->pw_dir[0] != '/' ||
	    strlen(pw->pw_dir) >= sizeof(c->home) ||
	    strlen(pw->pw_name) >= sizeof(c->user)) {
		fprintf(stderr, "agentlink: %s has no usable home directory in "
			"the passwd entry\n", pw->pw_name);
		return -1;
	}
	strcpy(c->user, pw->pw_name);
	strcpy(c->home, pw->pw_dir);
	c->au.name = c->user;
	c->au.uid = pw->pw_uid;
	c->au.gid = pw->pw_gid;
	c->au.home = c->home;
	return 0;
}

/* The module's options: its PAM line's arguments over agentlink.conf. */
static void
setup_options(struct cmd *c)
{
	cmd_sshd_files(&c->sshd, AL_SSHD_CONFIG);
	cmd_pam_find(c->sshd.pam_service, &c->pam);
	al_cfg_load(&c->cfg, c->pam.found == 1 ? c->pam.argc : 0, c->pam.argv,
		    &c->lg);
}

static int
setup_ctx(struct cmd *c, int probe_set)
{
	struct al_ctx *x = &c->ctx;
	const char *err;

	if (al_hostnames(c->host, sizeof(c->host), c->shorthost,
			 sizeof(c->shorthost)) != 0) {
		fprintf(stderr, "agentlink: cannot read the host name: %s\n",
			strerror(errno));
		return -1;
	}
	if (al_expand(c->cfg.link, &c->au, c->shorthost, x->link, sizeof(x->link),
		      &err) != 0) {
		fprintf(stderr, "agentlink: option link: \"%s\" for %s: %s\n",
			c->cfg.link, c->user, err);
		return -1;
	}
	x->log = &c->lg;
	x->uid = c->au.uid;
	x->user = c->user;
	x->home = c->home;
	x->nplaces = al_places_expand(c->cfg.sockpath, &c->au, x->places,
				      AL_PLACES_MAX, &c->lg);
	al_hosthash(c->host, x->hosthash);
	x->policy = c->cfg.policy;
	x->cleanup = c->cfg.cleanup;
	if (!probe_set)
		c->probe_ms = c->cfg.probe_ms;
	x->probe_ms = c->probe_ms;
	/* As the watch: off any login's path, each agent gets probe= ms. */
	x->probe_full = 1;
	x->hung = &c->hung;
	return 0;
}

int
cmd_relink(struct cmd *c)
{
	struct al_outcome out;
	char t[AL_SUN_PATH_MAX * 4];
	enum al_status st;

	c->info_out = 1;
	st = al_apply(&c->ctx, "relink", 0, &out);
	if (st != AL_OK)
		return CMD_FAIL;	/* the library said why, on stderr */
	/* Links made, moved and removed the library has printed. */
	if (out.action == AL_ACT_KEEP)
		printf("relink: kept %s -> %s (%s)\n", c->ctx.link,
		       cmd_esc(out.new_target, t, sizeof(t)), al_reason_text(out.reason));
	else if (out.action == AL_ACT_NONE)
		printf("relink: no agent socket of %s is alive; no link\n", c->user);
	return out.link_answers || (c->probe_ms == 0 && out.link_alive) ?
	    CMD_OK : CMD_FAIL;
}

/* "what: word", for a usage message. */
static const char *
msg_with(const char *what, const char *word)
{
	static char msg[160];

	snprintf(msg, sizeof(msg), "%s: %.120s", what, word);
	return msg;
}

/* The command's name and options; -1 after a usage message. */
static int
parse_args(struct cmd *c, int argc, char **argv, const char **command,
	   const char *operand[2], int *probe_set)
{
	const char *bad = NULL;
	int i;

	for (i = 1; i < argc && bad == NULL; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--json") == 0)
			c->json = 1;
		else if (strncmp(a, "--probe=", 8) == 0 &&
		    al_parse_uint(a + 8, AL_MAX_PROBE_MS, &c->probe_ms) == 0)
			*probe_set = 1;
		else if (strncmp(a, "--probe=", 8) == 0)
			bad = "--probe= takes milliseconds from 0 to 10000";
		else if (strcmp(a, "--debug") == 0)
			c->debug = 1;
		else if (a[0] == '-')
			bad = msg_with("unknown option", a);
		else if (*command != NULL && strcmp(*command, "tmux") == 0 &&
			 operand[0] == NULL)
			operand[0] = a;	/* the tmux server's socket */
		else if (*command != NULL && strcmp(*command, "tmux") == 0 &&
			 operand[1] == NULL)
			operand[1] = a;	/* the client whose event it is */
		else if (*command != NULL)
			bad = "one command at a time";
		else
			*command = a;
	}
	if (bad == NULL && *command == NULL)
		bad = "which command?";
	else if (bad == NULL && (c->json || *probe_set) && strcmp(*command, "status") != 0)
		bad = "--json and --probe= go with status";
	if (bad != NULL) {
		usage(bad);
		return -1;
	}
	return 0;
}

static int
run(struct cmd *c, const char *command, const char *operand[2])
{
	if (strcmp(command, "status") == 0)
		return cmd_status(c);
	if (strcmp(command, "relink") == 0)
		return cmd_relink(c);
	if (strcmp(command, "tmux") == 0)
		return cmd_tmux(c, operand[0], operand[1]);
	return cmd_doctor(c);
}

int
main(int argc, char **argv)
{
	static struct cmd c;
	const char *command = NULL, *operand[2] = { NULL, NULL };
	int probe_set = 0, rc;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);
		return CMD_OK;
	}
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("agentlink %s\n", AL_CMD_VERSION);
		return CMD_OK;
	}
	if (parse_args(&c, argc, argv, &command, operand, &probe_set) != 0)
		return CMD_USAGE;
	if (strcmp(command, "status") != 0 && strcmp(command, "relink") != 0 &&
	    strcmp(command, "doctor") != 0 && strcmp(command, "tmux") != 0)
		return usage(msg_with("unknown command", command));
	if (privileged()) {
		fprintf(stderr, "agentlink: refusing to run setuid, setgid or with "
			"file capabilities: it acts only as the user who runs it\n");
		return CMD_USAGE;
	}
	c.lg.fn = cmd_log;
	c.lg.arg = &c;
	c.lg.debug = c.debug;
	if (setup_user(&c) != 0)
		return CMD_USAGE;
	setup_options(&c);
	/* doctor says it among its checks; elsewhere it is said once here. */
	if (c.pam.found == -1 && strcmp(command, "doctor") != 0)
		fprintf(stderr, "agentlink: cannot read %s (%s): the options on the "
			"module's PAM line are not known; using %s alone\n",
			c.pam.file, c.pam.why, c.cfg.conf);
	if (setup_ctx(&c, probe_set) != 0)
		return CMD_USAGE;
	rc = run(&c, command, operand);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "agentlink: cannot write the output: %s\n",
			strerror(errno));
		return CMD_USAGE;
	}
	return rc;
}
