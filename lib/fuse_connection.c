#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"
#include "fuse_connection.h"
#include "proc_stat.h"

unsigned int fuse_connection_of_dev(dev_t dev)
{
	/* The kernel's dev_t: 12 bits of major above 20 of minor. */
	return (unsigned int)(major(dev) << 20 | minor(dev));
}

int fuse_connection_of_fd(pid_t pid, int fd, unsigned int *connection)
{
	char path[64], line[256];
	FILE *f;
	int rc = -ENOENT;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	else
		snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "fuse_connection: %u", connection) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

int fuse_connection_at(int fd, unsigned int *connection, bool *mount_root)
{
	struct statx stx;

	/* An empty mask: FUSE's getattr then sends nothing, and answers
	 * even a process that its mount does not allow. */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) < 0)
		return -errno;
	*connection = fuse_connection_of_dev(makedev(stx.stx_dev_major, stx.stx_dev_minor));
	*mount_root = stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
	return 0;
}

bool fuse_fstype(const char *fstype)
{
	return fstype && (!strcmp(fstype, "fuse") || !strcmp(fstype, "fuseblk") ||
			  !strncmp(fstype, "fuse.", strlen("fuse.")));
}

bool fuse_connection_in(unsigned int connection, const unsigned int *connections, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (connections[i] == connection)
			return true;
	return false;
}

struct process {
	pid_t pid, ppid;
};

/* Every process and its parent: the kernel here lacks
 * /proc/PID/task/TID/children, so descendants are found from /proc. */
struct process_list {
	struct process *items;
	size_t n, size;
};

static int add_process(pid_t pid, void *arg)
{
	struct process_list *l = arg;
	struct process *bigger;
	pid_t ppid = proc_parent_of(pid);

	if (ppid < 0)
		return 0;
	if (l->n == l->size) {
		l->size = l->size ? 2 * l->size : 256;
		bigger = realloc(l->items, l->size * sizeof(*l->items));
		if (!bigger)
			return -ENOMEM;
		l->items = bigger;
	}
	l->items[l->n++] = (struct process){ pid, ppid };
	return 0;
}

static int read_processes(struct process **out, size_t *count)
{
	struct process_list l = { 0 };
	int rc;

	rc = proc_for_each_process(1, add_process, &l);
	if (rc < 0) {
		free(l.items);
		return rc;
	}
	*out = l.items;
	*count = l.n;
	return 0;
}

static bool descends_from(const struct process *list, size_t n, pid_t pid, pid_t ancestor)
{
	size_t i, steps;

	/* Bounded: a pid reused while /proc was read could make a loop. */
	for (steps = 0; steps < n && pid > 1; steps++) {
		for (i = 0; i < n && list[i].pid != pid; i++)
			;
		if (i == n)
			return false;
		pid = list[i].ppid;
		if (pid == ancestor)
			return true;
	}
	return false;
}

/* Add the connections of PID's /dev/fuse descriptors to CONNECTIONS. */
static size_t add_connections_of(pid_t pid, unsigned int *connections, size_t n, size_t max)
{
	unsigned int connection;
	struct dirent *entry;
	char path[64];
	DIR *fds;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	fds = opendir(path);
	if (!fds)
		return n;
	while (n < max && (entry = readdir(fds)))
		if (entry->d_name[0] != '.' &&
		    fuse_connection_of_fd(pid, atoi(entry->d_name), &connection) == 0 &&
		    !fuse_connection_in(connection, connections, n))
			connections[n++] = connection;
	closedir(fds);
	return n;
}

int fuse_connections_of_server(unsigned int *connections, size_t max)
{
	cleanup_free struct process *list = NULL;
	pid_t self = getpid();
	size_t count = 0, i, n = 0;
	int rc;

	rc = read_processes(&list, &count);
	if (rc < 0)
		return rc;
	for (i = 0; i < count && n < max; i++)
		if (descends_from(list, count, list[i].pid, self))
			n = add_connections_of(list[i].pid, connections, n, max);
	return (int)n;
}
