/*
 * cmd.h - agentlink(1), the user's command: what its parts share.
 *
 * agentlink.c     main: the caller's own passwd entry, the module's
 *                 options, relink
 * view.c          the state of the link and the sockets, probed
 * status.c        status, as text or JSON
 * doctor.c        doctor
 * tmux.c          tmux: the per-session links of one tmux server
 *                 (lib/tmuxparse.c: what it reads, parsed)
 * sessionlinks.c  the session links beside the link, for view and tmux
 * sys.c           what the administrator set up: the PAM stack, sshd's
 *                 configuration; running a program
 *
 * It runs as the user who calls it, with no privileges, through the same
 * library as the module (pam_agentlink/lib), which never follows another
 * user's links nor acts on their sockets when ctx.uid is the caller's.
 */
#ifndef AGENTLINK_CMD_H
#define AGENTLINK_CMD_H

#include <stdio.h>
#include <sys/types.h>

#include "cfg.h"
#include "conn.h"
#include "ctx.h"
#include "expand.h"
#include "log.h"
#include "race.h"
#include "rule.h"
#include "scan.h"
#include "sunpath.h"

#define AL_CMD_VERSION "0.1.0"
#define AL_PAM_DIR "/etc/pam.d"
#define AL_PAM_ARGS_MAX 32
#define AL_PAM_LINE_MAX 1024

/* Exit statuses: the link works / does not (or problems found) / usage. */
enum { CMD_OK = 0, CMD_FAIL = 1, CMD_USAGE = 2 };

/* The module's line in sshd's PAM stack. */
struct pam_line {
	int found;			/* 1 found; 0 not; -1 the stack unreadable */
	char service[64];
	char file[512];			/* where it is, or what could not be read */
	unsigned lineno;
	char type[16], control[128], module[256];
	int argc;
	const char *argv[AL_PAM_ARGS_MAX];
	char args[AL_PAM_LINE_MAX];	/* storage for argv */
	char why[128];			/* found == -1: why */
	char commented[528];		/* FILE:LINE of a commented-out line */
};

/* What sshd's configuration says, as far as the user can read it. */
/* sshd_config's files read in all: 4 levels of Include, each of
 * AL_CONF_INCLUDE_MAX files, would be millions. */
#define SSHD_FILES_MAX 256

struct sshd_facts {
	char source[64];		/* "sshd -T" or the config file */
	int readable;			/* 0: the configuration could not be read */
	char pam_service[64];		/* PAMServiceName, default "sshd" */
	int use_pam;			/* 1, 0, or -1 when not said (sshd: no) */
	int agent_forwarding;		/* 1, 0, or -1 when not said (sshd: yes) */
	char agentsocketpath[AL_SOCKPATH_MAX];	/* sshd -T's value, or "" */
	unsigned files;			/* files read, Include'd ones too */
	unsigned unread;		/* Include patterns or files left out
					 * by the bounds */
};

struct cmd {
	struct al_cfg cfg;
	struct al_log lg;
	struct al_ctx ctx;
	struct al_user au;
	struct al_hung hung;
	struct pam_line pam;
	struct sshd_facts sshd;
	char user[256];
	char home[4096];
	char host[256], shorthost[256];
	unsigned probe_ms;		/* status: --probe= or probe= */
	int json;
	int debug;
	int info_out;			/* relink: the library's info lines on stdout */
};

/* ---- agentlink.c ---- */
int cmd_relink(struct cmd *c);

/* ---- sys.c ---- */
/* sshd's configuration from its files (sshd_config and its Includes). */
void cmd_sshd_files(struct sshd_facts *f, const char *config);
/* sshd -T, when it runs for this user; 0 when it did. */
int cmd_sshd_T(struct sshd_facts *f);
/* Finds the module's session line in the PAM stack of service. */
void cmd_pam_find(const char *service, struct pam_line *pl);
/* Runs argv[0] (looked up in PATH unless it has a slash) with stdin and
 * stderr on /dev/null; its standard output into out (NUL-ended, cut at
 * sz - 1).  Its exit status, or -1 (not run, killed, or still running
 * after timeout_ms). */
int cmd_run(char *const argv[], char *out, size_t sz, int timeout_ms);
/* CLOCK_MONOTONIC in milliseconds, for deadlines. */
long long cmd_now_ms(void);

/* ---- view.c ---- */

enum probe_note {
	NOTE_NONE,
	NOTE_REFUSED,			/* nothing listens */
	NOTE_BUSY,			/* full backlog: accepts, not asked */
	NOTE_NOT_ASKED,			/* probe=0: accepts, not asked */
	NOTE_NO_ANSWER,			/* no reply within probe_ms */
	NOTE_BAD_REPLY,			/* closed, reset or malformed */
	NOTE_ERROR			/* connect failed otherwise (errno) */
};

/* One socket as status shows it, beside its candidate. */
struct sock_view {
	enum probe_note note;
	int err;
	long us;			/* until the answer */
	int conn;			/* its connection was found */
	struct al_conn c;
	long long since;		/* its process's start, seconds since
					 * the epoch; -1 unknown */
	char from[64];			/* where it comes from, "" unknown */
};

enum link_view {
	LV_MISSING,
	LV_SYMLINK,
	LV_OTHER,			/* exists, not a symbolic link */
	LV_UNSAFE			/* its directory is not safely the user's */
};

/* A session link in the link's directory (cmd_tmux_links). */
struct tmux_link {
	char path[AL_SUN_PATH_MAX];
	char target[AL_SUN_PATH_MAX * 2];
	long srvpid, sid;
	int running;			/* its server still runs */
};

struct view {
	struct al_cands cands;
	struct sock_view *sv;
	enum link_view link;
	int link_err;			/* LV_UNSAFE: errno */
	char target[AL_SUN_PATH_MAX * 2];
	int target_idx;			/* the socket it points at, or -1 */
	int works;			/* ... which answers (or accepts, probe=0) */
	struct al_decision d;
	int decided;			/* d is the rule's final word */
	struct tmux_link *tl;		/* the session links, ntl of them */
	size_t ntl;
};

int cmd_view_load(struct cmd *c, struct view *v);
void cmd_view_free(struct view *v);
/* "answering", "accepting", "hung", "dead" */
const char *cmd_live_word(enum al_liveness l);
const char *cmd_action_word(enum al_action a);

/* ---- tmux.c ---- */
/* One sync of the session links of the tmux server at sock (NULL: the
 * one in $TMUX); client (or NULL): the pid of the client whose event ran
 * it, which wins a tie. */
int cmd_tmux(struct cmd *c, const char *sock, const char *client);
/* The user's session links in the link's directory dirfd (any kind of
 * descriptor): at most max into out, how many. */
size_t cmd_tmux_links(const struct cmd *c, int dirfd, struct tmux_link *out,
		      size_t max);
/* This tmux session's link, from $TMUX; -1 outside tmux. */
int cmd_tmux_session_link(const struct cmd *c, char *out, size_t sz);

/* ---- status.c, doctor.c ---- */
int cmd_status(struct cmd *c);
int cmd_doctor(struct cmd *c);

/* ---- output ---- */
/* s as a JSON string, quotes included. */
void cmd_json_str(FILE *f, const char *s);
/* s with control bytes, backslashes and high bytes as \xHH (al_esc). */
const char *cmd_esc(const char *s, char *buf, size_t sz);

#endif /* AGENTLINK_CMD_H */
