#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_file.h"

static void __attribute__((format(printf, 3, 4)))
say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

static int check_dir_fd(int fd, const char *dir, char *why, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		say(why, len, "%s", strerror(errno));
		return -errno;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		say(why, len, "directory '%s' belongs to uid %u, neither root nor us", dir,
		    (unsigned int)st.st_uid);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		say(why, len, "directory '%s' is writable by other users and not sticky", dir);
		return -EPERM;
	}
	return 0;
}

/* The directory of PATH, opened O_PATH and checked, in *DIRFD; its last
 * component in *BASE (a pointer into PATH). */
static int open_parent(const char *path, int *dirfd, const char **base, char *why, size_t len)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int rc;

	if (!slash) {
		strcpy(dir, ".");
		*base = path;
	} else if ((size_t)(slash - path) >= sizeof(dir)) {
		say(why, len, "%s", strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	} else {
		memcpy(dir, path, slash - path);
		dir[slash == path ? 1 : slash - path] = '\0';
		*base = slash + 1;
	}
	if (!**base || !strcmp(*base, ".") || !strcmp(*base, "..")) {
		say(why, len, "%s", strerror(EISDIR));
		return -EISDIR;
	}
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0) {
		rc = -errno;
		say(why, len, "%s", strerror(-rc));
		return rc;
	}
	rc = check_dir_fd(*dirfd, dir, why, len);
	if (rc < 0)
		close(*dirfd);
	return rc;
}

/* What is at BASE in DIRFD, if anything, may be written or replaced. */
static int check_entry(int dirfd, const char *base, char *why, size_t len)
{
	struct stat st;

	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		say(why, len, "%s", strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		say(why, len, "%s", "a symbolic link (not followed)");
		return -ELOOP;
	}
	if (S_ISDIR(st.st_mode)) {
		say(why, len, "%s", strerror(EISDIR));
		return -EISDIR;
	}
	return 0;
}

int safe_file_check_dir(const char *dir, char *why, size_t len)
{
	int fd, rc;

	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		say(why, len, "%s", strerror(-rc));
		return rc;
	}
	rc = check_dir_fd(fd, dir, why, len);
	close(fd);
	return rc;
}

int safe_file_check_parent(const char *path, char *why, size_t len)
{
	const char *base;
	int dirfd, rc;

	rc = open_parent(path, &dirfd, &base, why, len);
	if (rc < 0)
		return rc;
	rc = check_entry(dirfd, base, why, len);
	close(dirfd);
	return rc;
}

int safe_file_open_append(const char *path, mode_t mode, int *fd, char *why, size_t len)
{
	const char *base;
	struct stat st;
	int dirfd, flags, rc;

	rc = open_parent(path, &dirfd, &base, why, len);
	if (rc < 0)
		return rc;
	/* Opened in the directory just checked, so it cannot be swapped. */
	*fd = openat(dirfd, base, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY |
		     O_NONBLOCK | O_CLOEXEC, mode);
	if (*fd < 0) {
		rc = -errno;
		if (rc == -ELOOP)	/* O_NOFOLLOW, on the one component */
			say(why, len, "%s", "a symbolic link (not followed)");
		else if (rc == -ENXIO && fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			 S_ISFIFO(st.st_mode))
			say(why, len, "%s", "a FIFO that nothing reads");
		else
			say(why, len, "%s", strerror(-rc));
		close(dirfd);
		return rc;
	}
	close(dirfd);
	flags = fcntl(*fd, F_GETFL);
	if (flags < 0 || fcntl(*fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		rc = -errno;
		say(why, len, "%s", strerror(-rc));
		close(*fd);
		*fd = -1;
		return rc;
	}
	return 0;
}
