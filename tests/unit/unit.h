/* A unit test's checks, printed as TAP (automake's tap-driver.sh reads
 * them): "ok N - WHAT" or "not ok N - WHAT" followed by what was got and
 * what was wanted, the plan last.  main() ends with "return unit_done();".
 * No framework: each check is a line of C comparing a real value with the
 * expected one. */
#ifndef FUSELAUNCH_UNIT_H
#define FUSELAUNCH_UNIT_H

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

static int unit_checks, unit_failures;

static inline bool unit_report(bool ok, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static inline bool unit_report(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++unit_checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok) {
		unit_failures++;
		printf("#   at %s:%d\n", file, line);
	}
	fflush(stdout);
	return ok;
}

#define CHECK(cond, ...) unit_report((cond), __FILE__, __LINE__, __VA_ARGS__)

#define CHECK_INT(got, want, ...) do { \
	long long got_ = (long long)(got), want_ = (long long)(want); \
	if (!unit_report(got_ == want_, __FILE__, __LINE__, __VA_ARGS__)) \
		printf("#   got %lld, want %lld (%s)\n", got_, want_, #got); \
} while (0)

/* Either may be NULL: equal when both are. */
#define CHECK_STR(got, want, ...) do { \
	const char *gots_ = (got), *wants_ = (want); \
	bool same_ = gots_ && wants_ ? !strcmp(gots_, wants_) : gots_ == wants_; \
	if (!unit_report(same_, __FILE__, __LINE__, __VA_ARGS__)) \
		printf("#   got \"%s\", want \"%s\" (%s)\n", gots_ ? gots_ : "(null)", \
		       wants_ ? wants_ : "(null)", #got); \
} while (0)

/* HAYSTACK (NULL fails) contains NEEDLE. */
#define CHECK_HAS(haystack, needle, ...) do { \
	const char *hay_ = (haystack), *needle_ = (needle); \
	if (!unit_report(hay_ && strstr(hay_, needle_), __FILE__, __LINE__, __VA_ARGS__)) \
		printf("#   \"%s\" lacks \"%s\" (%s)\n", hay_ ? hay_ : "(null)", needle_, #haystack); \
} while (0)

static inline void unit_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++unit_checks, what, why);
	fflush(stdout);
}

/* The plan, and main()'s exit status. */
static inline int unit_done(void)
{
	printf("1..%d\n", unit_checks);
	return unit_failures ? 1 : 0;
}

/* Stop here: the rest cannot run (a fixture could not be made). */
static inline void unit_bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(99);
}

/* What the code under test prints on stderr between unit_capture_start()
 * and unit_capture_end(), which returns it (static, one line or more). */
static int unit_saved_stderr = -1;

static inline void unit_capture_start(void)
{
	char path[] = "/tmp/unit-stderr-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0)
		unit_bail("mkstemp");
	unlink(path);
	fflush(stderr);
	unit_saved_stderr = dup(STDERR_FILENO);
	if (unit_saved_stderr < 0 || dup2(fd, STDERR_FILENO) < 0)
		unit_bail("dup2");
	close(fd);
}

static inline const char *unit_capture_end(void)
{
	static char text[4096];
	ssize_t n;

	fflush(stderr);
	n = pread(STDERR_FILENO, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	dup2(unit_saved_stderr, STDERR_FILENO);
	close(unit_saved_stderr);
	unit_saved_stderr = -1;
	return text;
}

/* A fresh directory under $TMPDIR (or /tmp), removed by unit_rmtree(). */
static inline char *unit_tmpdir(void)
{
	const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	char *dir;

	if (asprintf(&dir, "%s/fuselaunch-unit-XXXXXX", base) < 0 || !mkdtemp(dir))
		unit_bail("mkdtemp");
	return dir;
}

/* PATH joined to NAME, malloc'ed. */
static inline char *unit_path(const char *dir, const char *name)
{
	char *path;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		unit_bail("asprintf");
	return path;
}

/* Write TEXT to a new file DIR/NAME with MODE; returns its path. */
static inline char *unit_write_file(const char *dir, const char *name, const char *text,
				    mode_t mode)
{
	char *path = unit_path(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) < 0 || close(fd) < 0)
		unit_bail(path);
	return path;
}

static inline char *unit_mkdir(const char *dir, const char *name)
{
	char *path = unit_path(dir, name);

	if (mkdir(path, 0755) < 0)
		unit_bail(path);
	return path;
}

static inline int unit_remove_one(const char *path, const struct stat *st, int type,
				  struct FTW *ftw)
{
	return remove(path);
}

static inline void unit_rmtree(char *dir)
{
	nftw(dir, unit_remove_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* The build directory, where tests/testfs is: make check says it in
 * $BUILDDIR; else the current directory. */
static inline const char *unit_builddir(void)
{
	return getenv("BUILDDIR") ? getenv("BUILDDIR") : ".";
}

#endif
