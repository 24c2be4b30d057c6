#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "bounded_call.h"
#include "common.h"
#include "log.h"
#include "mountpoint.h"
#include "mountpoint_lock.h"
#include "registry.h"

#define LOCK_PREFIX "lock."

void mountpoint_lock_init(struct mountpoint_lock *lock)
{
	lock->fd = lock->dir_fd = -1;
	lock->name[0] = '\0';
}

/* Lock the file (made when CREATE is O_CREAT), once held still the one by
 * its name: its last holder may have removed it meanwhile.  Returns 0,
 * -ESTALE to open it again, or -errno (-EWOULDBLOCK: held by another,
 * with LOCK_NB in HOW). */
static int lock_named(struct mountpoint_lock *lock, int how, int create)
{
	struct stat held, named;
	int fd;

	fd = openat(lock->dir_fd, lock->name, O_RDWR | create | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (RETRY_ON_EINTR(flock(fd, how)) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	if (fstat(fd, &held) < 0 ||
	    fstatat(lock->dir_fd, lock->name, &named, AT_SYMLINK_NOFOLLOW) < 0 ||
	    held.st_dev != named.st_dev || held.st_ino != named.st_ino) {
		close(fd);
		return -ESTALE;
	}
	lock->fd = fd;
	return 0;
}

static int wait_for_lock(void *arg)
{
	int rc;

	while ((rc = lock_named(arg, LOCK_EX, O_CREAT)) == -ESTALE)
		;
	return rc;
}

int mountpoint_lock_take(struct mountpoint_lock *lock, const struct mountpoint *mp,
			 unsigned int timeout_ms, bool *waited, int *signal)
{
	struct mountpoint_lock *waiting;
	struct stat st;
	int rc;

	*waited = false;
	if (fstat(mp->fd, &st) < 0)
		return -errno;
	lock->dir_fd = registry_dir_open();
	if (lock->dir_fd < 0) {
		lock->dir_fd = -1;
		return 0;
	}
	snprintf(lock->name, sizeof(lock->name), LOCK_PREFIX "%u.%u.%llu", major(st.st_dev),
		 minor(st.st_dev), (unsigned long long)st.st_ino);
	while ((rc = lock_named(lock, LOCK_EX | LOCK_NB, O_CREAT)) == -ESTALE)
		;
	if (rc != -EWOULDBLOCK && rc < 0) {
		/* A registry that cannot hold a file (read-only /run, a full
		 * one) takes nothing from a launch alone on its mountpoint. */
		log_step("launching without taking turns on %s: %s", mp->path, strerror(-rc));
		mountpoint_lock_close(lock);
		return 0;
	}
	if (rc != -EWOULDBLOCK)
		return rc;
	/* Another launch holds it: wait in a thread, which a timeout or a
	 * signal leaves behind with its copy (until the process exits). */
	*waited = true;
	waiting = malloc(sizeof(*waiting));
	if (!waiting)
		return -ENOMEM;
	*waiting = *lock;
	rc = bounded_call(wait_for_lock, waiting, timeout_ms, signal);
	if (rc == -ETIMEDOUT || rc == -ECANCELED)
		return rc;
	lock->fd = waiting->fd;
	free(waiting);
	return rc;
}

void mountpoint_lock_close(struct mountpoint_lock *lock)
{
	cleanup_fdp(&lock->fd);
	cleanup_fdp(&lock->dir_fd);
	lock->fd = lock->dir_fd = -1;
}

void mountpoint_lock_release(struct mountpoint_lock *lock)
{
	if (lock->fd >= 0)
		unlinkat(lock->dir_fd, lock->name, 0);
	mountpoint_lock_close(lock);
}

bool mountpoint_lock_is_named(const char *name)
{
	return !strncmp(name, LOCK_PREFIX, strlen(LOCK_PREFIX));
}

void mountpoint_lock_remove_stale(int dir_fd, const char *name)
{
	struct mountpoint_lock stale = { .dir_fd = dir_fd };

	if (snprintf(stale.name, sizeof(stale.name), "%s", name) >= (int)sizeof(stale.name) ||
	    lock_named(&stale, LOCK_EX | LOCK_NB, 0) < 0)
		return;
	unlinkat(dir_fd, name, 0);
	close(stale.fd);
}
