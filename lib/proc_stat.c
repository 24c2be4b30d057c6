#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
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

int proc_stat_read(const char *path, char *state, pid_t *ppid)
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
