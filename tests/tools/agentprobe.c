/*
 * agentprobe - asks the agent behind a socket whether it answers, the way
 * pam_agentlink's liveness probe does (one SSH_AGENTC_EXTENSION "query",
 * nothing else), for shell tests and by hand.
 *
 *   agentprobe PATH [TIMEOUT_MS]      (default 1000 ms)
 *
 * Prints one line and exits with:
 *   0  answers 123us              a well-formed reply
 *   1  no answer within 500 ms    connected, but silence until the timeout
 *   2  bad reply                  hung up, reset, or a malformed reply
 *   3  refused                    a socket file with nothing listening
 *   4  anything else (usage, a missing path, ...), on standard error
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probe.h"

static int
parse_ms(const char *s, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > INT_MAX)
		return -1;
	*ms = (int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	enum al_answer res;
	long us;
	int fd, ms = 1000, r;

	if (argc < 2 || argc > 3 || (argc == 3 && parse_ms(argv[2], &ms) != 0)) {
		fprintf(stderr, "usage: agentprobe PATH [TIMEOUT_MS]\n");
		return 4;
	}
	r = al_connect_nb(argv[1], &fd);
	if (r == 0) {
		printf("refused\n");
		return 3;
	}
	if (r < 0) {
		fprintf(stderr, "agentprobe: %s: %s\n", argv[1], strerror(errno));
		return 4;
	}
	r = al_agent_query(&fd, 1, ms, &res, &us);
	close(fd);
	if (r < 0) {
		fprintf(stderr, "agentprobe: %s: %s\n", argv[1], strerror(errno));
		return 4;
	}
	switch (res) {
	case AL_ANS_YES:
		printf("answers %ldus\n", us);
		return 0;
	case AL_ANS_NONE:
		printf("no answer within %d ms\n", ms);
		return 1;
	default:
		printf("bad reply\n");
		return 2;
	}
}
