/*
 * pamdrive - real PAM session transactions for shell tests.
 *
 *   pamdrive -d CONFDIR -s SERVICE -u USER [-t TTY] [-e VAR]... ACTION...
 *
 * Starts a transaction with pam_start_confdir(SERVICE, USER, conv,
 * CONFDIR) (CONFDIR holds a file named SERVICE), sets PAM_TTY to TTY
 * ("ssh" unless -t is given; -t '' leaves it unset, as a console login
 * would not have "ssh"), then runs the actions in order:
 *
 *   open      pam_open_session
 *   close     pam_close_session
 *   both      open, then close
 *   cycle N   N whole transactions of their own: pam_start_confdir,
 *             open, close, pam_end (what sshd does once per connection)
 *
 * Every call prints one line, "open: PAM_SUCCESS (Success)", so a test can
 * assert the code; cycle prints a count per distinct result instead.  At
 * the end each -e VAR prints "env VAR=value" or "env VAR unset" as
 * pam_getenv sees it, and the descriptors open at the end are compared
 * with those open at the start (after closelog(): libc's cached /dev/log
 * connection is the process's, not a leak): "fds: none left" or
 * "fds: left N -> path".
 *
 * Exit status: 0 when every call returned PAM_SUCCESS and no descriptor
 * was left open, 1 otherwise, 2 on a usage error.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

#define MAX_ENV 16
#define MAX_FD 1024

static const char *confdir, *service, *user, *tty = "ssh";

static const char *
code_name(int r)
{
	switch (r) {
	case PAM_SUCCESS: return "PAM_SUCCESS";
	case PAM_IGNORE: return "PAM_IGNORE";
	case PAM_SESSION_ERR: return "PAM_SESSION_ERR";
	case PAM_PERM_DENIED: return "PAM_PERM_DENIED";
	case PAM_SYSTEM_ERR: return "PAM_SYSTEM_ERR";
	case PAM_BUF_ERR: return "PAM_BUF_ERR";
	case PAM_ABORT: return "PAM_ABORT";
	case PAM_USER_UNKNOWN: return "PAM_USER_UNKNOWN";
	case PAM_SERVICE_ERR: return "PAM_SERVICE_ERR";
	case PAM_MODULE_UNKNOWN: return "PAM_MODULE_UNKNOWN";
	case PAM_SYMBOL_ERR: return "PAM_SYMBOL_ERR";
	case PAM_CONV_ERR: return "PAM_CONV_ERR";
	}
	return "PAM_OTHER";
}

/* The module never talks to the user; answer nothing. */
static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
     void *arg)
{
	(void)n;
	(void)msg;
	(void)resp;
	(void)arg;
	return PAM_CONV_ERR;
}

static const struct pam_conv pamc = { conv, NULL };

/* Marks the open descriptors in open[]. */
static int
list_fds(unsigned char open[MAX_FD])
{
	struct dirent *de;
	DIR *d;
	long fd;
	int self;

	memset(open, 0, MAX_FD);
	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	self = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, NULL, 10);
		if (fd >= 0 && fd < MAX_FD && fd != self)
			open[fd] = 1;
	}
	closedir(d);
	return 0;
}

static int
start(pam_handle_t **pamh)
{
	int r = pam_start_confdir(service, user, &pamc, confdir, pamh);

	if (r != PAM_SUCCESS) {
		printf("start: %s (%s)\n", code_name(r), pam_strerror(NULL, r));
		return r;
	}
	if (tty[0] != '\0' && (r = pam_set_item(*pamh, PAM_TTY, tty)) != PAM_SUCCESS)
		printf("set PAM_TTY: %s (%s)\n", code_name(r),
		       pam_strerror(*pamh, r));
	return r;
}

static void
report(pam_handle_t *pamh, const char *what, int r)
{
	printf("%s: %s (%s)\n", what, code_name(r), pam_strerror(pamh, r));
	fflush(stdout);
}

/* A count of results per code, for cycle. */
struct tally {
	int code[8], n[8], used;
};

static void
count(struct tally *t, int r)
{
	int i;

	for (i = 0; i < t->used; i++)
		if (t->code[i] == r) {
			t->n[i]++;
			return;
		}
	if (t->used < 8) {
		t->code[t->used] = r;
		t->n[t->used++] = 1;
	}
}

static int
print_tally(const char *what, const struct tally *t)
{
	int i, bad = 0;

	for (i = 0; i < t->used; i++) {
		printf("cycle %s: %d x %s (%s)\n", what, t->n[i],
		       code_name(t->code[i]), pam_strerror(NULL, t->code[i]));
		bad |= t->code[i] != PAM_SUCCESS;
	}
	return bad;
}

static int
cycle(long n)
{
	struct tally topen = { { 0 }, { 0 }, 0 }, tclose = { { 0 }, { 0 }, 0 };
	pam_handle_t *pamh;
	int bad = 0, r;
	long i;

	for (i = 0; i < n; i++) {
		if (start(&pamh) != PAM_SUCCESS)
			return 1;
		r = pam_open_session(pamh, 0);
		count(&topen, r);
		r = pam_close_session(pamh, 0);
		count(&tclose, r);
		pam_end(pamh, r);
	}
	bad |= print_tally("open", &topen);
	bad |= print_tally("close", &tclose);
	return bad;
}

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: pamdrive -d CONFDIR -s SERVICE -u USER [-t TTY] "
		"[-e VAR]... open|close|both|cycle N...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned char before[MAX_FD], after[MAX_FD];
	const char *env[MAX_ENV], *v;
	pam_handle_t *pamh = NULL;
	char path[64], target[PATH_MAX];
	int nenv = 0, bad = 0, last = PAM_SUCCESS, c, i, left = 0;
	ssize_t len;
	char *end;
	long n;

	while ((c = getopt(argc, argv, "+d:s:u:t:e:")) != -1) {
		switch (c) {
		case 'd': confdir = optarg; break;
		case 's': service = optarg; break;
		case 'u': user = optarg; break;
		case 't': tty = optarg; break;
		case 'e':
			if (nenv == MAX_ENV)
				usage();
			env[nenv++] = optarg;
			break;
		default:
			usage();
		}
	}
	if (confdir == NULL || service == NULL || user == NULL || optind == argc)
		usage();
	/* Check the action words before doing anything. */
	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "cycle") == 0) {
			if (++i == argc)
				usage();
			n = strtol(argv[i], &end, 10);
			if (*end != '\0' || n < 1)
				usage();
		} else if (strcmp(argv[i], "open") != 0 &&
			   strcmp(argv[i], "close") != 0 &&
			   strcmp(argv[i], "both") != 0) {
			usage();
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (list_fds(before) != 0) {
		perror("/proc/self/fd");
		return 2;
	}

	for (i = optind; i < argc; i++) {
		if (strcmp(argv[i], "cycle") == 0) {
			bad |= cycle(strtol(argv[++i], NULL, 10));
			continue;
		}
		if (pamh == NULL && start(&pamh) != PAM_SUCCESS)
			return 1;
		if (strcmp(argv[i], "open") == 0 || strcmp(argv[i], "both") == 0) {
			last = pam_open_session(pamh, 0);
			report(pamh, "open", last);
			bad |= last != PAM_SUCCESS;
		}
		if (strcmp(argv[i], "close") == 0 || strcmp(argv[i], "both") == 0) {
			last = pam_close_session(pamh, 0);
			report(pamh, "close", last);
			bad |= last != PAM_SUCCESS;
		}
	}
	for (c = 0; c < nenv; c++) {
		v = pamh ? pam_getenv(pamh, env[c]) : NULL;
		if (v != NULL)
			printf("env %s=%s\n", env[c], v);
		else
			printf("env %s unset\n", env[c]);
	}
	if (pamh != NULL)
		pam_end(pamh, last);
	/* pam_syslog leaves libc's one /dev/log connection open for the
	 * process, by design; anything else still open was left behind. */
	closelog();

	if (list_fds(after) != 0) {
		perror("/proc/self/fd");
		return 2;
	}
	for (c = 0; c < MAX_FD; c++) {
		if (!after[c] || before[c])
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", c);
		len = readlink(path, target, sizeof(target) - 1);
		target[len < 0 ? 0 : len] = '\0';
		printf("fds: left %d -> %s\n", c, target);
		left++;
	}
	if (left == 0)
		printf("fds: none left\n");
	return bad || left ? 1 : 0;
}
