/*
 * status.c - agentlink status: the link and its target, every agent
 * socket of the user on this host with its connection and whether its
 * agent answers, and what the rule would do; as text for people, or as
 * JSON (--json, documented in agentlink(1)) for scripts.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "cfg.h"
#include "rule.h"
#include "sunpath.h"

#define JSON_VERSION 2

/* ---- JSON ---- */

/* Length of the UTF-8 sequence at s (2 to 4 bytes), 0 if it is none. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Valid UTF-8 passes as it is; any other byte becomes \u00XX. */
void
cmd_json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	while (*p != '\0') {
		if (*p == '"' || *p == '\\') {
			fprintf(f, "\\%c", *p++);
		} else if (*p >= 0x20 && *p < 0x7f) {
			fputc(*p++, f);
		} else if (*p >= 0x80 && (n = utf8_len(p)) > 0) {
			fwrite(p, 1, n, f);
			p += n;
		} else {
			fprintf(f, "\\u%04x", *p++);
		}
	}
	fputc('"', f);
}

const char *
cmd_esc(const char *s, char *buf, size_t sz)
{
	return al_esc(s, buf, sz);
}

/* "key": "value" or "key": null. */
static void
json_kv(FILE *f, const char *key, const char *val, const char *sep)
{
	fprintf(f, "\"%s\": ", key);
	if (val != NULL)
		cmd_json_str(f, val);
	else
		fputs("null", f);
	fputs(sep, f);
}

static const char *
tty_word(enum al_tty t)
{
	return t == AL_TTY_YES ? "yes" : t == AL_TTY_NO ? "no" : "unknown";
}

static const char *
note_word(enum probe_note n)
{
	static const char *const words[] = {
		[NOTE_NONE] = "answered",
		[NOTE_REFUSED] = "refused",
		[NOTE_BUSY] = "busy",
		[NOTE_NOT_ASKED] = "not asked",
		[NOTE_NO_ANSWER] = "no answer",
		[NOTE_BAD_REPLY] = "bad reply",
		[NOTE_ERROR] = "error",
	};

	return words[n];
}

static const char *
link_word(enum link_view l)
{
	static const char *const words[] = {
		[LV_MISSING] = "missing",
		[LV_SYMLINK] = "symlink",
		[LV_OTHER] = "other",
		[LV_UNSAFE] = "unsafe",
	};

	return words[l];
}

/* The process's start: local time for people, UTC for JSON. */
static const char *
when(long long t, int utc, char *buf, size_t sz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if ((utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) == NULL ||
	    strftime(buf, sz, utc ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S",
		     &tm) == 0)
		snprintf(buf, sz, "%lld", t);
	return buf;
}

static void
json_conn(FILE *f, const struct sock_view *sv, const struct al_candidate *cand)
{
	char t[64];

	fputs("\"connection\": {", f);
	if (cand->pid > 0)
		fprintf(f, "\"pid\": %ld, ", (long)cand->pid);
	else
		fputs("\"pid\": null, ", f);
	fprintf(f, "\"found\": %s, ", sv->conn ? "true" : "false");
	json_kv(f, "since", sv->since >= 0 ? when(sv->since, 1, t, sizeof(t)) : NULL, ", ");
	if (sv->since >= 0)
		fprintf(f, "\"since_epoch\": %lld, ", sv->since);
	else
		fputs("\"since_epoch\": null, ", f);
	json_kv(f, "terminal", sv->conn && sv->c.ttys[0] ? sv->c.ttys : NULL, ", ");
	json_kv(f, "from", sv->from[0] ? sv->from : NULL, "}");
}

static void
json_socket(FILE *f, const struct view *v, size_t i)
{
	const struct al_candidate *cand = &v->cands.v[i];
	const struct sock_view *sv = &v->sv[i];

	fputs("    {", f);
	json_kv(f, "path", cand->path, ", ");
	json_kv(f, "state", cmd_live_word(cand->live), ", ");
	json_kv(f, "detail", note_word(sv->note), ", ");
	if (sv->note == NOTE_NONE || sv->note == NOTE_NO_ANSWER || sv->note == NOTE_BAD_REPLY)
		fprintf(f, "\"reply_us\": %ld, ", sv->us);
	else
		fputs("\"reply_us\": null, ", f);
	fprintf(f, "\"mtime\": %lld, ", (long long)cand->mtime.tv_sec);
	fprintf(f, "\"linked\": %s, ", (int)i == v->target_idx ? "true" : "false");
	json_kv(f, "interactive", tty_word(cand->interactive), ", ");
	json_conn(f, sv, cand);
	fputs("}", f);
}

/* ---- tmux session links ---- */

/* What a session link points at: one of the sockets (*idx), the host
 * link, or something else. */
static const char *
tmux_target_kind(const struct cmd *c, const struct view *v,
		 const struct tmux_link *l, int *idx)
{
	size_t i;

	*idx = -1;
	if (strcmp(l->target, c->ctx.link) == 0)
		return "link";
	for (i = 0; i < v->cands.n; i++)
		if (strcmp(l->target, v->cands.v[i].path) == 0) {
			*idx = (int)i;
			return "socket";
		}
	return "other";
}

static void
json_tmux(FILE *f, const struct cmd *c, const struct view *v)
{
	char sid[32];
	size_t i;
	int idx;

	fputs("  \"tmux\": [", f);
	for (i = 0; i < v->ntl; i++) {
		const struct tmux_link *l = &v->tl[i];
		const char *kind = tmux_target_kind(c, v, l, &idx);

		fputs(i ? ",\n    {" : "\n    {", f);
		json_kv(f, "path", l->path, ", ");
		fprintf(f, "\"server_pid\": %ld, ", l->srvpid);
		snprintf(sid, sizeof(sid), "$%ld", l->sid);
		json_kv(f, "session_id", sid, ", ");
		fprintf(f, "\"server_running\": %s, ", l->running ? "true" : "false");
		json_kv(f, "target", l->target, ", ");
		json_kv(f, "target_kind", kind, ", ");
		if (idx >= 0)
			fprintf(f, "\"socket\": %d, ", idx);
		else
			fputs("\"socket\": null, ", f);
		json_kv(f, "target_state", idx >= 0 ? cmd_live_word(v->cands.v[idx].live) :
			NULL, "}");
	}
	fputs(v->ntl ? "\n  ],\n" : "],\n", f);
}

static void
json_rule(FILE *f, const struct view *v)
{
	const char *action = v->decided ? cmd_action_word(v->d.action) : "undecided";
	int idx = v->decided ? v->d.index : -1;

	fputs("  \"rule\": {", f);
	json_kv(f, "action", action, ", ");
	if (idx >= 0)
		fprintf(f, "\"socket\": %d, ", idx);
	else
		fputs("\"socket\": null, ", f);
	json_kv(f, "target", idx >= 0 ? v->cands.v[idx].path : NULL, ", ");
	json_kv(f, "reason", v->decided ? al_reason_text(v->d.reason) :
		"the link's directory is not safely the user's", "}\n");
}

static void
status_json(const struct cmd *c, const struct view *v)
{
	FILE *f = stdout;
	size_t i;

	fprintf(f, "{\n  \"version\": %d,\n  ", JSON_VERSION);
	json_kv(f, "user", c->user, ",\n  ");
	fprintf(f, "\"uid\": %lu,\n  ", (unsigned long)c->ctx.uid);
	json_kv(f, "host", c->shorthost, ",\n  ");
	json_kv(f, "policy", al_policy_name(c->ctx.policy), ",\n  ");
	fprintf(f, "\"probe_ms\": %u,\n  \"link\": {", c->probe_ms);
	json_kv(f, "path", c->ctx.link, ", ");
	json_kv(f, "state", link_word(v->link), ", ");
	json_kv(f, "target", v->link == LV_SYMLINK ? v->target : NULL, ", ");
	if (v->target_idx >= 0)
		fprintf(f, "\"socket\": %d, ", v->target_idx);
	else
		fputs("\"socket\": null, ", f);
	fprintf(f, "\"works\": %s},\n  \"sockets\": [", v->works ? "true" : "false");
	for (i = 0; i < v->cands.n; i++) {
		fputs(i ? ",\n" : "\n", f);
		json_socket(f, v, i);
	}
	fputs(v->cands.n ? "\n  ],\n" : "],\n", f);
	json_tmux(f, c, v);
	json_rule(f, v);
	fputs("}\n", f);
}

/* ---- text ---- */

/* Why the link works or does not, in words. */
static const char *
link_verdict(const struct cmd *c, const struct view *v)
{
	const struct al_candidate *t;

	if (v->target_idx < 0)
		return "does not work: it points at no forwarded agent socket of "
		    "yours on this host (its connection has ended)";
	t = &v->cands.v[v->target_idx];
	if (v->works)
		return c->probe_ms ? "works: its agent answers" :
		    "works: its socket accepts (probe=0 asks nothing)";
	if (t->live == AL_HUNG)
		return "does not work: its agent does not answer (the client is "
		    "asleep or gone)";
	if (t->live == AL_LIVE)
		return "does not work: its socket accepts but was too busy to ask";
	return "does not work: its socket is dead";
}

static void
text_link(const struct cmd *c, const struct view *v)
{
	char a[AL_SUN_PATH_MAX * 4], b[AL_SUN_PATH_MAX * 8];

	cmd_esc(c->ctx.link, a, sizeof(a));
	switch (v->link) {
	case LV_MISSING:
		printf("link:    %s: none\n", a);
		break;
	case LV_SYMLINK:
		printf("link:    %s -> %s\n         %s\n", a,
		       cmd_esc(v->target, b, sizeof(b)), link_verdict(c, v));
		break;
	case LV_OTHER:
		printf("link:    %s exists and is not a symbolic link: the module "
		       "leaves it alone\n", a);
		break;
	case LV_UNSAFE:
		printf("link:    %s: its directory is not safely yours (%s): a "
		       "symbolic link, another user's, or writable by others; the "
		       "module does not touch it\n", a, strerror(v->link_err));
		break;
	}
}

static void
text_probe(const struct cmd *c, const struct al_candidate *cand,
	   const struct sock_view *sv)
{
	switch (sv->note) {
	case NOTE_NONE:
		printf("answering (%ld.%01ld ms)", sv->us / 1000, sv->us % 1000 / 100);
		break;
	case NOTE_NO_ANSWER:
		printf("hung (no answer in %u ms)", c->probe_ms);
		break;
	case NOTE_BAD_REPLY:
		printf("hung (closed, or a reply no agent gives)");
		break;
	case NOTE_NOT_ASKED:
		printf("accepting (probe=0: not asked)");
		break;
	case NOTE_BUSY:
		printf("accepting (too busy to ask)");
		break;
	case NOTE_REFUSED:
		printf("dead (nothing listens)");
		break;
	case NOTE_ERROR:
		printf("%s (%s)", cmd_live_word(cand->live), strerror(sv->err));
		break;
	}
}

static void
text_conn(const struct al_candidate *cand, const struct sock_view *sv)
{
	char t[64], e[sizeof(sv->from) * 4];

	if (cand->pid <= 0) {
		printf("connection unknown (the name carries no pid)");
		return;
	}
	if (!sv->conn) {
		printf("sshd %ld is gone", (long)cand->pid);
		return;
	}
	printf("sshd %ld", (long)cand->pid);
	if (sv->since >= 0)
		printf(" since %s", when(sv->since, 0, t, sizeof(t)));
	printf(", %s", sv->c.ttys[0] ? cmd_esc(sv->c.ttys, e, sizeof(e)) :
	       "no session yet");
	printf(", from %s", sv->from[0] ? cmd_esc(sv->from, e, sizeof(e)) : "unknown");
}

static void
text_sockets(const struct cmd *c, const struct view *v)
{
	char p[AL_SUN_PATH_MAX * 4];
	size_t i;

	if (v->cands.n == 0)
		printf("sockets: no agent socket of %s on this host\n", c->user);
	for (i = 0; i < v->cands.n; i++) {
		const struct al_candidate *cand = &v->cands.v[i];

		printf("socket:  %s%s\n         ", cmd_esc(cand->path, p, sizeof(p)),
		       (int)i == v->target_idx ? "  (linked)" : "");
		text_probe(c, cand, &v->sv[i]);
		printf("; ");
		text_conn(cand, &v->sv[i]);
		printf("\n");
	}
}

static void
text_tmux(const struct cmd *c, const struct view *v)
{
	char p[AL_SUN_PATH_MAX * 4], t[AL_SUN_PATH_MAX * 8];
	const char *kind;
	size_t i;
	int idx;

	for (i = 0; i < v->ntl; i++) {
		const struct tmux_link *l = &v->tl[i];

		kind = tmux_target_kind(c, v, l, &idx);
		printf("tmux:    %s -> %s\n         session $%ld of tmux server %ld%s; ",
		       cmd_esc(l->path, p, sizeof(p)), cmd_esc(l->target, t, sizeof(t)),
		       l->sid, l->srvpid, l->running ? "" : " (gone: the next "
		       "agentlink tmux removes it)");
		if (idx >= 0)
			printf("its agent: %s\n", cmd_live_word(v->cands.v[idx].live));
		else if (strcmp(kind, "link") == 0)
			printf("no client's agent: it follows the link\n");
		else
			printf("no agent socket of yours (its connection has ended)\n");
	}
}

static void
text_rule(const struct cmd *c, const struct view *v)
{
	const char *why = al_reason_text(v->d.reason);
	char p[AL_SUN_PATH_MAX * 4];

	printf("rule:    policy=%s: ", al_policy_name(c->ctx.policy));
	if (!v->decided) {
		printf("nothing can be done until the link's directory is yours\n");
		return;
	}
	if (v->d.index >= 0)
		cmd_esc(v->cands.v[v->d.index].path, p, sizeof(p));
	switch (v->d.action) {
	case AL_ACT_KEEP:
		printf("keep the link at %s (%s)\n", p, why);
		break;
	case AL_ACT_LINK:
		printf("%s %s (%s)\n", v->link == LV_SYMLINK ? "move the link to" :
		       "link", p, why);
		break;
	case AL_ACT_REMOVE:
		printf("remove the link (%s, and no other agent socket is alive)\n", why);
		break;
	case AL_ACT_NONE:
		printf("no link (no agent socket of yours is alive)\n");
		break;
	case AL_ACT_REFUSE:
	case AL_ACT_PROBE:
		printf("leave the path alone (%s)\n", why);
		break;
	}
	if (v->d.action == AL_ACT_LINK || v->d.action == AL_ACT_REMOVE)
		printf("         agentlink relink does it now\n");
}

int
cmd_status(struct cmd *c)
{
	struct view v;
	int works;

	if (cmd_view_load(c, &v) != 0)
		return CMD_USAGE;
	if (c->json) {
		status_json(c, &v);
	} else {
		text_link(c, &v);
		text_sockets(c, &v);
		text_tmux(c, &v);
		text_rule(c, &v);
	}
	works = v.works;
	cmd_view_free(&v);
	return works ? CMD_OK : CMD_FAIL;
}
