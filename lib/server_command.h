/* The server to run: its executable, its arguments, and which argument is
 * the mountpoint that the launcher replaces with /dev/fd/N. */
#ifndef FUSELAUNCH_SERVER_COMMAND_H
#define FUSELAUNCH_SERVER_COMMAND_H

#include <stddef.h>
#include <sys/types.h>

struct server_command {
	char *path;		/* the executable, resolved through PATH */
	char **argv;		/* as given, NULL-terminated, borrowed */
	int argc;
	int mountpoint_index;	/* argv[mountpoint_index] names the mountpoint */
	size_t mountpoint_offset;/* there, from this byte (KEY=PATH: after '=') */
	size_t mountpoint_length;/* for this many */
	char *mountpoint;	/* canonical absolute path */
	mode_t mountpoint_type;	/* S_IFDIR, or S_IFREG for a file */
	const char *name;	/* basename of argv[0] */
	const char *source;	/* the argument before the mountpoint, or NULL */
};

/* Find the executable for argv[0] as execvp() would.  Prints why on failure:
 * -ENOENT not found, -EACCES not executable, -EFTYPE_NOT_REGULAR a FIFO,
 * socket or device (refused without being opened: that could block). */
int server_command_resolve(struct server_command *cmd, int argc, char **argv);

/* Find the mountpoint among the arguments (fuselaunch(1), THE MOUNTPOINT).
 * Places: every operand (an argument not starting with '-' and not the
 * value of a separate -o), and the VALUE of every KEY=VALUE, in an
 * argument (--mountpoint=PATH, mountpoint=PATH) or in an -o list ("-o
 * a,mountpoint=PATH", "-oLIST").  EXPLICIT (--mountpoint, a directory or
 * a regular file) is the last operand, else the last KEY=VALUE, whose
 * path is the same once canonical.  Without it: the last operand naming
 * an existing directory, else the last such VALUE; a place that cannot
 * be checked (failing but with ENOENT or ENOTDIR: EACCES, ENOTCONN) ends
 * the search there, never for an earlier place.  Prints why on failure
 * and returns -ENOENT, -ENOTDIR, -EINVAL, -ENOMEM or that place's -errno. */
int server_command_find_mountpoint(struct server_command *cmd, const char *explicit);

/* Take argv[INDEX] as the mountpoint, as a caller that built the argv
 * knows it.  Prints why on failure. */
int server_command_use_mountpoint(struct server_command *cmd, int index);

/* A NULL-terminated argv for exec: the user's, with the mountpoint
 * replaced by /dev/fd/DEVICE_FD (in its argument: "mountpoint=/dev/fd/N"),
 * or (DEVICE_FD < 0) exactly as given: nothing added, dropped or moved.
 * Free with server_command_free_exec_argv(). */
char **server_command_exec_argv(const struct server_command *cmd, int device_fd);
void server_command_free_exec_argv(char **argv, const struct server_command *cmd);

void server_command_free(struct server_command *cmd);

#endif
