/*
 * nullwrap - the least a wrapper can do, as a yardstick for bench/run.
 *
 *   nullwrap CMD [ARGS...]
 *	Start CMD (vfork and execvp; stdin, stdout and stderr inherited),
 *	wait for it, and exit with its exit status, or 128+signal.  Exits
 *	127 if CMD cannot be run, 2 on a usage or system error.
 *
 * Why it exists: fuselaunch is one more program started in front of the
 * FUSE server, and bench/run compares it with the server alone.  Timing
 * `nullwrap SERVER MNT` exactly as the server alone is timed gives the
 * floor for ANY program in that place on this machine: one more exec of a
 * dynamically linked (libc only) program, one vfork, one wait.  Whatever
 * fuselaunch costs above that floor is its own doing; the floor itself is
 * not.  It does nothing else on purpose: no signal forwarding, no other
 * libraries, no buffered output.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* The vfork child shares our memory until it execs or exits: it
	 * leaves its errno here rather than calling stdio itself. */
	volatile int exec_errno = 0;
	int status;
	pid_t pid;

	if (argc < 2) {
		fputs("usage: nullwrap CMD [ARGS...]\n", stderr);
		return 2;
	}
	pid = vfork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		exec_errno = errno;
		_exit(127);
	}
	if (pid < 0) {
		perror("nullwrap: vfork");
		return 2;
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("nullwrap: waitpid");
			return 2;
		}
	}
	if (exec_errno) {
		fprintf(stderr, "nullwrap: %s: %s\n", argv[1], strerror(exec_errno));
		return 127;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
