#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_path.h"
#include "log.h"
#include "server_command.h"

int server_command_resolve(struct server_command *cmd, int argc, char **argv)
{
	const char *slash;
	int rc;

	cmd->argc = argc;
	cmd->argv = argv;
	slash = strrchr(argv[0], '/');
	cmd->name = slash ? slash + 1 : argv[0];
	rc = exec_path_search(argv[0], getenv("PATH") ? getenv("PATH") : EXEC_PATH_DEFAULT,
			      &cmd->path);
	if (rc == -ENOENT && !strchr(argv[0], '/'))
		log_error("server '%s' not found in PATH", argv[0]);
	else if (rc == -EFTYPE_NOT_REGULAR)
		log_error("server '%s' is %s, not a regular file", argv[0],
			  exec_path_file_kind(argv[0]));
	else if (rc < 0)
		log_error("server '%s': %s", argv[0], strerror(-rc));
	return rc;
}

/* "-o VALUE" is the one server option whose separate value we recognise:
 * libfuse servers all take it, and its value is never the mountpoint. */
static bool is_option_value(char **argv, int i)
{
	return i >= 2 && !strcmp(argv[i - 1], "-o");
}

static bool is_operand(char **argv, int i)
{
	return argv[i][0] != '-' && !is_option_value(argv, i);
}

static int canonicalize_dir(const char *path, char **canonical)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*canonical = realpath(path, NULL);
	return *canonical ? 0 : -errno;
}

static int find_explicit(struct server_command *cmd, const char *explicit)
{
	int rc, i;

	rc = canonicalize_dir(explicit, &cmd->mountpoint);
	if (rc < 0) {
		log_error("mountpoint '%s': %s", explicit, strerror(-rc));
		return rc;
	}
	for (i = cmd->argc - 1; i >= 1; i--) {
		char *candidate = NULL;
		bool same;

		if (canonicalize_dir(cmd->argv[i], &candidate) < 0)
			continue;
		same = !strcmp(candidate, cmd->mountpoint);
		free(candidate);
		if (same) {
			cmd->mountpoint_index = i;
			return 0;
		}
	}
	log_error("mountpoint '%s' is not among the server's arguments", explicit);
	return -EINVAL;
}

static int find_implicit(struct server_command *cmd)
{
	int last_operand = 0, i, rc;

	for (i = cmd->argc - 1; i >= 1; i--) {
		if (!is_operand(cmd->argv, i))
			continue;
		if (!last_operand)
			last_operand = i;
		if (canonicalize_dir(cmd->argv[i], &cmd->mountpoint) == 0) {
			cmd->mountpoint_index = i;
			return 0;
		}
	}
	if (!last_operand) {
		log_error("no mountpoint: the server has no argument naming a directory");
		return -EINVAL;
	}
	rc = canonicalize_dir(cmd->argv[last_operand], &cmd->mountpoint);
	log_error("mountpoint '%s': %s", cmd->argv[last_operand], strerror(-rc));
	return rc;
}

static void find_source(struct server_command *cmd)
{
	int i = cmd->mountpoint_index - 1;

	if (i >= 1 && is_operand(cmd->argv, i))
		cmd->source = cmd->argv[i];
}

int server_command_find_mountpoint(struct server_command *cmd, const char *explicit)
{
	int rc;

	rc = explicit ? find_explicit(cmd, explicit) : find_implicit(cmd);
	if (rc == 0)
		find_source(cmd);
	return rc;
}

int server_command_use_mountpoint(struct server_command *cmd, int index)
{
	int rc;

	rc = canonicalize_dir(cmd->argv[index], &cmd->mountpoint);
	if (rc < 0) {
		log_error("mountpoint '%s': %s", cmd->argv[index], strerror(-rc));
		return rc;
	}
	cmd->mountpoint_index = index;
	find_source(cmd);
	return 0;
}

char **server_command_exec_argv(const struct server_command *cmd, int device_fd,
				const char *options)
{
	char **argv = calloc(cmd->argc + 3, sizeof(*argv));
	int argc = cmd->argc;

	if (!argv)
		return NULL;
	memcpy(argv, cmd->argv, cmd->argc * sizeof(*argv));
	argv[cmd->mountpoint_index] = NULL;
	if (device_fd >= 0 && asprintf(&argv[cmd->mountpoint_index], "/dev/fd/%d", device_fd) < 0) {
		free(argv);
		return NULL;
	}
	if (device_fd < 0 && !(argv[cmd->mountpoint_index] = strdup(cmd->argv[cmd->mountpoint_index]))) {
		free(argv);
		return NULL;
	}
	if (options) {
		argv[argc++] = "-o";
		argv[argc++] = (char *)options;
	}
	return argv;
}

void server_command_free_exec_argv(char **argv, const struct server_command *cmd)
{
	if (!argv)
		return;
	free(argv[cmd->mountpoint_index]);
	free(argv);
}

void server_command_free(struct server_command *cmd)
{
	free(cmd->path);
	free(cmd->mountpoint);
	cmd->path = NULL;
	cmd->mountpoint = NULL;
}
