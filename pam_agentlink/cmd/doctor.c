/*
 * doctor.c - agentlink doctor: checks what makes old tmux panes and
 * screen windows keep their agent, one line each, and for each problem
 * says what fixes it:
 *
 *   - the module's line in sshd's PAM stack;
 *   - sshd: UsePAM, AllowAgentForwarding, and whether its AgentSocketPath
 *     is among the module's places (sshd -T when it runs for the user,
 *     else its configuration files, read as the module reads them);
 *   - the link itself;
 *   - this shell's SSH_AUTH_SOCK;
 *   - inside tmux: its global environment, update-environment, the
 *     session's environment, and whether the hooks that keep a link per
 *     session (agentlink tmux) are in effect; inside screen: its
 *     configuration.
 *
 * Exit status 0 when no problem was found.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "cfg.h"
#include "ctx.h"
#include "log.h"
#include "rule.h"
#include "sshdconf.h"
#include "sunpath.h"
#include "tmuxparse.h"

#ifndef AL_PAMDIR
#define AL_PAMDIR "/lib/security"
#endif

#define TMUX_SNIPPET "the tmux snippet of pam_agentlink (conf/tmux.conf; in the " \
	"Debian package /usr/share/doc/libpam-agentlink/examples/tmux.conf)"

struct doc {
	const struct cmd *c;
	int problems;
};

static void __attribute__((format(printf, 2, 3)))
say(const char *tag, const char *fmt, ...)
{
	va_list ap;

	printf("%-8s ", tag);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A problem, and on the next line what fixes it. */
static void __attribute__((format(printf, 3, 4)))
problem(struct doc *d, const char *fix, const char *fmt, ...)
{
	va_list ap;

	d->problems++;
	printf("%-8s ", "problem");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n  fix:   %s\n", fix);
}

/* ---- the PAM stack ---- */

/* Is the file the line names there?  A problem when it is not. */
static int
module_file_ok(struct doc *d, const struct pam_line *pl)
{
	char path[512], fix[768];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s%s", pl->module[0] == '/' ? "" : AL_PAMDIR,
		 pl->module[0] == '/' ? "" : "/", pl->module);
	if (stat(path, &st) == 0)
		return 1;
	snprintf(fix, sizeof(fix), "install the module (make install, or the "
		 "libpam-agentlink package), or correct the path on %s:%u",
		 pl->file, pl->lineno);
	problem(d, fix, "PAM: the module file %s is missing (%s): libpam logs that "
		"it cannot load it and the line does nothing", path, strerror(errno));
	return 0;
}

static void
check_pam(struct doc *d)
{
	const struct pam_line *pl = &d->c->pam;
	char fix[768];
	int i;

	if (pl->found == -1) {
		say("note", "PAM: cannot read %s (%s): cannot tell whether sshd's PAM "
		    "stack has the module; options come from %s alone", pl->file,
		    pl->why, d->c->cfg.conf);
		return;
	}
	if (pl->found == 0) {
		snprintf(fix, sizeof(fix), "as root, add \"session optional "
			 "pam_agentlink.so\" to %s/%s after \"@include common-session\"%s%s",
			 AL_PAM_DIR, pl->service, pl->commented[0] ? "; " : "",
			 pl->commented[0] ? "it is commented out on " : "");
		if (pl->commented[0])
			snprintf(fix + strlen(fix), sizeof(fix) - strlen(fix), "%s",
				 pl->commented);
		problem(d, fix, "PAM: sshd's stack (%s/%s and what it includes) has no "
			"session line for pam_agentlink.so: no login keeps the link",
			AL_PAM_DIR, pl->service);
		return;
	}
	if (!module_file_ok(d, pl))
		return;
	printf("%-8s PAM: %s:%u: %s %s %s", "ok", pl->file, pl->lineno, pl->type,
	       pl->control, pl->module);
	for (i = 0; i < pl->argc; i++)
		printf(" %s", pl->argv[i]);
	putchar('\n');
	if (strcmp(pl->control, "optional") != 0)
		say("note", "PAM: the control is \"%s\": the documented line is "
		    "\"optional\", so that a failure of the module never refuses a "
		    "login", pl->control);
}

/* ---- sshd ---- */

struct capture {
	char msg[1024];
};

static void
capture_log(void *arg, int prio, const char *fmt, va_list ap)
{
	struct capture *cap = arg;

	(void)prio;
	if (cap->msg[0] == '\0')
		vsnprintf(cap->msg, sizeof(cap->msg), fmt, ap);
}

/* sshd -T's AgentSocketPath values, one by one. */
static void
check_asp_values(struct doc *d, const char *values)
{
	char copy[AL_SOCKPATH_MAX], fix[AL_SOCKPATH_MAX + 128], *w, *save;

	snprintf(copy, sizeof(copy), "%s", values);
	for (w = strtok_r(copy, " \t,", &save); w != NULL; w = strtok_r(NULL, " \t,", &save)) {
		if (al_sshd_value_covered(&d->c->ctx, &d->c->au, w))
			continue;
		snprintf(fix, sizeof(fix), "as root, add agentsocketpath=%s to the "
			 "module's PAM line or /etc/security/agentlink.conf", w);
		problem(d, fix, "sshd: AgentSocketPath %s is not among the module's "
			"places (agentsocketpath=%s): sockets there are never linked",
			w, d->c->cfg.sockpath);
	}
}

/* The configuration files, through the module's own check. */
static void
check_asp_files(struct doc *d)
{
	struct capture cap = { "" };
	struct al_log lg = { capture_log, &cap, 0 };
	struct al_ctx ctx = d->c->ctx;

	ctx.log = &lg;
	if (al_sshd_config_check(&ctx, &d->c->au, AL_SSHD_CONFIG) == 0)
		return;
	problem(d, "as root, add the value it names to agentsocketpath= on the "
		"module's PAM line or in /etc/security/agentlink.conf",
		"sshd: %s", cap.msg);
}

static void
check_sshd(struct doc *d)
{
	struct sshd_facts f = d->c->sshd;
	int from_T = cmd_sshd_T(&f) == 0;
	int before = d->problems;

	if (!f.readable) {
		say("note", "sshd: cannot read %s: cannot check UsePAM, "
		    "AllowAgentForwarding and AgentSocketPath", AL_SSHD_CONFIG);
		return;
	}
	if (!from_T && f.unread > 0)
		say("note", "sshd: %u of %s's Include patterns or files are over "
		    "the bounds (%d files a pattern, %d in all) and were not read: "
		    "what they set is not checked", f.unread, AL_SSHD_CONFIG,
		    AL_CONF_INCLUDE_MAX, SSHD_FILES_MAX);
	if (f.use_pam != 1)
		problem(d, "as root, set \"UsePAM yes\" in sshd_config and restart sshd",
			"sshd (%s): UsePAM is %s: sshd never runs the module",
			f.source, f.use_pam == 0 ? "no" : "not set (sshd's default: no)");
	if (f.agent_forwarding == 0)
		problem(d, "as root, remove \"AllowAgentForwarding no\" from sshd_config",
			"sshd (%s): AllowAgentForwarding no: no agent is forwarded",
			f.source);
	if (from_T)
		check_asp_values(d, f.agentsocketpath);
	else
		check_asp_files(d);
	if (d->problems == before)
		say("ok", "sshd (%s): UsePAM yes; agent forwarding allowed; its "
		    "AgentSocketPath is among the module's places (%s)", f.source,
		    d->c->cfg.sockpath);
}

/* ---- the link ---- */

static int
any_answers(const struct view *v)
{
	size_t i;

	for (i = 0; i < v->cands.n; i++)
		if (v->cands.v[i].live == AL_ANSWERS)
			return 1;
	return 0;
}

static void
check_link(struct doc *d, const struct view *v)
{
	const char *link = d->c->ctx.link;
	char t[AL_SUN_PATH_MAX * 8], fix[AL_SUN_PATH_MAX * 2 + 64];

	snprintf(fix, sizeof(fix), "move it away (mv %s %s.old), or choose another "
		 "link=", link, link);
	if (v->link == LV_OTHER)
		problem(d, fix, "link: %s exists and is not a symbolic link: the module "
			"leaves it alone", link);
	else if (v->link == LV_UNSAFE)
		problem(d, "make the directory yours and not writable by others "
			"(chmod go-w), or choose another link=",
			"link: the directory of %s is a symbolic link, another user's, or "
			"writable by others (%s): the module does not touch it", link,
			strerror(v->link_err));
	else if (v->works)
		say("ok", "link: %s -> %s works", link, cmd_esc(v->target, t, sizeof(t)));
	else if (any_answers(v))
		problem(d, "agentlink relink (the module also does it at the next "
			"login or logout)", "link: %s %s, though an agent socket of "
			"yours answers", link, v->link == LV_MISSING ? "is missing" :
			"does not work");
	else
		say("note", "link: no agent socket of yours answers now: log in with "
		    "ssh -A (or ForwardAgent yes) and the link follows");
}

/* ---- this shell, tmux, screen ---- */

static void
check_shell(struct doc *d)
{
	const char *sock = getenv("SSH_AUTH_SOCK");
	const char *link = d->c->ctx.link;
	int mux = getenv("TMUX") != NULL || getenv("STY") != NULL;
	char fix[AL_SUN_PATH_MAX + 128], e[1024], slink[AL_SUN_PATH_MAX];

	if (sock != NULL && strcmp(sock, link) == 0) {
		say("ok", "shell: SSH_AUTH_SOCK is the link");
	} else if (sock != NULL && cmd_tmux_session_link(d->c, slink, sizeof(slink)) == 0 &&
		   strcmp(sock, slink) == 0) {
		say("ok", "shell: SSH_AUTH_SOCK is this tmux session's link");
	} else if (mux) {
		snprintf(fix, sizeof(fix), "export SSH_AUTH_SOCK=%s in this shell; "
			 "new ones follow the checks below", link);
		problem(d, fix, "shell: this shell runs in %s and its SSH_AUTH_SOCK is "
			"%s, not the link: it loses the agent when that connection ends",
			getenv("TMUX") ? "tmux" : "screen",
			sock ? cmd_esc(sock, e, sizeof(e)) : "not set");
	} else if (sock == NULL) {
		say("note", "shell: SSH_AUTH_SOCK is not set (no agent forwarded to "
		    "this connection)");
	} else {
		say("ok", "shell: SSH_AUTH_SOCK is this connection's own socket; "
		    "outside tmux and screen that is as it should be");
	}
}

/* The value of NAME in "NAME=value" output; NULL when unset ("-NAME",
 * nothing, or an error). */
static const char *
env_value(char *out, const char *name)
{
	size_t n = strlen(name);

	out[strcspn(out, "\n")] = '\0';
	return strncmp(out, name, n) == 0 && out[n] == '=' ? out + n + 1 : NULL;
}

static int
word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == '\0' || p[n] == ' ' || p[n] == '\n'))
			return 1;
	return 0;
}

static void
check_tmux_global(struct doc *d, const char *link)
{
	static char *const show[] = { "tmux", "show-environment", "-g", "SSH_AUTH_SOCK", NULL };
	static char *const upd[] = { "tmux", "show-options", "-gv", "update-environment", NULL };
	char out[4096], fix[1024];
	const char *v;

	snprintf(fix, sizeof(fix), "add %s to ~/.tmux.conf (or at least: "
		 "set-environment -g SSH_AUTH_SOCK %s), then: tmux source-file "
		 "~/.tmux.conf", TMUX_SNIPPET, link);
	if (cmd_run(show, out, sizeof(out), 3000) < 0) {
		say("note", "tmux: TMUX is set but tmux does not answer");
		return;
	}
	if ((v = env_value(out, "SSH_AUTH_SOCK")) == NULL || strcmp(v, link) != 0)
		problem(d, fix, "tmux: its global environment %s%s: new panes do not "
			"get the link", v ? "has SSH_AUTH_SOCK=" : "does not set SSH_AUTH_SOCK",
			v ? v : "");
	else
		say("ok", "tmux: new panes get SSH_AUTH_SOCK=%s", link);
	if (cmd_run(upd, out, sizeof(out), 3000) >= 0 && word_in(out, "SSH_AUTH_SOCK"))
		problem(d, fix, "tmux: update-environment has SSH_AUTH_SOCK: each client "
			"that attaches puts its own connection's socket into the session");
}

static void
check_tmux_session(struct doc *d, const char *link)
{
	static char *const show[] = { "tmux", "show-environment", "SSH_AUTH_SOCK", NULL };
	char out[4096], slink[AL_SUN_PATH_MAX];
	const char *v;

	if (cmd_run(show, out, sizeof(out), 3000) < 0 ||
	    (v = env_value(out, "SSH_AUTH_SOCK")) == NULL || strcmp(v, link) == 0)
		return;
	/* What agentlink tmux sets: the hooks are checked below. */
	if (cmd_tmux_session_link(d->c, slink, sizeof(slink)) == 0 && strcmp(v, slink) == 0) {
		say("ok", "tmux: new panes of this session get its link, %s", slink);
		return;
	}
	problem(d, "tmux set-environment -u SSH_AUTH_SOCK (in this session)",
		"tmux: this session's environment has SSH_AUTH_SOCK=%s, which new panes "
		"get instead of the global one", v);
}

/* The hooks of the snippet, by name: bit i for tmux_hooks[i]. */
static const char *const tmux_hooks[] = {
	"client-attached", "client-detached", "client-session-changed",
	"session-created", "session-closed", "client-active"
};
#define HOOKS_BASE 0x1f			/* every tmux has these */
#define HOOK_ACTIVE 0x20		/* tmux 3.3 and later */

/* Which hooks in show-hooks -g's output ("NAME[N] COMMAND") run
 * agentlink tmux. */
static unsigned
hooks_in(char *out)
{
	char *line, *next;
	unsigned mask = 0;
	size_t i, n;

	for (line = out; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		n = strcspn(line, "[ ");
		for (i = 0; i < sizeof(tmux_hooks) / sizeof(tmux_hooks[0]); i++)
			if (strlen(tmux_hooks[i]) == n && strncmp(line, tmux_hooks[i], n) == 0 &&
			    strstr(line + n, "agentlink tmux") != NULL)
				mask |= 1u << i;
	}
	return mask;
}

/* Is this session's link among the links the view found?  Its target
 * into t. */
static int
session_link_found(const struct view *v, const char *slink, char *t, size_t sz)
{
	size_t i;

	for (i = 0; i < v->ntl; i++)
		if (strcmp(v->tl[i].path, slink) == 0)
			return cmd_esc(v->tl[i].target, t, sz) != NULL;
	return 0;
}

static void
check_tmux_hooks(struct doc *d, const struct view *v)
{
	static char *const hooks[] = { "tmux", "show-hooks", "-g", NULL };
	static char *const mark[] = { "tmux", "show-environment", "-g", "AGENTLINK_TMUX", NULL };
	char out[16384], slink[AL_SUN_PATH_MAX], t[AL_SUN_PATH_MAX * 8];
	const char *m;
	unsigned mask = cmd_run(hooks, out, sizeof(out), 3000) >= 0 ? hooks_in(out) : 0;
	int marked = cmd_run(mark, out, sizeof(out), 3000) >= 0 &&
	    (m = env_value(out, "AGENTLINK_TMUX")) != NULL && strcmp(m, "1") == 0;

	if (mask == 0 && !marked) {
		say("note", "tmux: no agentlink tmux hooks: every session uses the "
		    "one link; %s adds a link per session that follows the client "
		    "attached to it", TMUX_SNIPPET);
		return;
	}
	if ((mask & HOOKS_BASE) != HOOKS_BASE || !marked) {
		problem(d, "tmux source-file ~/.tmux.conf (with the current snippet)",
			"tmux: the snippet's hooks are in effect only in part (%s): "
			"session links are not kept up to date", marked ?
			"some hooks are missing" : "AGENTLINK_TMUX is not set");
		return;
	}
	if (!(mask & HOOK_ACTIVE))
		say("note", "tmux: no client-active hook (tmux before 3.3): a session "
		    "shared by two clients follows the one that attached last");
	if (cmd_tmux_session_link(d->c, slink, sizeof(slink)) != 0)
		return;
	if (session_link_found(v, slink, t, sizeof(t)))
		say("ok", "tmux: the hooks keep this session's link: %s -> %s", slink, t);
	else
		problem(d, "agentlink tmux; if the link still does not appear, put "
			"agentlink in tmux's PATH (the hooks run it with the server's "
			"environment)", "tmux: the hooks are in effect, but this "
			"session's link %s does not exist", slink);
}

/* Does file (the user's or root's) set SSH_AUTH_SOCK for new windows? */
static int
screenrc_sets(const char *path)
{
	char buf[65536];

	if (al_read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	return strstr(buf, "setenv SSH_AUTH_SOCK") != NULL;
}

static void
check_screen(struct doc *d)
{
	char rc[4200];

	snprintf(rc, sizeof(rc), "%s/.screenrc", d->c->home);
	if (screenrc_sets(rc) || screenrc_sets("/etc/screenrc")) {
		say("ok", "screen: its configuration sets SSH_AUTH_SOCK for new windows");
		return;
	}
	problem(d, "add \"setenv SSH_AUTH_SOCK $AGENTLINK_SOCK\" to ~/.screenrc "
		"(conf/screenrc; in the Debian package "
		"/usr/share/doc/libpam-agentlink/examples/screenrc)",
		"screen: neither ~/.screenrc nor /etc/screenrc sets SSH_AUTH_SOCK: new "
		"windows get the socket of the connection that started screen");
}

int
cmd_doctor(struct cmd *c)
{
	struct doc d = { c, 0 };
	struct view v;

	printf("agentlink doctor: %s on %s, link %s, policy=%s\n", c->user,
	       c->shorthost, c->ctx.link, al_policy_name(c->ctx.policy));
	check_pam(&d);
	check_sshd(&d);
	if (cmd_view_load(c, &v) != 0)
		return CMD_USAGE;
	check_link(&d, &v);
	check_shell(&d);
	if (getenv("TMUX") != NULL) {
		check_tmux_global(&d, c->ctx.link);
		check_tmux_session(&d, c->ctx.link);
		check_tmux_hooks(&d, &v);
	}
	cmd_view_free(&v);
	if (getenv("STY") != NULL)
		check_screen(&d);
	if (d.problems == 0)
		printf("no problem found\n");
	else
		printf("%d problem%s found\n", d.problems, d.problems == 1 ? "" : "s");
	return d.problems == 0 ? CMD_OK : CMD_FAIL;
}
