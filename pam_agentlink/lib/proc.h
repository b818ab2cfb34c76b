/*
 * proc.h - processes, from /proc (proc.c).
 */
#ifndef AGENTLINK_PROC_H
#define AGENTLINK_PROC_H

#include <sys/types.h>

/* /proc/<pid> as a directory descriptor (close-on-exec), or -1: reads
 * through it are of that process only, even if the pid is reused. */
int al_proc_open(pid_t pid);
/* Parent pid and start time (clock ticks after boot) of pid, read from
 * /proc/<pid>/stat; -1 if it cannot be read.  _at: of an al_proc_open()
 * directory. */
int al_proc_stat(pid_t pid, pid_t *ppid, unsigned long long *start);
int al_proc_stat_at(int dfd, pid_t *ppid, unsigned long long *start);
/* 1 when pid is no process, or a zombie. */
int al_proc_gone(pid_t pid);

#endif /* AGENTLINK_PROC_H */
