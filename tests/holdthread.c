/*
 * holdthread - stop one thread of a process, and only that one, while a
 * command runs; then let it go on.  The tests use it to make events that
 * a busy machine makes by chance happen on purpose: the other threads of
 * the process run on while the held one cannot react.
 *
 *   holdthread TID COMMAND [ARGS...]
 *
 * Exits with COMMAND's status, or 125 when TID could not be held.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status, command_status = 0;
	pid_t tid, command;

	if (argc < 3) {
		fprintf(stderr, "usage: holdthread TID COMMAND [ARGS...]\n");
		return 125;
	}
	tid = (pid_t)atoi(argv[1]);
	/* Seized, not attached: no SIGSTOP, which would stop every thread. */
	if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0 ||
	    ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 ||
	    waitpid(tid, &status, __WALL) < 0) {
		fprintf(stderr, "holdthread: %d: %s\n", (int)tid, strerror(errno));
		return 125;
	}
	command = fork();
	if (command == 0) {
		execvp(argv[2], argv + 2);
		fprintf(stderr, "holdthread: %s: %s\n", argv[2], strerror(errno));
		_exit(127);
	}
	if (command < 0 || waitpid(command, &command_status, 0) < 0)
		command_status = 125 << 8;
	if (ptrace(PTRACE_DETACH, tid, NULL, NULL) < 0) {
		fprintf(stderr, "holdthread: detaching %d: %s\n", (int)tid, strerror(errno));
		return 125;
	}
	return WIFEXITED(command_status) ? WEXITSTATUS(command_status) : 125;
}
