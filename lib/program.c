#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "program.h"

static int stdout_exit_code;

static void check_stdout(void)
{
	bool failed = ferror(stdout) != 0;
	/* A write that failed earlier left its errno, at best. */
	int error = failed ? errno : 0;

	if (fflush(stdout) != 0) {
		failed = true;
		error = errno;
	}
	if (fclose(stdout) != 0 && errno != EBADF && !failed) {
		failed = true;
		error = errno;
	}
	/* A reader that went away (| head) wanted no more. */
	if (!failed || error == EPIPE)
		return;
	if (error)
		log_error("write error: %s", strerror(error));
	else
		log_error("write error");
	_exit(stdout_exit_code);
}

void program_check_stdout_at_exit(int exit_code)
{
	stdout_exit_code = exit_code;
	atexit(check_stdout);
}

void program_exit_try_help(int exit_code)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", log_program_name());
	exit(exit_code);
}
