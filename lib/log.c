#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/* The length of the UTF-8 sequence at S if it is a well-formed one (by
 * its lead and continuation bytes), else 0. */
static size_t utf8_length(const unsigned char *s)
{
	size_t n, i;

	if (*s >= 0xc2 && *s <= 0xdf)
		n = 2;
	else if (*s >= 0xe0 && *s <= 0xef)
		n = 3;
	else if (*s >= 0xf0 && *s <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

size_t log_escape(const char *in, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t len = 0, n;

	if (!size)
		return 0;
	while (*s) {
		/* C0 controls and DEL; U+0080-U+009F (C1) in UTF-8; a stray
		 * byte 0x80-0x9f, which a terminal may take as C1 too. */
		bool c1 = s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f;

		n = c1 ? 2 : *s >= 0x80 ? utf8_length(s) : 1;
		if (*s < 0x20 || *s == 0x7f || c1 || (!n && *s <= 0x9f)) {
			for (n = c1 ? 2 : 1; n; n--, s++) {
				if (len + 4 >= size)
					goto out;
				snprintf(out + len, 5, "\\x%02x", *s);
				len += 4;
			}
			continue;
		}
		n = n ? n : 1;
		if (len + n >= size)
			break;
		memcpy(out + len, s, n);
		len += n;
		s += n;
	}
out:
	out[len] = '\0';
	return len;
}

/* One write per line, so that lines of the launcher, its daemon and the
 * server do not interleave mid-line on a shared terminal.  Names, paths
 * and the kernel's words in the message are escaped here, once for every
 * message: a message is one line, and carries no terminal control. */
static void emit(const char *prefix, const char *fmt, va_list ap)
{
	char message[1024], line[sizeof(message) * 4 + 64];
	int n;

	vsnprintf(message, sizeof(message), fmt, ap);
	n = snprintf(line, sizeof(line), "%s: %s", log_program_name(), prefix);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	log_escape(message, line + n, sizeof(line) - n);
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
