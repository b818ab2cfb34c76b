/*
 * sys.c - what the administrator set up, as the user can see it: the
 * module's line in sshd's PAM stack (for its options, and for doctor) and
 * sshd's configuration; and running a program (sshd -T, tmux).
 *
 * Only files owned by root and writable by nobody else are believed: the
 * options of the module are the administrator's, never another user's.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "sshdconf.h"

/* The most of sshd -T's output read, as of a trusted file. */
#define TRUSTED_MAX (256 * 1024)
#define PAM_DEPTH_MAX 8
#define SSHD_DEPTH_MAX 4
#define SSHD_BIN "/usr/sbin/sshd"

/* ---- running a program ---- */

static void __attribute__((noreturn))
run_child(char *const argv[], int out)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out, STDOUT_FILENO) < 0 || dup2(null, STDERR_FILENO) < 0)
		_exit(127);
	execvp(argv[0], argv);
	_exit(127);
}

long long
cmd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads fd to its end or the deadline into out; 0 at end of file. */
static int
read_until(int fd, char *out, size_t sz, long long deadline)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	size_t got = 0;
	char junk[256];
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&pfd, 1, (int)(deadline - cmd_now_ms() > 0 ? deadline - cmd_now_ms() : 0));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		/* What does not fit is read and dropped, so the child never
		 * blocks on a full pipe. */
		n = got + 1 < sz ? read(fd, out + got, sz - 1 - got) : read(fd, junk, sizeof(junk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			out[got] = '\0';
			return n == 0 ? 0 : -1;
		}
		if (got + 1 < sz)
			got += (size_t)n;
	}
	out[got] = '\0';
	return -1;
}

/* Waits for pid until deadline (then kills it); its exit status, or -1
 * when it did not exit by itself. */
static int
wait_exit(pid_t pid, long long deadline)
{
	int status;
	pid_t r;

	while ((r = waitpid(pid, &status, WNOHANG)) == 0 && cmd_now_ms() < deadline)
		usleep(1000);
	if (r == 0) {
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	return r == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int
cmd_run(char *const argv[], char *out, size_t sz, int timeout_ms)
{
	long long deadline = cmd_now_ms() + timeout_ms;
	int p[2], done, st;
	pid_t pid;

	out[0] = '\0';
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0)
		run_child(argv, p[1]);
	close(p[1]);
	done = read_until(p[0], out, sz, deadline) == 0;
	close(p[0]);
	st = wait_exit(pid, done ? deadline : 0);
	/* Its output cut short is not its answer. */
	return done ? st : -1;
}

/* ---- sshd's configuration ---- */

static int
yes_no(const char *v)
{
	return strcasecmp(v, "yes") == 0 || strcasecmp(v, "all") == 0 ? 1 : 0;
}

static void sshd_file(struct sshd_facts *f, const char *path, int depth);

static void
sshd_include(struct sshd_facts *f, const char *pattern, int depth)
{
	glob_t g;
	size_t i;
	int r;

	if ((r = al_conf_glob(pattern, &g)) != 0) {
		f->unread += r == AL_CONF_GLOB_LONG;
		return;
	}
	for (i = 0; i < g.gl_pathc; i++)
		if (i < AL_CONF_INCLUDE_MAX && f->files < SSHD_FILES_MAX)
			sshd_file(f, g.gl_pathv[i], depth + 1);
		else
			f->unread++;
	globfree(&g);
}

/* One line; sshd takes the first value of each keyword.  What follows a
 * Match line may not apply to this user: it is not taken. */
static void
sshd_line(struct sshd_facts *f, char *line, int depth, int *in_match)
{
	char *p = line, *key, *val;

	line[strcspn(line, "#")] = '\0';
	if ((key = al_conf_word(&p)) == NULL)
		return;
	if (strcasecmp(key, "Match") == 0)
		*in_match = 1;
	if (strcasecmp(key, "Include") == 0 && depth < SSHD_DEPTH_MAX) {
		while ((val = al_conf_word(&p)) != NULL)
			sshd_include(f, val, depth);
		return;
	}
	if (*in_match || (val = al_conf_word(&p)) == NULL)
		return;
	if (strcasecmp(key, "UsePAM") == 0 && f->use_pam < 0)
		f->use_pam = yes_no(val);
	else if (strcasecmp(key, "AllowAgentForwarding") == 0 && f->agent_forwarding < 0)
		f->agent_forwarding = yes_no(val);
	else if (strcasecmp(key, "PAMServiceName") == 0 && f->pam_service[0] == '\0')
		snprintf(f->pam_service, sizeof(f->pam_service), "%s", val);
}

static void
sshd_file(struct sshd_facts *f, const char *path, int depth)
{
	char *text, *line, *next;
	const char *why;
	int in_match = 0;

	if ((text = al_read_trusted(path, &why)) == NULL) {
		if (depth == 0)
			f->readable = 0;
		return;
	}
	f->files++;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		sshd_line(f, line, depth, &in_match);
	}
	free(text);
}

void
cmd_sshd_files(struct sshd_facts *f, const char *config)
{
	memset(f, 0, sizeof(*f));
	f->use_pam = f->agent_forwarding = -1;
	f->readable = 1;
	snprintf(f->source, sizeof(f->source), "%s", config);
	sshd_file(f, config, 0);
	if (f->pam_service[0] == '\0')
		strcpy(f->pam_service, "sshd");
}

/* One "keyword value..." line of sshd -T (lower case up to OpenSSH 10.5,
 * as sshd_config spells them from 10.6). */
static void
sshd_T_line(struct sshd_facts *f, char *line)
{
	char *sp = strchr(line, ' ');

	if (sp == NULL)
		return;
	*sp++ = '\0';
	if (strcasecmp(line, "UsePAM") == 0)
		f->use_pam = yes_no(sp);
	else if (strcasecmp(line, "AllowAgentForwarding") == 0)
		f->agent_forwarding = yes_no(sp);
	else if (strcasecmp(line, "PAMServiceName") == 0)
		snprintf(f->pam_service, sizeof(f->pam_service), "%s", sp);
	else if (strcasecmp(line, "AgentSocketPath") == 0)
		snprintf(f->agentsocketpath, sizeof(f->agentsocketpath), "%s", sp);
}

int
cmd_sshd_T(struct sshd_facts *f)
{
	static char *const argv[] = { SSHD_BIN, "-T", NULL };
	char *out, *line, *next;
	struct sshd_facts t;

	if ((out = malloc(TRUSTED_MAX)) == NULL)
		return -1;
	/* As a user it usually cannot read the host keys, and says so. */
	if (cmd_run(argv, out, TRUSTED_MAX, 3000) != 0) {
		free(out);
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.readable = 1;
	snprintf(t.source, sizeof(t.source), "%s -T", SSHD_BIN);
	for (line = out; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		sshd_T_line(&t, line);
	}
	free(out);
	if (t.pam_service[0] == '\0')
		strcpy(t.pam_service, "sshd");
	*f = t;
	return 0;
}

/* ---- the PAM stack ---- */

/* The next token of a PAM line; "[...]" is one (brackets kept when
 * keep, with "\]" for "]" inside).  NULL at the end. */
static char *
pam_token(char **p, int keep)
{
	char *s = *p, *w, *o;

	s += strspn(s, " \t");
	if (*s == '\0')
		return NULL;
	if (*s != '[') {
		w = s;
		s += strcspn(s, " \t");
		if (*s != '\0')
			*s++ = '\0';
		*p = s;
		return w;
	}
	w = o = keep ? s : s + 1;
	for (s++; *s != '\0' && *s != ']'; s++) {
		if (s[0] == '\\' && s[1] == ']')
			s++;
		*o++ = *s;
	}
	if (keep && *s == ']')
		*o++ = ']';
	if (*s == ']')
		s++;
	*o = '\0';
	*p = s;
	return w;
}

static int
is_module(const char *path)
{
	const char *base = strrchr(path, '/');

	return strcmp(base != NULL ? base + 1 : path, "pam_agentlink.so") == 0;
}

static void pam_file(struct pam_line *pl, const char *name, int depth);

/* A session line naming the module: its words into pl. */
static void
pam_take(struct pam_line *pl, const char *file, unsigned lineno,
	 const char *type, const char *control, const char *module, char *rest)
{
	char *a;
	size_t used = 0, n;

	pl->found = 1;
	snprintf(pl->file, sizeof(pl->file), "%s", file);
	pl->lineno = lineno;
	snprintf(pl->type, sizeof(pl->type), "%s", type);
	snprintf(pl->control, sizeof(pl->control), "%s", control);
	snprintf(pl->module, sizeof(pl->module), "%s", module);
	while (pl->argc < AL_PAM_ARGS_MAX && (a = pam_token(&rest, 0)) != NULL) {
		n = strlen(a) + 1;
		if (used + n > sizeof(pl->args))
			break;
		memcpy(pl->args + used, a, n);
		pl->argv[pl->argc++] = pl->args + used;
		used += n;
	}
}

/* One line without its comment; lineno and file for what it finds. */
static void
pam_line_parse(struct pam_line *pl, char *line, const char *file,
	       unsigned lineno, int depth)
{
	char *p = line, *type, *control, *module;

	if ((type = pam_token(&p, 1)) == NULL)
		return;
	if (strcmp(type, "@include") == 0) {
		if ((module = pam_token(&p, 0)) != NULL)
			pam_file(pl, module, depth + 1);
		return;
	}
	if ((control = pam_token(&p, 1)) == NULL || (module = pam_token(&p, 0)) == NULL)
		return;
	if (strcmp(type[0] == '-' ? type + 1 : type, "session") != 0)
		return;
	if (strcmp(control, "include") == 0 || strcmp(control, "substack") == 0)
		pam_file(pl, module, depth + 1);
	else if (is_module(module))
		pam_take(pl, file, lineno, type, control, module, p);
}

/* Remembers the first commented-out line naming the module. */
static void
pam_commented(struct pam_line *pl, const char *line, const char *file,
	      unsigned lineno)
{
	const char *s = line + strspn(line, " \t");

	if (*s == '#' && strstr(s, "pam_agentlink") != NULL && pl->commented[0] == '\0')
		snprintf(pl->commented, sizeof(pl->commented), "%s:%u", file, lineno);
}

static void
pam_file(struct pam_line *pl, const char *name, int depth)
{
	char path[512], *text, *line, *next;
	const char *why;
	unsigned lineno = 0;

	if (depth > PAM_DEPTH_MAX || pl->found == 1)
		return;
	snprintf(path, sizeof(path), "%s%s%s", name[0] == '/' ? "" : AL_PAM_DIR,
		 name[0] == '/' ? "" : "/", name);
	if ((text = al_read_trusted(path, &why)) == NULL) {
		/* A part of the stack that cannot be read: cannot tell. */
		if (pl->why[0] == '\0') {
			snprintf(pl->file, sizeof(pl->file), "%s", path);
			snprintf(pl->why, sizeof(pl->why), "%s", why);
		}
		return;
	}
	for (line = text; line != NULL && pl->found != 1; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		pam_commented(pl, line, path, lineno);
		line[strcspn(line, "#")] = '\0';
		pam_line_parse(pl, line, path, lineno, depth);
	}
	free(text);
}

void
cmd_pam_find(const char *service, struct pam_line *pl)
{
	memset(pl, 0, sizeof(*pl));
	snprintf(pl->service, sizeof(pl->service), "%s", service);
	pam_file(pl, service, 0);
	if (pl->found != 1 && pl->why[0] != '\0')
		pl->found = -1;
	else if (pl->found != 1)
		snprintf(pl->file, sizeof(pl->file), "%s/%s", AL_PAM_DIR, service);
}
