/*
 * fuzz_cfg - the option and config-file parser.
 *
 * The input is parsed as a config file (al_cfg_parse_text), then each of
 * its newline-separated parts is given to al_cfg_set as one PAM argument.
 * After each step the settings must still be what al_cfg_set promises:
 * terminated strings within their arrays, a link template that passes
 * al_expand_check, an environment name or none, a wait within range.
 */
#include <string.h>

#include "fuzz_common.h"
#include "cfg.h"
#include "expand.h"

static void
check(const struct al_cfg *cfg)
{
	const char *err;
	size_t i;

	FUZZ_ASSERT(memchr(cfg->link, '\0', sizeof(cfg->link)) != NULL);
	FUZZ_ASSERT(memchr(cfg->env, '\0', sizeof(cfg->env)) != NULL);
	FUZZ_ASSERT(memchr(cfg->services, '\0', sizeof(cfg->services)) != NULL);
	FUZZ_ASSERT(memchr(cfg->conf, '\0', sizeof(cfg->conf)) != NULL);
	FUZZ_ASSERT(al_expand_check(cfg->link, &err) == 0);
	FUZZ_ASSERT(cfg->conf[0] == '/');
	FUZZ_ASSERT(cfg->wait <= AL_MAX_WAIT);
	FUZZ_ASSERT(cfg->policy == AL_POLICY_KEEP ||
		    cfg->policy == AL_POLICY_NEWEST ||
		    cfg->policy == AL_POLICY_INTERACTIVE);
	FUZZ_ASSERT(cfg->cleanup == 0 || cfg->cleanup == 1);
	FUZZ_ASSERT(cfg->debug == 0 || cfg->debug == 1);
	for (i = 0; cfg->env[i] != '\0'; i++)
		FUZZ_ASSERT(cfg->env[i] == '_' ||
			    (cfg->env[i] >= 'A' && cfg->env[i] <= 'Z') ||
			    (cfg->env[i] >= 'a' && cfg->env[i] <= 'z') ||
			    (i > 0 && cfg->env[i] >= '0' && cfg->env[i] <= '9'));
	(void)al_cfg_service_listed(cfg, "sshd");
	(void)al_cfg_service_listed(cfg, "");
	(void)al_cfg_service_listed(cfg, NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct al_cfg cfg;
	char *buf, *p, *nl;

	al_cfg_defaults(&cfg);
	al_cfg_parse_text(&cfg, (const char *)data, size, "fuzz.conf", &fuzz_log);
	check(&cfg);

	/* The same bytes as PAM arguments, one per line. */
	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	al_cfg_defaults(&cfg);
	for (p = buf; p != NULL; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		(void)al_cfg_set(&cfg, p, "PAM argument", &fuzz_log);
		check(&cfg);
		/* Service names listed must be found again. */
		if (strncmp(p, "services=", 9) == 0 &&
		    strcmp(cfg.services, p + 9) == 0 && p[9] != '\0' &&
		    strchr(p + 9, ',') == NULL)
			FUZZ_ASSERT(al_cfg_service_listed(&cfg, p + 9));
	}
	free(buf);
	return 0;
}
