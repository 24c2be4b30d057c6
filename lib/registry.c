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
#include <unistd.h>

#include "common.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "proc_stat.h"
#include "registry.h"

/* An entry is small; anything bigger is not one of ours. */
#define ENTRY_MAX 16384

/* The directory must be a real one (no symlink anywhere at its last
 * component), owned by us and writable by nobody else: root writes there
 * and an unmounter trusts what it reads. */
static int open_dir(const char *path, bool create)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdir(path, geteuid() == 0 ? 0755 : 0700) < 0 && errno != EEXIST)
			return -errno;
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		return -EPERM;
	}
	return fd;
}

/* $XDG_RUNTIME_DIR, or /run/user/UID, when it is this user's own. */
static bool user_runtime_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (xdg && xdg[0] == '/')
		snprintf(buf, len, "%s", xdg);
	else
		snprintf(buf, len, "/run/user/%u", (unsigned int)geteuid());
	return lstat(buf, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

const char *registry_dir(void)
{
	static char dir[4096];
	char runtime[4000];

	if (geteuid() == 0)
		return REGISTRY_ROOT_DIR;
	if (!dir[0] && user_runtime_dir(runtime, sizeof(runtime)))
		snprintf(dir, sizeof(dir), "%s/" REGISTRY_USER_DIR, runtime);
	return dir[0] ? dir : NULL;
}

int registry_dir_open(void)
{
	const char *dir = registry_dir();

	return dir ? open_dir(dir, true) : -ENOENT;
}

/* Values are one line each: backslash and newline are escaped. */
static void put_value(FILE *f, const char *key, const char *value)
{
	fprintf(f, "%s=", key);
	for (; *value; value++) {
		if (*value == '\\')
			fputs("\\\\", f);
		else if (*value == '\n')
			fputs("\\n", f);
		else
			fputc(*value, f);
	}
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

static void format_record(FILE *f, const struct registry_record *r)
{
	put_value(f, "mountpoint", r->mountpoint);
	put_value(f, "source", r->source);
	put_value(f, "fstype", r->fstype);
	put_value(f, "server", r->server);
	fprintf(f, "pid=%d\nsupervisor=%d\nsupervisor_start=%llu\n", (int)r->pid,
		(int)r->supervisor, r->supervisor_start);
	fprintf(f, "mode=%s\ninit=%s\nutab=%d\nsince=%lld\ninit_ms=%u\n",
		r->watch ? "watch" : "fd", r->sync_init ? "sync" : "classic",
		r->in_utab, r->since, r->init_ms);
	fprintf(f, "mount_id=%" PRIu64 "\nconnection=%u\n", r->mount_id, r->connection);
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
 * through a symlink. */
int registry_read_entry(int dir_fd, const char *name, struct registry_record *r)
{
	cleanup_fd int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	char buf[ENTRY_MAX], *line, *save = NULL;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return -errno;
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
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		parse_line(r, line);
	return r->supervisor > 0 && r->mountpoint[0] ? 0 : -EINVAL;
}

bool registry_supervisor_alive(const struct registry_record *r)
{
	unsigned long long start;

	return proc_stat_start_time(r->supervisor, &start) == 0 && start == r->supervisor_start;
}

/* The mount's type and source as the mount table has them, for a server
 * that mounted by itself (whose choice they were). */
static void mountinfo_describe(const char *mountpoint, struct registry_record *r)
{
	char *line = NULL, target[4096], fstype[256], source[1024];
	size_t size = 0;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (getline(&line, &size, f) > 0) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", target) != 1 ||
		    sscanf(sep + 3, "%255s %1023s", fstype, source) != 2)
			continue;
		/* mountinfo escapes blanks; ours has none when it matches */
		if (strcmp(target, mountpoint))
			continue;
		snprintf(r->fstype, sizeof(r->fstype), "%s", fstype);
		snprintf(r->source, sizeof(r->source), "%s", source);
	}
	free(line);
	fclose(f);
}

static void describe_launch(struct registry_record *r, const struct mounter *m)
{
	const struct launch *l = m->launch;
	size_t n = 0;
	int i;

	snprintf(r->mountpoint, sizeof(r->mountpoint), "%s", m->mountpoint.path);
	snprintf(r->source, sizeof(r->source), "%s", mounter_source(m));
	snprintf(r->fstype, sizeof(r->fstype), "fuse.%s", mounter_subtype(m));
	for (i = 0; i < l->server.argc && n < sizeof(r->server); i++)
		n += (size_t)snprintf(r->server + n, sizeof(r->server) - n, "%s%s",
				      i ? " " : "", l->server.argv[i]);
	r->watch = l->mode == SERVER_MODE_WATCH;
	if (r->watch)
		mountinfo_describe(r->mountpoint, r);
	r->sync_init = m->init.call != mounter_probe_call;
	r->in_utab = l->in_utab;
	r->mount_id = m->mount_id;
	r->connection = m->connection;
	r->init_ms = m->init_ms;
	r->supervisor = getpid();
	proc_stat_start_time(r->supervisor, &r->supervisor_start);
	r->since = (long long)time(NULL);
}

static int write_entry(struct registry_entry *e)
{
	char tmp[64], name[64];
	cleanup_fd int dir_fd = -1;
	FILE *f;
	int fd, rc = 0;

	dir_fd = open_dir(registry_dir(), true);
	if (dir_fd < 0)
		return dir_fd;
	snprintf(tmp, sizeof(tmp), ".%d.tmp", (int)e->rec.supervisor);
	snprintf(name, sizeof(name), "%d" REGISTRY_ENTRY_SUFFIX, (int)e->rec.supervisor);
	unlinkat(dir_fd, tmp, 0);
	fd = openat(dir_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		rc = -errno;
		close(fd);
		unlinkat(dir_fd, tmp, 0);
		return rc;
	}
	format_record(f, &e->rec);
	if (fflush(f) != 0 || ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 && rc == 0)
		rc = -EIO;
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

	if (!e->path) {
		describe_launch(&e->rec, m);
		status->mount_id = e->rec.mount_id;
		status->supervisor_pid = e->rec.supervisor;
		status->init_ms = e->rec.init_ms;
		status->watch = e->rec.watch;
		status->sync_init = e->rec.sync_init;
	}
	if (pid <= 0 || (e->rec.pid == pid && e->path))
		return;
	status->server_pid = pid;
	e->rec.pid = pid;
	if (!dir) {
		log_step("no runtime directory: this launch is not registered");
		return;
	}
	rc = write_entry(e);
	if (rc < 0) {
		log_step("cannot register the launch in %s: %s", dir, strerror(-rc));
		return;
	}
	if (!e->path && asprintf(&e->path, "%s/%d" REGISTRY_ENTRY_SUFFIX, dir, (int)e->rec.supervisor) < 0)
		e->path = NULL;
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

	if (!e->path)
		return;
	dir_fd = open_dir(registry_dir(), false);
	if (dir_fd >= 0) {
		tell_waiters(dir_fd, e->rec.supervisor, wait_status);
		snprintf(name, sizeof(name), "%d" REGISTRY_ENTRY_SUFFIX, (int)e->rec.supervisor);
		unlinkat(dir_fd, name, 0);
	}
	free(e->path);
	e->path = NULL;
}
