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

void program_exit_version(int exit_code)
{
	const char *name = log_program_name();

	/* The helpers name the project they come from, as util-linux's do. */
	if (strcmp(name, PACKAGE_NAME))
		printf("%s from %s %s\n", name, PACKAGE_NAME, PACKAGE_VERSION);
	else
		printf("%s %s\n", name, PACKAGE_VERSION);
	fputs("License GPL-2.0-or-later <https://www.gnu.org/licenses/old-licenses/gpl-2.0.html>.\n"
	      "This is free software: you are free to change and redistribute it.\n"
	      "There is NO WARRANTY, to the extent permitted by law.\n",
	      stdout);
	exit(exit_code);
}
