#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded_call.h"
#include "common.h"
#include "exec_path.h"
#include "log.h"
#include "mount_watch.h"
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

/* Where a mountpoint may be: the whole of an operand, or the VALUE of a
 * KEY=VALUE (an argument such as --mountpoint=PATH or mountpoint=PATH, or
 * an element of an -o list: "-o LIST", "-oLIST"). */
struct place {
	int index;		/* in argv */
	size_t offset;		/* of the path in argv[index] */
	size_t length;
	bool operand;		/* the whole argument */
};

struct places {
	struct place *at;
	size_t count;
};

static int add_place(struct places *p, int index, size_t offset, size_t length, bool operand)
{
	struct place *more;

	if (!length)
		return 0;
	more = reallocarray(p->at, p->count + 1, sizeof(*more));
	if (!more)
		return -ENOMEM;
	p->at = more;
	p->at[p->count++] = (struct place){ index, offset, length, operand };
	return 0;
}

/* The value of each KEY=VALUE element of the comma-separated list that
 * starts at argv[index] + offset. */
static int add_list_values(struct places *p, char **argv, int index, size_t offset)
{
	const char *arg = argv[index], *element = arg + offset, *end, *equals;
	int rc = 0;

	while (rc == 0 && *element) {
		end = element + strcspn(element, ",");
		equals = memchr(element, '=', (size_t)(end - element));
		if (equals)
			rc = add_place(p, index, (size_t)(equals + 1 - arg), (size_t)(end - equals - 1),
				       false);
		element = *end ? end + 1 : end;
	}
	return rc;
}

/* Every place, in the order of the arguments. */
static int list_places(const struct server_command *cmd, struct places *p)
{
	const char *arg, *equals;
	int i, rc = 0;

	p->at = NULL;
	p->count = 0;
	for (i = 1; rc == 0 && i < cmd->argc; i++) {
		arg = cmd->argv[i];
		equals = strchr(arg, '=');
		if (is_option_value(cmd->argv, i))
			rc = add_list_values(p, cmd->argv, i, 0);
		else if (!strncmp(arg, "-o", 2) && arg[2])
			rc = add_list_values(p, cmd->argv, i, 2);
		else if (arg[0] != '-') {
			rc = add_place(p, i, 0, strlen(arg), true);
			if (rc == 0 && equals)
				rc = add_place(p, i, (size_t)(equals + 1 - arg), strlen(equals + 1),
					       false);
		} else if (equals)
			rc = add_place(p, i, (size_t)(equals + 1 - arg), strlen(equals + 1), false);
	}
	if (rc < 0) {
		free(p->at);
		log_error("out of memory");
	}
	return rc;
}

static char *place_path(const struct server_command *cmd, const struct place *at)
{
	return strndup(cmd->argv[at->index] + at->offset, at->length);
}

/* A directory, or (FILE_OK) a regular file: FUSE mounts on both.  Both
 * the stat and realpath wait for as long as a FUSE mount on PATH does not
 * answer: PATH is named for the message of the checks' timeout. */
static int canonicalize(const char *path, bool file_ok, char **canonical, mode_t *type)
{
	struct stat st;
	int rc = 0;

	bounded_call_looking_at(path);
	if (stat(path, &st) < 0)
		rc = -errno;
	else if (!S_ISDIR(st.st_mode) && !(file_ok && S_ISREG(st.st_mode)))
		rc = -ENOTDIR;
	else if (!(*canonical = realpath(path, NULL)))
		rc = -errno;
	else
		*type = st.st_mode & S_IFMT;
	bounded_call_looking_at(NULL);
	return rc;
}

/* Why PATH, which failed with ENOTCONN, could not be looked at: a FUSE
 * mount whose connection is gone (its server killed, or the connection
 * aborted), on PATH or on the way to it, and what to do.  Neither the
 * O_PATH open nor the table asks a FUSE server anything. */
static void explain_not_connected(const char *path, char *buf, size_t len)
{
	cleanup_fd int fd = open(path, O_PATH | O_CLOEXEC);
	char what[256];

	if (fd >= 0 && mount_table_fuse_root(fd, what, sizeof(what)) == 1)
		snprintf(buf, len, ": the FUSE mount on it (%s) has no server any more; unmount it first: umount %s (a user: fusermount3 -u %s)",
			 what, path, path);
	else
		snprintf(buf, len, ": a FUSE mount on its path has no server any more; unmount that first");
}

/* What to add to strerror(-ERROR) about PATH. */
static const char *explain(const char *path, int error, char *buf, size_t len)
{
	buf[0] = '\0';
	if (error == -ENOTCONN)
		explain_not_connected(path, buf, len);
	return buf;
}

static int canonicalize_place(const struct server_command *cmd, const struct place *at,
			      bool file_ok, char **canonical, mode_t *type)
{
	char *path = place_path(cmd, at);
	int rc;

	if (!path)
		return -ENOMEM;
	rc = canonicalize(path, file_ok, canonical, type);
	free(path);
	return rc;
}

static void take_place(struct server_command *cmd, const struct place *at)
{
	cmd->mountpoint_index = at->index;
	cmd->mountpoint_offset = at->offset;
	cmd->mountpoint_length = at->length;
}

/* The last place of the kind OPERAND whose path is EXPLICIT's (canonical),
 * or NULL. */
static const struct place *find_same(const struct server_command *cmd, const struct places *p,
				     bool operand, bool file_ok)
{
	size_t k;

	for (k = p->count; k-- > 0;) {
		char *candidate = NULL;
		mode_t type;
		bool same;

		if (p->at[k].operand != operand ||
		    canonicalize_place(cmd, &p->at[k], file_ok, &candidate, &type) < 0)
			continue;
		same = !strcmp(candidate, cmd->mountpoint);
		free(candidate);
		if (same)
			return &p->at[k];
	}
	return NULL;
}

static int find_explicit(struct server_command *cmd, const struct places *p, const char *explicit)
{
	char why[PATH_MAX + 512];
	const struct place *at;
	int rc;

	rc = canonicalize(explicit, true, &cmd->mountpoint, &cmd->mountpoint_type);
	if (rc < 0) {
		log_error("mountpoint '%s': %s%s", explicit,
			  rc == -ENOTDIR ? "not a directory nor a regular file" : strerror(-rc),
			  explain(explicit, rc, why, sizeof(why)));
		return rc;
	}
	at = find_same(cmd, p, true, true);
	if (!at)
		at = find_same(cmd, p, false, true);
	if (!at) {
		log_error("mountpoint '%s' is not among the server's arguments", explicit);
		return -EINVAL;
	}
	take_place(cmd, at);
	return 0;
}

/* Whether a place whose check failed with ERROR is no directory: nothing
 * there, or not a directory.  Any other failure (EACCES; ENOTCONN, a FUSE
 * mount without its server; EIO) leaves what may well be the mountpoint
 * unchecked, and taking an earlier place instead would mount where the
 * user did not mean (or blame them for where the server mounted). */
static bool no_directory(int error)
{
	return error == -ENOENT || error == -ENOTDIR || error == -ELOOP || error == -ENAMETOOLONG;
}

static void say_unchecked(const struct server_command *cmd, const struct place *at, int error)
{
	char *path = place_path(cmd, at);
	char why[PATH_MAX + 512];

	if (!path || error == -ENOMEM) {
		log_error("out of memory");
	} else {
		log_error("cannot tell whether '%s' is the mountpoint: %s%s", path,
			  strerror(-error), explain(path, error, why, sizeof(why)));
	}
	free(path);
}

/* The last place of the kind OPERAND naming a directory into *AT, or
 * NULL there; stopping at one that cannot be checked, which is told. */
static int find_dir(struct server_command *cmd, const struct places *p, bool operand,
		    const struct place **at)
{
	size_t k;
	int rc;

	*at = NULL;
	for (k = p->count; k-- > 0;) {
		if (p->at[k].operand != operand)
			continue;
		rc = canonicalize_place(cmd, &p->at[k], false, &cmd->mountpoint,
					&cmd->mountpoint_type);
		if (rc == 0) {
			*at = &p->at[k];
			return 0;
		}
		if (!no_directory(rc)) {
			say_unchecked(cmd, &p->at[k], rc);
			return rc;
		}
	}
	return 0;
}

static int find_implicit(struct server_command *cmd, const struct places *p)
{
	const struct place *at, *last_operand = NULL;
	mode_t type;
	size_t k;
	int rc;

	rc = find_dir(cmd, p, true, &at);
	if (rc == 0 && !at)
		rc = find_dir(cmd, p, false, &at);
	if (rc < 0)
		return rc;
	if (at) {
		take_place(cmd, at);
		return 0;
	}
	for (k = 0; k < p->count; k++)
		if (p->at[k].operand)
			last_operand = &p->at[k];
	if (!last_operand) {
		log_error("no mountpoint: the server has no argument naming a directory");
		return -EINVAL;
	}
	rc = canonicalize_place(cmd, last_operand, false, &cmd->mountpoint, &type);
	log_error("mountpoint '%s': %s", cmd->argv[last_operand->index], strerror(-rc));
	return rc;
}

static void find_source(struct server_command *cmd)
{
	int i = cmd->mountpoint_index - 1;

	/* Only a mountpoint operand has a source operand before it. */
	if (cmd->mountpoint_offset == 0 && i >= 1 && is_operand(cmd->argv, i))
		cmd->source = cmd->argv[i];
}

int server_command_find_mountpoint(struct server_command *cmd, const char *explicit)
{
	struct places p;
	int rc;

	rc = list_places(cmd, &p);
	if (rc < 0)
		return rc;
	rc = explicit ? find_explicit(cmd, &p, explicit) : find_implicit(cmd, &p);
	free(p.at);
	if (rc == 0)
		find_source(cmd);
	return rc;
}

int server_command_use_mountpoint(struct server_command *cmd, int index)
{
	const struct place whole = { index, 0, strlen(cmd->argv[index]), true };
	int rc;

	rc = canonicalize(cmd->argv[index], true, &cmd->mountpoint, &cmd->mountpoint_type);
	if (rc < 0) {
		log_error("mountpoint '%s': %s", cmd->argv[index], strerror(-rc));
		return rc;
	}
	take_place(cmd, &whole);
	find_source(cmd);
	return 0;
}

/* argv[mountpoint_index] with its mountpoint replaced by /dev/fd/DEVICE_FD. */
static char *replace_mountpoint(const struct server_command *cmd, int device_fd)
{
	const char *arg = cmd->argv[cmd->mountpoint_index];
	char *out;

	if (asprintf(&out, "%.*s/dev/fd/%d%s", (int)cmd->mountpoint_offset, arg, device_fd,
		     arg + cmd->mountpoint_offset + cmd->mountpoint_length) < 0)
		return NULL;
	return out;
}

char **server_command_exec_argv(const struct server_command *cmd, int device_fd)
{
	char **argv = calloc(cmd->argc + 1, sizeof(*argv));

	if (!argv)
		return NULL;
	memcpy(argv, cmd->argv, cmd->argc * sizeof(*argv));
	argv[cmd->mountpoint_index] = NULL;
	if (device_fd >= 0 && !(argv[cmd->mountpoint_index] = replace_mountpoint(cmd, device_fd))) {
		free(argv);
		return NULL;
	}
	if (device_fd < 0 && !(argv[cmd->mountpoint_index] = strdup(cmd->argv[cmd->mountpoint_index]))) {
		free(argv);
		return NULL;
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
