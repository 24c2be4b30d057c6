#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

/* Until log_init(): the name the program was run by. */
static const char *program;
static bool verbose;
static struct timespec started;

void log_init(const char *program_name, bool be_verbose)
{
	program = program_name;
	verbose = be_verbose;
	clock_gettime(CLOCK_MONOTONIC, &started);
}

const char *log_program_name(void)
{
	return program ? program : program_invocation_short_name;
}

/* One write per line, so that lines of the launcher, its daemon and the
 * server do not interleave mid-line on a shared terminal. */
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%s: %s", log_program_name(), prefix);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	fprintf(stderr, "%s\n", line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

static double elapsed_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - started.tv_sec) * 1e3 +
	       (now.tv_nsec - started.tv_nsec) / 1e6;
}

void log_step(const char *fmt, ...)
{
	va_list ap;
	char stamp[32];

	if (!verbose)
		return;
	snprintf(stamp, sizeof(stamp), "[%9.3f ms] ", elapsed_ms());
	va_start(ap, fmt);
	emit(stamp, fmt, ap);
	va_end(ap);
}
