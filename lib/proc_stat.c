#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc_stat.h"

/* Read PATH, a /proc stat file, into LINE and point *FIELDS just past
 * "PID (COMM)": COMM may hold spaces and parentheses. */
static int read_fields(const char *path, char *line, size_t len, char **fields)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, line, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	line[n] = '\0';
	*fields = strrchr(line, ')');
	return *fields ? 0 : -EINVAL;
}

static int stat_read(const char *path, char *state, pid_t *ppid)
{
	char line[512], *fields;
	char letter;
	int parent, rc;

	rc = read_fields(path, line, sizeof(line), &fields);
	if (rc < 0)
		return rc;
	if (sscanf(fields + 1, " %c %d", &letter, &parent) != 2)
		return -EINVAL;
	if (state)
		*state = letter;
	if (ppid)
		*ppid = parent;
	return 0;
}

int proc_stat_start_time(pid_t pid, unsigned long long *start)
{
	char path[64], line[1024], *field;
	int i, rc;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	rc = read_fields(path, line, sizeof(line), &field);
	if (rc < 0)
		return rc;
	/* From the state (field 3) on, 19 fields to the start time. */
	for (i = 0; field && i < 20; i++)
		field = strchr(field + 1, ' ');
	if (!field || sscanf(field + 1, "%llu", start) != 1)
		return -EINVAL;
	return 0;
}

int proc_uids(pid_t pid, uid_t *real, uid_t *saved)
{
	char path[64], line[256];
	unsigned int r, e, s;
	int rc = -EINVAL;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Uid: %u %u %u", &r, &e, &s) == 3) {
			*real = (uid_t)r;
			*saved = (uid_t)s;
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

pid_t proc_parent_of(pid_t pid)
{
	char path[64];
	pid_t ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return stat_read(path, NULL, &ppid) < 0 ? -1 : ppid;
}

int proc_asleep(pid_t tid)
{
	char path[64], state;
	int rc;

	/* /proc/TID is there for every thread, listed or not. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	rc = stat_read(path, &state, NULL);
	if (rc < 0)
		return rc;
	return state == 'S' || state == 'D';
}

int proc_for_each_process(pid_t from, int (*fn)(pid_t pid, void *arg), void *arg)
{
	struct dirent *entry;
	DIR *proc;
	pid_t pid;
	int rc = 0;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while (rc == 0 && (entry = readdir(proc))) {
		if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
			continue;
		pid = atoi(entry->d_name);
		if (pid >= from)
			rc = fn(pid, arg);
	}
	closedir(proc);
	return rc;
}

struct child_visit {
	pid_t parent;
	void (*fn)(pid_t child, void *arg);
	void *arg;
	int count;
};

static int visit_if_child(pid_t pid, void *arg)
{
	struct child_visit *v = arg;

	if (proc_parent_of(pid) == v->parent) {
		v->fn(pid, v->arg);
		v->count++;
	}
	return 0;
}

int proc_for_each_child_of(pid_t parent, pid_t from, void (*fn)(pid_t child, void *arg),
			   void *arg)
{
	struct child_visit v = { parent, fn, arg, 0 };
	int rc;

	rc = proc_for_each_process(from, visit_if_child, &v);
	return rc < 0 ? rc : v.count;
}

static void signal_child(pid_t child, void *arg)
{
	kill(child, *(int *)arg);
}

int proc_signal_children_of(pid_t parent, int sig)
{
	return proc_for_each_child_of(parent, 1, signal_child, &sig);
}
