/* The registry read: the live entries for --list and --unmount, the
 * dead ones cleaned up, and an unmounter's wait for the server's end. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "log.h"
#include "registry.h"

/* A pid in a name ("123.launch", "123.wait.456"): the number before SEP. */
static pid_t name_pid(const char *name, const char *sep, const char **rest)
{
	char *end;
	long pid = strtol(name, &end, 10);

	if (end == name || pid <= 0 || strncmp(end, sep, strlen(sep)))
		return 0;
	*rest = end + strlen(sep);
	return (pid_t)pid;
}

struct scan_dir {
	int fd;
	bool own;		/* ours: stale entries may be removed */
	pid_t *waited;		/* supervisors an unmounter waits for */
	size_t n_waited, cap;
};

/* Waiters first: they mark entries as unmounting, and a waiter whose
 * unmounter is gone is removed. */
static void scan_waiters(struct scan_dir *s, DIR *d)
{
	struct dirent *de;
	const char *rest;
	pid_t sup, waiter;

	while ((de = readdir(d))) {
		if (!(sup = name_pid(de->d_name, REGISTRY_WAIT_INFIX, &rest)))
			continue;
		waiter = atoi(rest);
		if (waiter > 0 && (kill(waiter, 0) == 0 || errno == EPERM)) {
			if (s->n_waited == s->cap) {
				size_t cap = s->cap ? 2 * s->cap : 16;
				pid_t *w = realloc(s->waited, cap * sizeof(*w));

				if (!w)
					continue;
				s->waited = w;
				s->cap = cap;
			}
			s->waited[s->n_waited++] = sup;
		} else if (s->own) {
			unlinkat(s->fd, de->d_name, 0);
		}
	}
}

static bool waited_for(const struct scan_dir *s, pid_t sup)
{
	size_t i;

	for (i = 0; i < s->n_waited; i++)
		if (s->waited[i] == sup)
			return true;
	return false;
}

static int scan_one_dir(const char *path, bool own,
			int (*fn)(const struct registry_record *, void *), void *arg)
{
	struct scan_dir s = { .own = own };
	struct registry_record *rec = NULL;
	struct dirent *de;
	const char *rest;
	DIR *d;
	int rc = 0;

	s.fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s.fd < 0)
		return errno == ENOENT ? 0 : -errno;
	d = fdopendir(s.fd);
	rec = malloc(sizeof(*rec));
	if (!d || !rec) {
		rc = -ENOMEM;
		if (!d)
			close(s.fd);
		goto out;
	}
	scan_waiters(&s, d);
	rewinddir(d);
	while (rc == 0 && (de = readdir(d))) {
		pid_t sup = name_pid(de->d_name, REGISTRY_ENTRY_SUFFIX, &rest);

		if (!sup || *rest || registry_read_entry(s.fd, de->d_name, rec) < 0 || rec->supervisor != sup)
			continue;
		if (!registry_supervisor_alive(rec)) {
			if (own)
				unlinkat(s.fd, de->d_name, 0);
			continue;
		}
		rec->server_gone = rec->pid <= 0 || (kill(rec->pid, 0) < 0 && errno == ESRCH);
		rec->unmounting = waited_for(&s, sup);
		snprintf(rec->path, sizeof(rec->path), "%s/%s", path, de->d_name);
		rc = fn(rec, arg);
	}
out:
	if (d)
		closedir(d);
	free(rec);
	free(s.waited);
	return rc < 0 ? rc : 0;
}

int registry_scan(int (*fn)(const struct registry_record *, void *), void *arg)
{
	const char *own = registry_dir();
	struct dirent *de;
	char path[4200];
	DIR *users;
	int rc;

	if (!own)
		return 0;
	rc = scan_one_dir(own, true, fn, arg);
	if (rc != 0 || geteuid() != 0)
		return rc;
	/* Root sees users' launches too, where their runtime directories
	 * usually are; they are theirs to clean up. */
	users = opendir("/run/user");
	while (users && rc == 0 && (de = readdir(users))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/run/user/%s/" REGISTRY_USER_DIR, de->d_name);
		rc = scan_one_dir(path, false, fn, arg);
	}
	if (users)
		closedir(users);
	return rc;
}

/* The directory of REC's entry. */
static int entry_dir(const struct registry_record *rec, char *dir, size_t len)
{
	char *slash;

	snprintf(dir, len, "%s", rec->path);
	slash = strrchr(dir, '/');
	if (!slash)
		return -EINVAL;
	*slash = '\0';
	return 0;
}

int registry_wait_open(const struct registry_record *rec, int *fd, char **fifo)
{
	char dir[sizeof(rec->path)];

	if (entry_dir(rec, dir, sizeof(dir)) < 0)
		return -EINVAL;
	if (asprintf(fifo, "%s/%d" REGISTRY_WAIT_INFIX "%d", dir, (int)rec->supervisor, (int)getpid()) < 0)
		return -ENOMEM;
	unlink(*fifo);
	if (mkfifo(*fifo, 0600) < 0) {
		free(*fifo);
		*fifo = NULL;
		return -errno;
	}
	*fd = open(*fifo, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	/* A user's supervisor writes only to a FIFO of theirs. */
	if (*fd >= 0 && geteuid() == 0 && rec->uid != 0 && fchown(*fd, rec->uid, (gid_t)-1) < 0) {
		close(*fd);
		*fd = -1;
	}
	if (*fd < 0) {
		int rc = -errno;

		registry_wait_close(-1, *fifo);
		*fifo = NULL;
		return rc;
	}
	return 0;
}

int registry_wait_read(int fd, int *wait_status)
{
	ssize_t n = RETRY_ON_EINTR(read(fd, wait_status, sizeof(*wait_status)));

	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	return n == sizeof(*wait_status) ? 0 : -EAGAIN;
}

void registry_wait_close(int fd, char *fifo)
{
	if (fd >= 0)
		close(fd);
	if (fifo)
		unlink(fifo);
	free(fifo);
}
