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
#include "mountpoint_lock.h"
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

/* A growing list of pids. */
struct pid_list {
	pid_t *pids;
	size_t n, cap;
};

static int pid_list_add(struct pid_list *l, pid_t pid)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		pid_t *p = realloc(l->pids, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->pids = p;
		l->cap = cap;
	}
	l->pids[l->n++] = pid;
	return 0;
}

static bool pid_list_has(const struct pid_list *l, pid_t pid)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->pids[i] == pid)
			return true;
	return false;
}

/* Whether NAME is an entry's temporary file whose writer is gone, killed
 * before it could rename it: no process has its pid, or the one that has
 * it started at another time.  Only a name exactly as the writer makes it
 * is one, and a writer that cannot be looked at is not taken for gone. */
static bool entry_tmp_orphaned(const char *name)
{
	unsigned long long start;
	const char *rest;
	char exact[64];
	pid_t pid;

	if (name[0] != '.' || !(pid = name_pid(name + 1, ".", &rest)))
		return false;
	/* Whatever strtoull makes of the rest (signs, spaces, overflow), the
	 * name must be the one these numbers give. */
	start = strtoull(rest, NULL, 10);
	if (snprintf(exact, sizeof(exact), REGISTRY_TMP_FORMAT, (int)pid, start) >= (int)sizeof(exact) ||
	    strcmp(exact, name))
		return false;
	return registry_writer_state(pid, start) == REGISTRY_WRITER_GONE;
}

/* One pass over the directory (a second costs as much again with
 * thousands of entries): the supervisors that have an entry, and those an
 * unmounter waits for, which --list shows as unmounting.  A waiter whose
 * unmounter is gone, a mountpoint lock no launch holds and an entry's
 * temporary file whose writer is gone are removed from a directory of our
 * own. */
static int list_dir(DIR *d, bool own, struct pid_list *entries, struct pid_list *waited)
{
	struct dirent *de;
	const char *rest;
	pid_t sup, waiter;
	int rc = 0;

	while (rc == 0 && (de = readdir(d))) {
		if ((sup = name_pid(de->d_name, REGISTRY_ENTRY_SUFFIX, &rest))) {
			if (!*rest)
				rc = pid_list_add(entries, sup);
			continue;
		}
		if (own && mountpoint_lock_is_named(de->d_name)) {
			mountpoint_lock_remove_stale(dirfd(d), de->d_name);
			continue;
		}
		if (own && entry_tmp_orphaned(de->d_name)) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (!(sup = name_pid(de->d_name, REGISTRY_WAIT_INFIX, &rest)))
			continue;
		waiter = atoi(rest);
		if (waiter > 0 && (kill(waiter, 0) == 0 || errno == EPERM))
			rc = pid_list_add(waited, sup);
		else if (own)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	return rc;
}

/* The registry of OWNER at PATH: 0, FN's non-zero value that stopped the
 * scan, or -errno.  Only what OWNER alone can write there counts: a
 * directory of theirs that no one else may write to, entries of theirs,
 * and supervisors running as them (registry_supervisor_alive).  Anything
 * else could name any process as a supervisor, whose children an
 * unmounter would then stop. */
static int scan_one_dir(const char *path, bool own, uid_t owner,
			int (*fn)(const struct registry_record *, void *), void *arg)
{
	struct pid_list entries = { 0 }, waited = { 0 };
	struct registry_record *rec = NULL;
	char name[32];
	size_t i;
	enum registry_writer_state state;
	DIR *d;
	int fd, rc;

	fd = registry_dir_open_owned(path, owner);
	if (fd == -EPERM)
		log_step("registry %s: not %u's alone: not read", path, (unsigned int)owner);
	if (fd == -ENOENT || fd == -EPERM)
		return 0;
	if (fd < 0)
		return fd;
	d = fdopendir(fd);
	rec = malloc(sizeof(*rec));
	if (!d || !rec) {
		rc = -ENOMEM;
		if (!d)
			close(fd);
		goto out;
	}
	rc = list_dir(d, own, &entries, &waited);
	for (i = 0; rc == 0 && i < entries.n; i++) {
		pid_t sup = entries.pids[i];

		snprintf(name, sizeof(name), "%d" REGISTRY_ENTRY_SUFFIX, (int)sup);
		if (registry_read_entry(fd, name, rec) < 0 || rec->supervisor != sup ||
		    rec->uid != owner)
			continue;
		/* One that cannot be looked at is neither shown nor removed. */
		state = registry_writer_state(rec->supervisor, rec->supervisor_start);
		if (state == REGISTRY_WRITER_GONE && own)
			unlinkat(fd, name, 0);
		if (state != REGISTRY_WRITER_ALIVE || !registry_supervisor_is_owner(rec))
			continue;
		rec->server_gone = rec->pid <= 0 || (kill(rec->pid, 0) < 0 && errno == ESRCH);
		rec->unmounting = pid_list_has(&waited, sup);
		snprintf(rec->path, sizeof(rec->path), "%s/%s", path, name);
		rc = fn(rec, arg);
	}
out:
	if (d)
		closedir(d);
	free(rec);
	free(entries.pids);
	free(waited.pids);
	return rc;
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
	rc = scan_one_dir(own, true, geteuid(), fn, arg);
	if (rc != 0 || geteuid() != 0)
		return rc < 0 ? rc : 0;
	/* Root sees users' launches too, where their runtime directories
	 * usually are; they are theirs to clean up. */
	users = opendir("/run/user");
	while (users && rc == 0 && (de = readdir(users))) {
		char *end;
		unsigned long uid = strtoul(de->d_name, &end, 10);

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || uid != (uid_t)uid)
			continue;
		snprintf(path, sizeof(path), "/run/user/%s/" REGISTRY_USER_DIR, de->d_name);
		rc = scan_one_dir(path, false, (uid_t)uid, fn, arg);
	}
	if (users)
		closedir(users);
	return rc < 0 ? rc : 0;
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

int registry_wait_open(const struct registry_record *rec, struct registry_wait *w)
{
	char dir[sizeof(rec->path)];
	struct stat st;
	int rc;

	*w = (struct registry_wait){ .fd = -1, .dir_fd = -1 };
	if (entry_dir(rec, dir, sizeof(dir)) < 0)
		return -EINVAL;
	/* The entry's directory as it is now, held and checked again: its
	 * owner may have swapped it for a symlink since it was read, and
	 * root must make nothing where that leads. */
	w->dir_fd = registry_dir_open_owned(dir, rec->uid);
	if (w->dir_fd < 0)
		return w->dir_fd;
	snprintf(w->name, sizeof(w->name), "%d" REGISTRY_WAIT_INFIX "%d", (int)rec->supervisor,
		 (int)getpid());
	unlinkat(w->dir_fd, w->name, 0);
	if (mkfifoat(w->dir_fd, w->name, 0600) < 0) {
		rc = -errno;
		w->name[0] = '\0';
		goto fail;
	}
	w->fd = openat(w->dir_fd, w->name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (w->fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* What was opened is the FIFO made, not what the directory's owner
	 * put under its name meanwhile. */
	if (fstat(w->fd, &st) < 0 || !S_ISFIFO(st.st_mode) || st.st_uid != geteuid()) {
		rc = -EPERM;
		goto fail;
	}
	/* A user's supervisor writes only to a FIFO of theirs. */
	if (geteuid() == 0 && rec->uid != 0 && fchown(w->fd, rec->uid, (gid_t)-1) < 0) {
		rc = -errno;
		goto fail;
	}
	return 0;
fail:
	registry_wait_close(w);
	return rc;
}

int registry_wait_read(int fd, int *wait_status)
{
	ssize_t n = RETRY_ON_EINTR(read(fd, wait_status, sizeof(*wait_status)));

	if (n < 0)
		return errno == EAGAIN ? -EAGAIN : -errno;
	return n == sizeof(*wait_status) ? 0 : -EAGAIN;
}

void registry_wait_close(struct registry_wait *w)
{
	if (w->fd >= 0)
		close(w->fd);
	if (w->dir_fd >= 0 && w->name[0])
		unlinkat(w->dir_fd, w->name, 0);
	if (w->dir_fd >= 0)
		close(w->dir_fd);
	*w = (struct registry_wait){ .fd = -1, .dir_fd = -1 };
}
