/*
 * processes.c - the bench's children: the module's processes, counted and
 * reaped after each case, and the spinning load of the heal.
 *
 * This process is the "sshd monitor": the module's watch is a detached
 * grandchild, so main makes this process a child subreaper and what is
 * left of the module's is reaped here.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "proc.h"

/* Two processes that spin while the heal is timed under load: children
 * of this process, not the module's. */
static pid_t spinners[2];

/* The fake agents' processes (agents_start()). */
static pid_t agent_procs[4];

void
own_child(pid_t pid, int add)
{
	size_t i;

	for (i = 0; i < sizeof(agent_procs) / sizeof(agent_procs[0]); i++)
		if (agent_procs[i] == (add ? 0 : pid)) {
			agent_procs[i] = add ? pid : 0;
			return;
		}
	die("own_child: no room for process %ld", (long)pid);
}

static int
is_spinner(pid_t pid)
{
	size_t i;

	for (i = 0; i < sizeof(agent_procs) / sizeof(agent_procs[0]); i++)
		if (pid == agent_procs[i])
			return 1;
	return pid == spinners[0] || pid == spinners[1];
}

/* A child of this process, not a spinner, or 0 when there is none. */
static pid_t
module_child(void)
{
	struct dirent *de;
	pid_t pid, ppid, me = getpid(), found = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		die("opendir /proc: %m");
	while (found == 0 && (de = readdir(d)) != NULL) {
		pid = (pid_t)atol(de->d_name);
		if (pid > 0 && !is_spinner(pid) &&
		    al_proc_stat(pid, &ppid, NULL) == 0 && ppid == me)
			found = pid;
	}
	closedir(d);
	return found;
}

unsigned stray_procs;

/*
 * Waits, up to deadline (now_us()), until the module's processes have
 * exited, and reaps them; returns how many there were.  The watch is a
 * detached grandchild: its parent exits at once and this subreaper gets
 * it.  Every other child of the bench is waited for by pid where it is
 * forked (the spinners and the fake agents' processes are left out
 * here): any other child found here is the module's.  One still running at
 * the deadline is killed and counted in stray_procs.
 */
unsigned
reap_module(double deadline)
{
	struct pollfd p;
	unsigned n = 0;
	double left;
	pid_t pid;

	while ((pid = module_child()) > 0) {
		if ((p.fd = (int)syscall(SYS_pidfd_open, pid, 0)) >= 0) {
			p.events = POLLIN;
			left = deadline - now_us();
			if (poll(&p, 1, left > 0 ? (int)(left / 1000) + 1 : 0) == 0) {
				kill(pid, SIGKILL);
				stray_procs++;
			}
			close(p.fd);
		}
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		n++;
	}
	return n;
}

/* Whatever has exited, without waiting. */
void
reap_leftovers(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- the spinning load ---- */

/* The spinners start: the heal timed on a busy machine. */
void
load_on(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if ((spinners[i] = fork()) < 0)
			die("fork: %m");
		if (spinners[i] == 0) {
			volatile unsigned long x = 0;

			for (;;)
				x++;
		}
	}
}

/* The spinners are killed and reaped. */
void
load_off(void)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (spinners[i] > 0) {
			kill(spinners[i], SIGKILL);
			while (waitpid(spinners[i], NULL, 0) < 0 && errno == EINTR)
				;
		}
		spinners[i] = 0;
	}
}
