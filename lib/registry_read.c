/* The registry read: the live entries for --list and --unmount, the
 * dead ones cleaned up, and an unmounter's wait for the server's end. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded_call.h"
#include "cancel_signals.h"
#include "common.h"
#include "exit_codes.h"
#include "fuse_connection.h"
#include "libmount_lazy.h"
#include "log.h"
#include "mountpoint_lock.h"
#include "registry.h"

unsigned long long registry_canonical_number(const char *s, unsigned long long limit,
					     const char **end)
{
	unsigned long long n = 0;
	const char *p = s;

	if (*p < '1' || *p > '9')
		return 0;
	for (; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (unsigned long long)(*p - '0');
		if (n >= limit)
			return 0;
	}
	*end = p;
	return n;
}

pid_t registry_entry_name_pid(const char *name, long pid_max)
{
	const char *rest;
	pid_t pid = (pid_t)registry_canonical_number(name, (unsigned long long)pid_max, &rest);

	return pid && !strcmp(rest, REGISTRY_ENTRY_SUFFIX) ? pid : 0;
}

/* The kernel's pid_max: every pid is below it.  Without /proc, the most
 * it can be (PID_MAX_LIMIT). */
static long pid_max(void)
{
	long max = 0;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");

	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	return max > 0 && max <= 4194304 ? max : 4194304;
}

/* A pid in a name ("123.wait.456"): the canonical number before SEP. */
static pid_t name_pid(const char *name, const char *sep, long max, const char **rest)
{
	const char *end;
	pid_t pid = (pid_t)registry_canonical_number(name, (unsigned long long)max, &end);

	if (!pid || strncmp(end, sep, strlen(sep)))
		return 0;
	*rest = end + strlen(sep);
	return pid;
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
static bool entry_tmp_orphaned(const char *name, long max)
{
	unsigned long long start;
	const char *rest;
	char exact[64];
	pid_t pid;

	if (name[0] != '.' || !(pid = name_pid(name + 1, ".", max, &rest)))
		return false;
	/* Whatever strtoull makes of the rest (signs, spaces, overflow), the
	 * name must be the one these numbers give. */
	start = strtoull(rest, NULL, 10);
	if (snprintf(exact, sizeof(exact), REGISTRY_TMP_FORMAT, (int)pid, start) >= (int)sizeof(exact) ||
	    strcmp(exact, name))
		return false;
	return registry_writer_state(pid, start) == REGISTRY_WRITER_GONE;
}

/* What one scan keeps: the caller's FN, the kernel's pid_max, and the
 * mount table, read once a user's registry needs it. */
struct scan {
	int (*fn)(const struct registry_record *, void *);
	void *arg;
	long pid_max;
	struct libmnt_table *mounts;	/* NULL: not read, or unreadable */
	bool mounts_read;
};

/* The mount table, read afresh with AGAIN (a mount newer than it is
 * looked for); NULL when it cannot be read. */
static struct libmnt_table *scan_mounts(struct scan *s, bool again)
{
	if (again && s->mounts_read) {
		if (s->mounts)
			sym_mnt_unref_table(s->mounts);
		s->mounts = NULL;
		s->mounts_read = false;
	}
	if (!s->mounts_read) {
		s->mounts_read = true;
		if (libmount_load() == 0)
			s->mounts = sym_mnt_new_table_from_file("/proc/self/mountinfo");
	}
	return s->mounts;
}

/* The mount whose id (mountinfo's, statx's STATX_MNT_ID) is ID, or the
 * topmost one on TARGET; NULL when none is. */
static struct libmnt_fs *find_mount(struct libmnt_table *t, int id, const char *target)
{
	struct libmnt_iter *it = sym_mnt_new_iter(target ? MNT_ITER_BACKWARD : MNT_ITER_FORWARD);
	struct libmnt_fs *fs = NULL, *found = NULL;

	while (it && !found && sym_mnt_table_next_fs(t, it, &fs) == 0) {
		const char *mounted_on = sym_mnt_fs_get_target(fs);

		if (target ? mounted_on && !strcmp(mounted_on, target) : sym_mnt_fs_get_id(fs) == id)
			found = fs;
	}
	if (it)
		sym_mnt_free_iter(it);
	return found;
}

/* Whether FS is a FUSE mount of UID's: its user_id= says so. */
static bool fuse_mount_of(struct libmnt_fs *fs, uid_t uid)
{
	const char *options = sym_mnt_fs_get_fs_options(fs);
	char want[16], *value;
	size_t len;

	if (!fuse_fstype(sym_mnt_fs_get_fstype(fs)) || !options ||
	    sym_mnt_optstr_get_option(options, "user_id", &value, &len) != 0)
		return false;
	snprintf(want, sizeof(want), "%u", (unsigned int)uid);
	return len == strlen(want) && !memcmp(value, want, len);
}

/* A user's entry names its mount, and the user wrote it: it counts only
 * for a FUSE mount of that user's, as the mount table has it now (as root's
 * --unmount checks it). */
static bool mount_is_owners(struct scan *s, const struct registry_record *rec)
{
	struct libmnt_table *t = scan_mounts(s, false);
	struct libmnt_fs *fs = t ? find_mount(t, 0, rec->mountpoint) : NULL;

	return fs && fuse_mount_of(fs, rec->uid);
}

/* The id (mountinfo's) of the mount FD is on, asking no FUSE server
 * anything: from /proc/self/fdinfo, which a FUSE mount has no say in (and
 * a statx of FD is not one more a test must tell from the ones it holds),
 * else from statx. */
static int descriptor_mount_id(int fd, int *id)
{
	char path[64], line[128];
	struct statx stx;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (f) {
		while (!found && fgets(line, sizeof(line), f))
			found = sscanf(line, "mnt_id: %d", id) == 1;
		fclose(f);
	}
	if (found)
		return 0;
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*id = (int)stx.stx_mnt_id;
	return 0;
}

/* The registry of user UID, REGISTRY_USER_DIR in NAME in USERS_FD
 * (/run/user), at PATH: a descriptor, or -errno when it is not read.  A
 * directory of theirs alone, on the mount of their runtime directory
 * (logind's tmpfs, usually), which must not be a FUSE mount: nothing on
 * the way asks a FUSE server anything.  Why not is said with -v. */
static int open_user_registry(struct scan *s, int users_fd, const char *name, uid_t uid,
			      const char *path)
{
	cleanup_fd int runtime = -1;
	struct libmnt_table *t;
	struct libmnt_fs *fs = NULL;
	struct stat st;
	int fd, mount_id;

	/* Crossing into the mount on it, if any: the walk stops at its root,
	 * which is not asked anything. */
	runtime = openat(users_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (runtime < 0)
		return -errno;
	fd = descriptor_mount_id(runtime, &mount_id);
	if (fd < 0) {
		log_step("registry %s: its runtime directory cannot be looked at (%s): not read", path,
			 strerror(-fd));
		return fd;
	}
	if ((t = scan_mounts(s, false)) && !(fs = find_mount(t, mount_id, NULL)) &&
	    (t = scan_mounts(s, true)))
		fs = find_mount(t, mount_id, NULL);
	if (!fs) {
		log_step("registry %s: the mount it is on is not known: not read", path);
		return -ENOENT;
	}
	if (fuse_fstype(sym_mnt_fs_get_fstype(fs))) {
		log_step("registry %s: on a FUSE mount: not read", path);
		return -EPERM;
	}
	fd = registry_open_below(runtime, REGISTRY_USER_DIR, O_RDONLY | O_DIRECTORY);
	if (fd == -ENOENT)
		return fd;
	if (fd >= 0 && (fstat(fd, &st) < 0 || st.st_uid != uid || (st.st_mode & 022))) {
		close(fd);
		fd = -EPERM;
	}
	if (fd < 0)
		log_step("registry %s: not a directory of %u's alone: not read", path,
			 (unsigned int)uid);
	return fd;
}

/* The registry directory of the launches of UID, as a descriptor checked
 * as the scan checks it: this user's own, or (root) a user's under
 * /run/user.  -errno if there is none that may be used. */
static int open_registry_of(uid_t uid)
{
	struct scan s = { 0 };
	cleanup_fd int users_fd = -1;
	char name[16], path[64];
	int fd;

	if (uid == geteuid())
		return registry_dir() ? registry_dir_open_owned(registry_dir(), uid) : -ENOENT;
	if (geteuid() != 0)
		return -EPERM;
	users_fd = open(REGISTRY_USERS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (users_fd < 0)
		return -errno;
	snprintf(name, sizeof(name), "%u", (unsigned int)uid);
	snprintf(path, sizeof(path), REGISTRY_USERS_DIR "/%s/" REGISTRY_USER_DIR, name);
	fd = open_user_registry(&s, users_fd, name, uid, path);
	if (s.mounts)
		sym_mnt_unref_table(s.mounts);
	return fd;
}

static int compare_pids(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorted, each pid once: readdir may return a name twice while the
 * directory changes. */
static void pid_list_unique(struct pid_list *l)
{
	size_t i, n = 0;

	if (!l->n)
		return;
	qsort(l->pids, l->n, sizeof(*l->pids), compare_pids);
	for (i = 1; i < l->n; i++)
		if (l->pids[i] != l->pids[n])
			l->pids[++n] = l->pids[i];
	l->n = n + 1;
}

/* One pass over the directory (a second costs as much again with
 * thousands of entries): the supervisors that have an entry, and those an
 * unmounter waits for, which --list shows as unmounting.  A waiter whose
 * unmounter is gone, a mountpoint lock no launch holds and an entry's
 * temporary file whose writer is gone are removed from a directory of our
 * own.  Another user's directory gives at most REGISTRY_USER_ENTRIES_MAX
 * entries, the rest said in one line and not read. */
static int list_dir(struct scan *s, DIR *d, const char *path, bool own, struct pid_list *entries,
		    struct pid_list *waited)
{
	struct dirent *de;
	const char *rest, *end;
	pid_t sup, waiter;
	bool capped = false;
	int rc = 0;

	while (rc == 0 && (de = readdir(d))) {
		if ((sup = registry_entry_name_pid(de->d_name, s->pid_max))) {
			if (!own && entries->n == REGISTRY_USER_ENTRIES_MAX) {
				if (!capped)
					log_error("registry %s: more than %d entries: the rest not read",
						  path, REGISTRY_USER_ENTRIES_MAX);
				capped = true;
				continue;
			}
			rc = pid_list_add(entries, sup);
			continue;
		}
		if (own && mountpoint_lock_is_named(de->d_name)) {
			mountpoint_lock_remove_stale(dirfd(d), de->d_name);
			continue;
		}
		if (own && entry_tmp_orphaned(de->d_name, s->pid_max)) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		if (!(sup = name_pid(de->d_name, REGISTRY_WAIT_INFIX, s->pid_max, &rest)))
			continue;
		waiter = (pid_t)registry_canonical_number(rest, (unsigned long long)s->pid_max, &end);
		if (!waiter || *end)
			continue;
		if (kill(waiter, 0) == 0 || errno == EPERM) {
			if (waited->n < REGISTRY_USER_ENTRIES_MAX || own)
				rc = pid_list_add(waited, sup);
		} else if (own) {
			unlinkat(dirfd(d), de->d_name, 0);
		}
	}
	pid_list_unique(entries);
	return rc;
}

/* The registry of OWNER at FD (which is closed) and PATH: 0, FN's non-zero
 * value that stopped the scan, or -errno.  Only what OWNER alone can write
 * there counts: a directory of theirs that no one else may write to,
 * entries of theirs, supervisors running as them
 * (registry_supervisor_alive()), and, for another's entries, mounts of
 * theirs.  Anything else could name any process as a supervisor, whose
 * children an unmounter would then stop. */
static int scan_dir(struct scan *s, int fd, const char *path, bool own, uid_t owner)
{
	struct pid_list entries = { 0 }, waited = { 0 };
	struct registry_record *rec = NULL;
	char name[32];
	size_t i;
	enum registry_writer_state state;
	DIR *d;
	int rc;

	d = fdopendir(fd);
	rec = malloc(sizeof(*rec));
	if (!d || !rec) {
		rc = -ENOMEM;
		if (!d)
			close(fd);
		goto out;
	}
	rc = list_dir(s, d, path, own, &entries, &waited);
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
		if (owner != geteuid() && !mount_is_owners(s, rec))
			continue;
		rec->server_gone = rec->pid <= 0 || (kill(rec->pid, 0) < 0 && errno == ESRCH);
		rec->unmounting = pid_list_has(&waited, sup);
		snprintf(rec->path, sizeof(rec->path), "%s/%s", path, name);
		rc = s->fn(rec, s->arg);
	}
out:
	if (d)
		closedir(d);
	free(rec);
	free(entries.pids);
	free(waited.pids);
	return rc;
}

/* Every user's registry, for root, where their runtime directories usually
 * are; they are theirs to clean up.  One that cannot be read is skipped. */
static int scan_users(struct scan *s)
{
	cleanup_fd int users_fd = -1;
	const char *end;
	struct dirent *de;
	char path[300];
	DIR *users;
	int fd, dup_fd, rc = 0;

	users_fd = open(REGISTRY_USERS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (users_fd < 0)
		return 0;
	dup_fd = dup(users_fd);
	users = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (!users) {
		if (dup_fd >= 0)
			close(dup_fd);
		return 0;
	}
	while (rc == 0 && (de = readdir(users))) {
		/* uid_t's (uid_t)-1 is no user. */
		uid_t uid = (uid_t)registry_canonical_number(de->d_name, (uid_t)-1, &end);

		if (!uid || *end)
			continue;
		snprintf(path, sizeof(path), REGISTRY_USERS_DIR "/%s/" REGISTRY_USER_DIR, de->d_name);
		fd = open_user_registry(s, users_fd, de->d_name, uid, path);
		if (fd >= 0)
			rc = scan_dir(s, fd, path, false, uid);
	}
	closedir(users);
	return rc;
}

static int scan_all(void *arg)
{
	struct scan *s = arg;
	const char *own = registry_dir();
	int fd, rc;

	if (!own)
		return 0;
	fd = registry_dir_open_owned(own, geteuid());
	if (fd == -EPERM)
		log_step("registry %s: not %u's alone: not read", own, (unsigned int)geteuid());
	if (fd < 0 && fd != -ENOENT && fd != -EPERM)
		return fd;
	rc = fd >= 0 ? scan_dir(s, fd, own, true, geteuid()) : 0;
	if (rc == 0 && geteuid() == 0)
		rc = scan_users(s);
	return rc < 0 ? rc : 0;
}

int registry_scan(int (*fn)(const struct registry_record *, void *), void *arg)
{
	struct scan s = { .fn = fn, .arg = arg, .pid_max = pid_max() };
	int rc, sig = 0;

	/* In a thread, so that a signal ends it whatever it waits for; the
	 * process then ends at once, the thread still using S. */
	cancel_signals_block();
	rc = bounded_call(scan_all, &s, 0, &sig);
	if (rc == -ECANCELED) {
		log_error("reading the registry was cancelled by signal %d (%s)", sig, strsignal(sig));
		_exit(FL_EX_CANCELLED);
	}
	if (s.mounts)
		sym_mnt_unref_table(s.mounts);
	return rc;
}

int registry_wait_open(const struct registry_record *rec, struct registry_wait *w)
{
	struct stat st;
	int rc;

	*w = (struct registry_wait){ .fd = -1, .dir_fd = -1 };
	/* The entry's directory as it is now, opened and checked again: its
	 * owner may have swapped it for a symlink since it was read, and
	 * root must make nothing where that leads. */
	w->dir_fd = open_registry_of(rec->uid);
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
	w->fd = registry_open_below(w->dir_fd, w->name, O_RDONLY | O_NONBLOCK);
	if (w->fd < 0) {
		rc = w->fd;
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
