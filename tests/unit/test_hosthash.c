/*
 * test_hosthash - SHA-512 against published vectors and against the real
 * sha512sum, and the host hash OpenSSH puts in ~/.ssh/agent socket names.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosthash.h"
#include "tap.h"

static void
hex(const unsigned char *md, char *out)
{
	int i;

	for (i = 0; i < 64; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
}

static int
sha512sum(const char *data, size_t len, char *out)
{
	char path[] = "/tmp/test_hosthashXXXXXX", cmd[128];
	FILE *f, *p;
	int fd = mkstemp(path), r = -1;

	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		return -1;
	fwrite(data, 1, len, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sha512sum %s", path);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%128s", out) == 1)
			r = 0;
		pclose(p);
	}
	unlink(path);
	return r;
}

int
main(void)
{
	unsigned char md[64];
	char got[129], want[129];
	char hash[AL_HOSTHASH_LEN + 1], *buf;
	static const size_t lens[] = { 0, 1, 55, 111, 112, 113, 127, 128, 129,
				       239, 240, 255, 256, 1000 };
	size_t i, j, bad = 0;

	al_sha512("abc", 3, md);
	hex(md, got);
	is_str(got, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
	       "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	       "SHA-512(\"abc\") (FIPS 180-2 vector)");
	al_sha512("", 0, md);
	hex(md, got);
	is_str(got, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
	       "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
	       "SHA-512(\"\")");
	buf = malloc(1000);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		for (j = 0; j < lens[i]; j++)
			buf[j] = (char)('a' + (j * 7 + i) % 26);
		al_sha512(buf, lens[i], md);
		hex(md, got);
		if (sha512sum(buf, lens[i], want) != 0 || strcmp(got, want) != 0) {
			diag("length %zu: got %s want %s", lens[i], got, want);
			bad++;
		}
	}
	free(buf);
	ok(bad == 0, "agrees with sha512sum across block boundaries (%zu lengths)",
	   sizeof(lens) / sizeof(lens[0]));

	al_hosthash("labhost", hash);
	is_str(hash, "AQuO2QT9yn", "host hash of labhost is AQuO2QT9yn");
	al_hosthash("labhost.example.org", hash);
	ok(strcmp(hash, "AQuO2QT9yn") != 0 && strlen(hash) == AL_HOSTHASH_LEN,
	   "the full host name is hashed, not its short form");
	return done_testing();
}
