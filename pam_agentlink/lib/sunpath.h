/*
 * sunpath.h - the longest Unix socket path.
 */
#ifndef AGENTLINK_SUNPATH_H
#define AGENTLINK_SUNPATH_H

/* sizeof(((struct sockaddr_un *)0)->sun_path): 107 bytes and a NUL. */
#define AL_SUN_PATH_MAX 108

#endif /* AGENTLINK_SUNPATH_H */
