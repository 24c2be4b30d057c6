/* The server's executable, found as execvp() finds it, and the mountpoint
 * rule: --mountpoint when given, else the last operand naming a
 * directory; the argument before it is the source. */
#include "unit.h"

#include <limits.h>

#include "server_command.h"

static char *top, *bin, *mnt, *other, *file;

static void fixtures(void)
{
	char *real;

	top = unit_tmpdir();
	/* Canonical, so that expected mountpoints compare as strings. */
	real = realpath(top, NULL);
	if (!real)
		unit_bail("realpath");
	free(top);
	top = real;
	bin = unit_mkdir(top, "bin");
	mnt = unit_mkdir(top, "mnt");
	other = unit_mkdir(top, "other");
	file = unit_write_file(top, "file", "", 0644);
	free(unit_write_file(bin, "srv", "#!/bin/sh\n", 0755));
	free(unit_write_file(bin, "noexec", "#!/bin/sh\n", 0644));
	/* Relative names are looked up among these fixtures only. */
	if (setenv("PATH", bin, 1) < 0 || chdir(top) < 0)
		unit_bail("setenv, chdir");
}

static int resolve(struct server_command *cmd, char **argv, const char **said)
{
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	memset(cmd, 0, sizeof(*cmd));
	unit_capture_start();
	rc = server_command_resolve(cmd, argc, argv);
	*said = unit_capture_end();
	return rc;
}

static void resolving(void)
{
	struct server_command cmd;
	const char *said;
	char *want = unit_path(bin, "srv");
	char *path_srv = unit_path(bin, "srv");
	char *a1[] = { "srv", NULL };
	char *a2[] = { "missing", NULL };
	char *a3[] = { "noexec", NULL };
	char *a4[] = { path_srv, NULL };
	char *a5[] = { "./nowhere/srv", NULL };

	CHECK_INT(resolve(&cmd, a1, &said), 0, "a server in PATH is found");
	CHECK_STR(cmd.path, want, "its path is PATH's directory and its name");
	CHECK_STR(cmd.name, "srv", "its name is argv[0]");
	server_command_free(&cmd);

	CHECK_INT(resolve(&cmd, a2, &said), -ENOENT, "a server not in PATH: ENOENT");
	CHECK_HAS(said, "server 'missing' not found in PATH", "the message says not in PATH");
	server_command_free(&cmd);

	CHECK_INT(resolve(&cmd, a3, &said), -EACCES, "a server not executable: EACCES");
	CHECK_HAS(said, "server 'noexec': Permission denied", "the message names it");
	server_command_free(&cmd);

	CHECK_INT(resolve(&cmd, a4, &said), 0, "a path with a slash is taken as it is");
	CHECK_STR(cmd.path, want, "its path is the one given");
	CHECK_STR(cmd.name, "srv", "its name is the path's basename");
	server_command_free(&cmd);

	CHECK_INT(resolve(&cmd, a5, &said), -ENOENT, "a missing path with a slash: ENOENT");
	CHECK_HAS(said, "server './nowhere/srv': No such file or directory",
		  "the message names the path, not PATH");
	server_command_free(&cmd);
	free(want);
	free(path_srv);
}

/* Find the mountpoint in ARGV (NULL-terminated), with EXPLICIT. */
static int find(struct server_command *cmd, char **argv, const char *explicit,
		const char **said)
{
	int argc = 0, rc;

	while (argv[argc])
		argc++;
	memset(cmd, 0, sizeof(*cmd));
	cmd->argc = argc;
	cmd->argv = argv;
	unit_capture_start();
	rc = server_command_find_mountpoint(cmd, explicit);
	*said = unit_capture_end();
	return rc;
}

static void mountpoints(void)
{
	struct server_command cmd;
	const char *said;
	char *dotted = unit_path(top, "mnt/../mnt/.");
	char *nope = unit_path(top, "nope");
	char *a_plain[] = { "srv", "host:/data", mnt, NULL };
	char *a_trailing[] = { "srv", "host:/data", mnt, "extra", NULL };
	char *a_last_dir[] = { "srv", other, mnt, NULL };
	char *a_o_value[] = { "srv", mnt, "-o", other, NULL };
	char *a_opts[] = { "srv", "-f", mnt, "-d", NULL };
	char *a_dotted[] = { "srv", "host:/src", dotted, NULL };
	char *a_none[] = { "srv", "-f", "-o", "ro", NULL };
	char *a_missing[] = { "srv", "host:/src", nope, NULL };
	char *a_file[] = { "srv", "host:/src", file, NULL };
	char *a_explicit[] = { "srv", mnt, other, NULL };

	CHECK_INT(find(&cmd, a_plain, NULL, &said), 0, "SOURCE MOUNTPOINT: found");
	CHECK_INT(cmd.mountpoint_index, 2, "the mountpoint is the last argument");
	CHECK_STR(cmd.mountpoint, mnt, "the mountpoint is canonical");
	CHECK_STR(cmd.source, "host:/data", "the argument before it is the source");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_trailing, NULL, &said), 0, "a trailing operand that is no dir");
	CHECK_INT(cmd.mountpoint_index, 2, "the last operand naming a directory wins");
	CHECK_STR(cmd.source, "host:/data", "and the source is still before it");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_last_dir, NULL, &said), 0, "two directories");
	CHECK_INT(cmd.mountpoint_index, 2, "the last directory is the mountpoint");
	CHECK_STR(cmd.source, other, "the first is the source");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_o_value, NULL, &said), 0, "a directory as the value of -o");
	CHECK_INT(cmd.mountpoint_index, 1, "-o's value is never the mountpoint");
	CHECK_STR(cmd.source, NULL, "no source before argv[1]");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_opts, NULL, &said), 0, "options around the mountpoint");
	CHECK_INT(cmd.mountpoint_index, 2, "options are skipped");
	CHECK_STR(cmd.source, NULL, "an option is not a source");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_dotted, NULL, &said), 0, "a mountpoint with . and ..");
	CHECK_STR(cmd.mountpoint, mnt, "is made canonical");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_none, NULL, &said), -EINVAL, "no operand at all: EINVAL");
	CHECK_HAS(said, "no mountpoint", "the message says there is none");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_missing, NULL, &said), -ENOENT, "a missing mountpoint: ENOENT");
	CHECK_HAS(said, "nope': No such file or directory", "the message names the last operand");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_file, NULL, &said), -ENOTDIR, "a file as mountpoint: ENOTDIR");
	CHECK_HAS(said, "file': Not a directory", "the message names the file");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_explicit, mnt, &said), 0, "--mountpoint among the arguments");
	CHECK_INT(cmd.mountpoint_index, 1, "--mountpoint beats the last directory");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_explicit, dotted, &said), 0, "--mountpoint spelt differently");
	CHECK_INT(cmd.mountpoint_index, 1, "is matched by its canonical path");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_plain, other, &said), -EINVAL, "--mountpoint not among them");
	CHECK_HAS(said, "is not among the server's arguments", "the message says so");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_plain, nope, &said), -ENOENT, "--mountpoint missing: ENOENT");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_file, file, &said), 0, "--mountpoint a regular file");
	CHECK_INT(cmd.mountpoint_index, 2, "is found among the operands");
	CHECK_INT(cmd.mountpoint_type, S_IFREG, "and is a file");
	server_command_free(&cmd);

	CHECK_INT(find(&cmd, a_plain, "/dev/null", &said), -ENOTDIR,
		  "--mountpoint neither a directory nor a regular file: ENOTDIR");
	CHECK_HAS(said, "not a directory nor a regular file", "the message says what it must be");
	server_command_free(&cmd);
	free(dotted);
	free(nope);
}

/* Mountpoints inside KEY=VALUE: an argument, an element of an -o list. */
static void key_values(void)
{
	struct server_command cmd;
	const char *said;
	char *long_opt, *list, *bare, *joined, *file_opt;
	char **argv;

	if (asprintf(&long_opt, "--mountpoint=%s", mnt) < 0 ||
	    asprintf(&list, "ro,mountpoint=%s,x=1", mnt) < 0 ||
	    asprintf(&bare, "mountpoint=%s", mnt) < 0 ||
	    asprintf(&joined, "-oa=%s,mountpoint=%s", other, mnt) < 0 ||
	    asprintf(&file_opt, "--image=%s", file) < 0)
		unit_bail("asprintf");
	{
		char *a_long[] = { "srv", "host:/src", long_opt, NULL };
		char *a_list[] = { "srv", "-o", list, NULL };
		char *a_bare[] = { "srv", bare, NULL };
		char *a_joined[] = { "srv", joined, NULL };
		char *a_operand_wins[] = { "srv", long_opt, other, NULL };
		char *a_file[] = { "srv", file_opt, NULL };

		CHECK_INT(find(&cmd, a_long, NULL, &said), 0, "--mountpoint=PATH with no directory operand");
		CHECK_INT(cmd.mountpoint_index, 2, "the mountpoint is in that argument");
		CHECK_STR(cmd.mountpoint, mnt, "after the '='");
		CHECK_STR(cmd.source, NULL, "an option has no source before it");
		argv = server_command_exec_argv(&cmd, 7);
		CHECK_STR(argv[2], "--mountpoint=/dev/fd/7", "the server gets --mountpoint=/dev/fd/N");
		server_command_free_exec_argv(argv, &cmd);
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_list, NULL, &said), 0, "mountpoint=PATH in an -o list");
		CHECK_INT(cmd.mountpoint_index, 2, "the mountpoint is in the list");
		argv = server_command_exec_argv(&cmd, 7);
		CHECK_STR(argv[2], "ro,mountpoint=/dev/fd/7,x=1", "only that element's value is replaced");
		server_command_free_exec_argv(argv, &cmd);
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_bare, NULL, &said), 0, "mountpoint=PATH as an operand");
		argv = server_command_exec_argv(&cmd, 7);
		CHECK_STR(argv[1], "mountpoint=/dev/fd/7", "is replaced after the '='");
		server_command_free_exec_argv(argv, &cmd);
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_joined, NULL, &said), 0, "-oLIST with two directories");
		argv = server_command_exec_argv(&cmd, 7);
		CHECK_HAS(argv[1], ",mountpoint=/dev/fd/7", "the last value naming a directory is taken");
		CHECK(!strncmp(argv[1], "-oa=/", 5), "the earlier one stays");
		server_command_free_exec_argv(argv, &cmd);
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_operand_wins, NULL, &said), 0, "an operand and a KEY=PATH");
		CHECK_INT(cmd.mountpoint_index, 2, "an operand naming a directory comes first");
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_operand_wins, mnt, &said), 0, "--mountpoint naming a KEY=PATH");
		CHECK_INT(cmd.mountpoint_index, 1, "is found there");
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_file, NULL, &said), -EINVAL, "a file in KEY=PATH is not taken unasked");
		server_command_free(&cmd);

		CHECK_INT(find(&cmd, a_file, file, &said), 0, "--mountpoint a file in KEY=PATH");
		CHECK_INT(cmd.mountpoint_type, S_IFREG, "is a file mountpoint");
		argv = server_command_exec_argv(&cmd, 7);
		CHECK_STR(argv[1], "--image=/dev/fd/7", "replaced after the '='");
		server_command_free_exec_argv(argv, &cmd);
		server_command_free(&cmd);
	}
	free(long_opt);
	free(list);
	free(bare);
	free(joined);
	free(file_opt);
}

static void exec_argv(void)
{
	struct server_command cmd;
	const char *said;
	char *args[] = { "srv", "-f", "host:/src", mnt, NULL };
	char **argv;

	if (find(&cmd, args, NULL, &said) < 0)
		unit_bail("server_command_find_mountpoint");
	argv = server_command_exec_argv(&cmd, 7);
	CHECK(argv != NULL, "exec argv with /dev/fd/N");
	CHECK_STR(argv[3], "/dev/fd/7", "the mountpoint is replaced by /dev/fd/N");
	CHECK_STR(argv[2], "host:/src", "the other arguments stay");
	CHECK_STR(argv[4], NULL, "the argv ends there");
	CHECK_STR(args[3], mnt, "the given argv is left alone");
	server_command_free_exec_argv(argv, &cmd);

	/* Watch mode: the server's command line is the user's, to the letter. */
	argv = server_command_exec_argv(&cmd, -1);
	for (int i = 0; i < 4; i++)
		CHECK_STR(argv[i], args[i], "without a device every argument stays as given");
	CHECK_STR(argv[4], NULL, "and nothing is added");
	server_command_free_exec_argv(argv, &cmd);
	server_command_free(&cmd);

	memset(&cmd, 0, sizeof(cmd));
	cmd.argc = 4;
	cmd.argv = args;
	CHECK_INT(server_command_use_mountpoint(&cmd, 3), 0, "a mountpoint given by index");
	CHECK_STR(cmd.mountpoint, mnt, "is made canonical");
	CHECK_STR(cmd.source, "host:/src", "and has its source");
	server_command_free(&cmd);
	memset(&cmd, 0, sizeof(cmd));
	cmd.argc = 4;
	cmd.argv = args;
	unit_capture_start();
	CHECK_INT(server_command_use_mountpoint(&cmd, 2), -ENOENT, "an index naming no directory");
	said = unit_capture_end();
	CHECK_HAS(said, "mountpoint 'host:/src': No such file or directory", "the message names it");
	server_command_free(&cmd);
}

int main(void)
{
	fixtures();
	resolving();
	mountpoints();
	key_values();
	exec_argv();
	free(bin);
	free(mnt);
	free(other);
	free(file);
	unit_rmtree(top);
	return unit_done();
}
