/*
 * hosthash.h - host name hash as OpenSSH >= 10.1 puts it in socket names.
 */
#ifndef AGENTLINK_HOSTHASH_H
#define AGENTLINK_HOSTHASH_H

#include <stddef.h>

#define AL_HOSTHASH_LEN 10


void al_sha512(const void *data, size_t len, unsigned char out[64]);
void al_hosthash(const char *hostname, char out[AL_HOSTHASH_LEN + 1]);
/* gethostname() and its part before the first dot. */
int al_hostnames(char *full, size_t fullsz, char *shorthost, size_t shortsz);

#endif /* AGENTLINK_HOSTHASH_H */
