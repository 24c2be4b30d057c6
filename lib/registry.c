#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "proc_stat.h"
#include "registry.h"

/* An entry is small; anything bigger is not one of ours. */
#define ENTRY_MAX 16384

/* openat2(2), which Debian 12's glibc has no wrapper for. */
#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef RESOLVE_NO_XDEV
#define RESOLVE_NO_XDEV 0x01
#endif
#ifndef RESOLVE_NO_MAGICLINKS
#define RESOLVE_NO_MAGICLINKS 0x02
#endif
#ifndef RESOLVE_NO_SYMLINKS
#define RESOLVE_NO_SYMLINKS 0x04
#endif

struct registry_open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

/* The id of the mount PATH in DIR_FD is on (the mount's root, for a
 * mount point), asking no FUSE server anything; -errno. */
static int mount_id_at(int dir_fd, const char *path, uint64_t *id)
{
	struct statx stx;

	if (statx(dir_fd, path, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT |
		  AT_STATX_DONT_SYNC, STATX_MNT_ID, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*id = stx.stx_mnt_id;
	return 0;
}

/* Without openat2 (before Linux 5.6, or under valgrind 3.19), the name is
 * looked at first: what is mounted on it, or a symlink, is refused before
 * the open.  A mount made between the look and the open is not; the
 * descriptor's mount is checked again after it. */
static int open_below_without_openat2(int dir_fd, const char *name, int flags)
{
	uint64_t dir_mount, mount;
	int fd, rc;

	rc = mount_id_at(dir_fd, "", &dir_mount);
	if (rc == 0)
		rc = mount_id_at(dir_fd, name, &mount);
	if (rc < 0)
		return rc;
	if (mount != dir_mount)
		return -EXDEV;
	fd = openat(dir_fd, name, flags | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = mount_id_at(fd, "", &mount);
	if (rc == 0 && mount != dir_mount)
		rc = -EXDEV;
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

int registry_open_below(int dir_fd, const char *name, int flags)
{
	struct registry_open_how how = {
		.flags = (uint64_t)(flags | O_NOFOLLOW | O_CLOEXEC),
		.resolve = RESOLVE_NO_XDEV | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	long fd = RETRY_ON_EINTR(syscall(SYS_openat2, dir_fd, name, &how, sizeof(how)));

	if (fd < 0 && errno == ENOSYS)
		return open_below_without_openat2(dir_fd, name, flags);
	return fd < 0 ? -errno : (int)fd;
}

int registry_dir_open_owned(const char *path, uid_t owner)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != owner || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* Ours, made if missing and CREATE: root writes there and an unmounter
 * trusts what it reads. */
static int open_dir(const char *path, bool create)
{
	int fd = registry_dir_open_owned(path, geteuid());

	if (fd == -ENOENT && create) {
		if (mkdir(path, geteuid() == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = registry_dir_open_owned(path, geteuid());
	}
	return fd;
}

/* $XDG_RUNTIME_DIR, or /run/user/UID, when it is this user's own; NULL
 * when not (or out of memory). */
static char *user_runtime_dir(void)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char *dir = NULL;
	struct stat st;
	int rc;

	if (xdg && xdg[0] == '/')
		rc = asprintf(&dir, "%s", xdg);
	else
		rc = asprintf(&dir, "/run/user/%u", (unsigned int)geteuid());
	if (rc < 0)
		return NULL;
	if (lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
		return dir;
	free(dir);
	return NULL;
}

const char *registry_dir(void)
{
	static char *dir;
	cleanup_free char *runtime = NULL;

	if (geteuid() == 0)
		return REGISTRY_ROOT_DIR;
	if (!dir && (runtime = user_runtime_dir()) &&
	    asprintf(&dir, "%s/" REGISTRY_USER_DIR, runtime) < 0)
		dir = NULL;
	return dir;
}

int registry_dir_open(void)
{
	const char *dir = registry_dir();

	return dir ? open_dir(dir, true) : -ENOENT;
}

/* Values are one line each: backslash and newline are escaped.  At most
 * MAX characters of VALUE are written (what a reader keeps of a field);
 * returns how many were. */
static size_t put_escaped(FILE *f, const char *value, size_t max)
{
	size_t n;

	for (n = 0; value[n] && n < max; n++) {
		if (value[n] == '\\')
			fputs("\\\\", f);
		else if (value[n] == '\n')
			fputs("\\n", f);
		else
			fputc(value[n], f);
	}
	return n;
}

/* The longest value a reader keeps of FIELD of struct registry_record. */
#define FIELD_MAX(field) (sizeof(((struct registry_record *)0)->field) - 1)

static void put_value(FILE *f, const char *key, const char *value, size_t max)
{
	fprintf(f, "%s=", key);
	put_escaped(f, value, max);
	fputc('\n', f);
}

static void get_value(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	for (; *src && n + 1 < len; src++) {
		if (src[0] == '\\' && src[1]) {
			src++;
			dst[n++] = *src == 'n' ? '\n' : *src;
		} else {
			dst[n++] = *src;
		}
	}
	dst[n] = '\0';
}

static void parse_line(struct registry_record *r, char *line)
{
	char *value = strchr(line, '=');

	if (!value)
		return;
	*value++ = '\0';
	if (!strcmp(line, "mountpoint"))
		get_value(r->mountpoint, sizeof(r->mountpoint), value);
	else if (!strcmp(line, "source"))
		get_value(r->source, sizeof(r->source), value);
	else if (!strcmp(line, "fstype"))
		get_value(r->fstype, sizeof(r->fstype), value);
	else if (!strcmp(line, "server"))
		get_value(r->server, sizeof(r->server), value);
	else if (!strcmp(line, "pid"))
		r->pid = atoi(value);
	else if (!strcmp(line, "supervisor"))
		r->supervisor = atoi(value);
	else if (!strcmp(line, "supervisor_start"))
		r->supervisor_start = strtoull(value, NULL, 10);
	else if (!strcmp(line, "mode"))
		r->watch = !strcmp(value, "watch");
	else if (!strcmp(line, "init"))
		r->sync_init = !strcmp(value, "sync");
	else if (!strcmp(line, "utab"))
		r->in_utab = atoi(value) != 0;
	else if (!strcmp(line, "since"))
		r->since = strtoll(value, NULL, 10);
	else if (!strcmp(line, "init_ms"))
		r->init_ms = (unsigned int)strtoul(value, NULL, 10);
	else if (!strcmp(line, "mount_id"))
		r->mount_id = strtoull(value, NULL, 10);
	else if (!strcmp(line, "connection"))
		r->connection = (unsigned int)strtoul(value, NULL, 10);
}

/* Read the entry NAME in DIR_FD: a regular file of its owner's, never
 * through a symlink nor on another mount. */
int registry_read_entry(int dir_fd, const char *name, struct registry_record *r)
{
	cleanup_fd int fd = registry_open_below(dir_fd, name, O_RDONLY | O_NONBLOCK);
	char buf[ENTRY_MAX], *line, *save = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || st.st_size >= ENTRY_MAX)
		return -EINVAL;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	memset(r, 0, offsetof(struct registry_record, path));
	r->uid = st.st_uid;
	r->gid = st.st_gid;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_line(r, line);
	return r->supervisor > 0 && r->mountpoint[0] ? 0 : -EINVAL;
}

enum registry_writer_state registry_writer_state(pid_t pid, unsigned long long start)
{
	unsigned long long now;

	if (proc_stat_start_time(pid, &now) == 0)
		return now == start ? REGISTRY_WRITER_ALIVE : REGISTRY_WRITER_GONE;
	return kill(pid, 0) < 0 && errno == ESRCH ? REGISTRY_WRITER_GONE : REGISTRY_WRITER_UNKNOWN;
}

bool registry_supervisor_is_owner(const struct registry_record *r)
{
	uid_t real, saved;

	return proc_uids(r->supervisor, &real, &saved) == 0 && real == r->uid;
}

bool registry_supervisor_alive(const struct registry_record *r)
{
	return registry_writer_state(r->supervisor, r->supervisor_start) == REGISTRY_WRITER_ALIVE &&
	       registry_supervisor_is_owner(r);
}

/* The line of the mount table for the topmost mount on MOUNTPOINT; NULL
 * when there is none. */
static char *mountinfo_line(const char *mountpoint)
{
	char *line = NULL, *found = NULL;
	size_t size = 0, len = strlen(mountpoint);
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	while (getline(&line, &size, f) > 0) {
		const char *target = line;
		int i;

		for (i = 0; i < 4 && target; i++)
			if ((target = strchr(target, ' ')))
				target++;
		/* mountinfo escapes blanks; ours has none when it matches */
		if (!target || strncmp(target, mountpoint, len) || target[len] != ' ' ||
		    !strstr(target, " - "))
			continue;
		free(found);
		found = steal_pointer(&line);
		size = 0;
	}
	free(line);
	fclose(f);
	return found;
}

/* The type and source in LINE, a line of the mount table, which is cut
 * into them. */
static bool mount_type_and_source(char *line, const char **fstype, const char **source)
{
	char *type = strstr(line, " - "), *src;

	if (!type)
		return false;
	type += 3;
	src = type + strcspn(type, " \n");
	if (*src != ' ')
		return false;
	*src++ = '\0';
	src[strcspn(src, " \n")] = '\0';
	*fstype = type;
	*source = src;
	return *type && *src;
}

/* The entry's lines but the serving process's, which comes last and
 * changes; NULL when out of memory.  Only the text is kept, exactly as
 * long as it is: the supervisor lives on with it. */
static char *describe_launch(const struct mounter *m, const struct registry_entry *e)
{
	const struct launch *l = m->launch;
	bool watch = l->mode == SERVER_MODE_WATCH;
	cleanup_free char *mounted = NULL;
	const char *fstype, *source;
	size_t size = 0, room = FIELD_MAX(server);
	char *text = NULL;
	FILE *f;
	int i;

	f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	put_value(f, "mountpoint", m->mountpoint.path, FIELD_MAX(mountpoint));
	/* A server that mounted by itself chose its type and source. */
	if (watch && (mounted = mountinfo_line(m->mountpoint.path)) &&
	    mount_type_and_source(mounted, &fstype, &source)) {
		put_value(f, "source", source, FIELD_MAX(source));
		put_value(f, "fstype", fstype, FIELD_MAX(fstype));
	} else {
		put_value(f, "source", mounter_source(m), FIELD_MAX(source));
		fputs("fstype=fuse.", f);
		put_escaped(f, mounter_subtype(m), FIELD_MAX(fstype) - strlen("fuse."));
		fputc('\n', f);
	}
	fputs("server=", f);
	for (i = 0; i < l->server.argc && room > 0; i++) {
		if (i) {
			fputc(' ', f);
			room--;
		}
		room -= put_escaped(f, l->server.argv[i], room);
	}
	fputc('\n', f);
	fprintf(f, "supervisor=%d\nsupervisor_start=%llu\n", (int)e->supervisor,
		e->supervisor_start);
	fprintf(f, "mode=%s\ninit=%s\nutab=%d\nsince=%lld\ninit_ms=%u\n",
		watch ? "watch" : "fd", m->init.call != mounter_probe_call ? "sync" : "classic",
		l->in_utab, (long long)time(NULL), m->init_ms);
	fprintf(f, "mount_id=%" PRIu64 "\nconnection=%u\n", m->mount_id, m->connection);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int write_entry(const struct registry_entry *e)
{
	char tmp[64], name[64], pid_line[32];
	cleanup_fd int dir_fd = -1;
	struct iovec iov[2];
	ssize_t n;
	int fd, rc = 0;

	dir_fd = open_dir(registry_dir(), true);
	if (dir_fd < 0)
		return dir_fd;
	snprintf(tmp, sizeof(tmp), REGISTRY_TMP_FORMAT, (int)e->supervisor, e->supervisor_start);
	snprintf(name, sizeof(name), "%d" REGISTRY_ENTRY_SUFFIX, (int)e->supervisor);
	iov[0] = (struct iovec){ .iov_base = e->text, .iov_len = strlen(e->text) };
	iov[1] = (struct iovec){ .iov_base = pid_line,
		.iov_len = (size_t)snprintf(pid_line, sizeof(pid_line), "pid=%d\n", (int)e->pid) };
	unlinkat(dir_fd, tmp, 0);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	n = writev(fd, iov, ARRAY_SIZE(iov));
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != iov[0].iov_len + iov[1].iov_len)
		rc = -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && renameat(dir_fd, tmp, dir_fd, name) < 0)
		rc = -errno;
	if (rc < 0)
		unlinkat(dir_fd, tmp, 0);
	return rc;
}

void registry_publish(struct registry_entry *e, const struct mounter *m,
		      struct launch_status *status, pid_t pid)
{
	const char *dir = registry_dir();
	int rc;

	if (!e->supervisor) {
		e->supervisor = getpid();
		e->start_rc = proc_stat_start_time(e->supervisor, &e->supervisor_start);
		status->mount_id = m->mount_id;
		status->supervisor_pid = e->supervisor;
		status->init_ms = m->init_ms;
		status->watch = m->launch->mode == SERVER_MODE_WATCH;
		status->sync_init = m->init.call != mounter_probe_call;
	}
	if (pid <= 0 || (e->pid == pid && e->written))
		return;
	status->server_pid = pid;
	e->pid = pid;
	if (!dir) {
		log_step("no runtime directory: this launch is not registered");
		return;
	}
	/* Without it the entry would be taken for a dead supervisor's. */
	if (e->start_rc < 0) {
		log_step("cannot read this process's start time (%s): this launch is not registered",
			 strerror(-e->start_rc));
		return;
	}
	if (!e->text)
		e->text = describe_launch(m, e);
	rc = e->text ? write_entry(e) : -ENOMEM;
	if (rc < 0) {
		log_step("cannot register the launch in %s: %s", dir, strerror(-rc));
		return;
	}
	e->written = true;
}

/* Give each waiting unmounter (a FIFO of our uid, named for our pid) the
 * server's wait status; a FIFO nobody reads any more is skipped. */
static void tell_waiters(int dir_fd, pid_t supervisor, int wait_status)
{
	char prefix[64];
	struct dirent *de;
	DIR *d;
	int dup_fd = dup(dir_fd);

	if (dup_fd < 0 || !(d = fdopendir(dup_fd))) {
		if (dup_fd >= 0)
			close(dup_fd);
		return;
	}
	snprintf(prefix, sizeof(prefix), "%d" REGISTRY_WAIT_INFIX, (int)supervisor);
	while ((de = readdir(d))) {
		struct stat st;
		int fd;

		if (strncmp(de->d_name, prefix, strlen(prefix)))
			continue;
		fd = openat(dir_fd, de->d_name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode) && st.st_uid == geteuid())
			RETRY_ON_EINTR(write(fd, &wait_status, sizeof(wait_status)));
		close(fd);
	}
	closedir(d);
}

void registry_withdraw(struct registry_entry *e, int wait_status)
{
	cleanup_fd int dir_fd = -1;
	char name[64];

	if (e->written)
		dir_fd = open_dir(registry_dir(), false);
	if (dir_fd >= 0) {
		tell_waiters(dir_fd, e->supervisor, wait_status);
		snprintf(name, sizeof(name), "%d" REGISTRY_ENTRY_SUFFIX, (int)e->supervisor);
		unlinkat(dir_fd, name, 0);
	}
	free(e->text);
	e->text = NULL;
	e->written = false;
}
