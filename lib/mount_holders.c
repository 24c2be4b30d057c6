#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount_holders.h"
#include "proc_stat.h"

struct mount_ref {
	const char *mountpoint;
	size_t len;
	int mount_id;
	dev_t dev;
};

/* Whether the link /proc/PID/NAME points under the mountpoint.  readlink
 * of a /proc link reads the kernel's path; it does not walk it. */
static bool link_under(const struct mount_ref *m, const char *path)
{
	char target[4096];
	ssize_t n = readlink(path, target, sizeof(target) - 1);

	if (n <= 0)
		return false;
	target[n] = '\0';
	if (m->len == 1)
		return target[0] == '/';
	return !strncmp(target, m->mountpoint, m->len) &&
	       (target[m->len] == '\0' || target[m->len] == '/');
}

/* The fd's own mount, from its fdinfo: exact where a path is not (a
 * mount on top of a directory of ours has paths under ours too). */
static bool fd_on_mount(const struct mount_ref *m, const char *pid, const char *fd)
{
	char path[600], buf[1024], *field;
	ssize_t n;
	int f;

	snprintf(path, sizeof(path), "/proc/%s/fdinfo/%s", pid, fd);
	f = open(path, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return false;
	n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	field = strstr(buf, "mnt_id:");
	return field && atoi(field + 7) == m->mount_id;
}

static bool holds_open_file(const struct mount_ref *m, const char *pid)
{
	char dir[300], path[600];
	struct dirent *de;
	bool found = false;
	DIR *d;

	snprintf(dir, sizeof(dir), "/proc/%s/fd", pid);
	d = opendir(dir);
	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		found = link_under(m, path) && fd_on_mount(m, pid, de->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* maps names each mapped file's device: exact. */
static bool maps_file(const struct mount_ref *m, const char *pid)
{
	char path[300], *line = NULL;
	unsigned int major, minor;
	size_t size = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "re");
	while (f && !found && getline(&line, &size, f) > 0)
		found = sscanf(line, "%*s %*s %*s %x:%x", &major, &minor) == 2 &&
			makedev(major, minor) == m->dev;
	free(line);
	if (f)
		fclose(f);
	return found;
}

static void process_name(const char *pid, char *name, size_t len)
{
	char path[300];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/comm", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, name, len - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		n = 0;
	name[n] = '\0';
	name[strcspn(name, "\n")] = '\0';
}

struct holders {
	struct mount_ref mount;
	char *buf;
	size_t len, used;
	int count;
};

/* Add process PID to the list when it holds the mount. */
static int describe_holder(pid_t process, void *arg)
{
	struct holders *h = arg;
	char pid[16], path[300], what[64], name[32];

	if (process == getpid())
		return 0;
	snprintf(pid, sizeof(pid), "%d", (int)process);
	what[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%s/cwd", pid);
	if (link_under(&h->mount, path))
		strcat(what, ", cwd");
	snprintf(path, sizeof(path), "/proc/%s/root", pid);
	if (link_under(&h->mount, path))
		strcat(what, ", root");
	snprintf(path, sizeof(path), "/proc/%s/exe", pid);
	if (link_under(&h->mount, path))
		strcat(what, ", exe");
	if (holds_open_file(&h->mount, pid))
		strcat(what, ", open file");
	else if (maps_file(&h->mount, pid))
		strcat(what, ", mapped file");
	if (!what[0])
		return 0;
	process_name(pid, name, sizeof(name));
	if (h->used < h->len)
		h->used += (size_t)snprintf(h->buf + h->used, h->len - h->used, "%s%s (%s: %s)",
					    h->count ? ", " : "", pid, name, what + 2);
	h->count++;
	return 0;
}

int mount_holders_describe(const char *mountpoint, int mount_id, dev_t dev,
			   char *buf, size_t len)
{
	struct holders h = {
		.mount = { mountpoint, strlen(mountpoint), mount_id, dev },
		.buf = buf,
		.len = len,
	};

	buf[0] = '\0';
	proc_for_each_process(1, describe_holder, &h);
	return h.count;
}
