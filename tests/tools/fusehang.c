/*
 * fusehang - a FUSE mount whose daemon never answers, for shell tests.
 *
 *   fusehang DIR UID
 *
 * Mounts a FUSE file system on DIR owned (user_id, group_id, rootmode
 * 0755) by UID, and never reads /dev/fuse: not even the kernel's INIT is
 * answered, so every request to it waits.  Prints "ready" once mounted,
 * then waits for end of file on standard input; closing /dev/fuse then
 * aborts the connection (waiting requests fail with ENOTCONN) and DIR is
 * unmounted.  Needs root and /dev/fuse.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	char opts[128], buf[64];
	unsigned long uid;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: fusehang DIR UID\n");
		return 2;
	}
	uid = strtoul(argv[2], NULL, 10);
	if ((fd = open("/dev/fuse", O_RDWR | O_CLOEXEC)) < 0) {
		perror("/dev/fuse");
		return 1;
	}
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40755,user_id=%lu,group_id=%lu,allow_other",
		 fd, uid, uid);
	if (mount("fusehang", argv[1], "fuse.fusehang", MS_NOSUID | MS_NODEV,
		  opts) != 0) {
		perror("mount");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
		;
	close(fd);
	if (umount2(argv[1], MNT_DETACH) != 0)
		perror("umount");
	return 0;
}
