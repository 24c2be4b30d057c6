/*
 * fuselaunch - launch a FUSE server and exit 0 only once its file system
 * is mounted and answering.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exit_codes.h"
#include "launch.h"
#include "libmount_lazy.h"
#include "log.h"
#include "mount_options.h"
#include "mounter.h"
#include "option_hint.h"
#include "program.h"
#include "sd_notify.h"
#include "server_command.h"

enum {
	OPT_SYNC_INIT = 256,
	OPT_PIDFILE,
	OPT_LOG,
	OPT_NO_AUTO_UNMOUNT,
	OPT_MODE,
	OPT_USER,
	OPT_DROP_PRIVILEGES,
};

struct cli {
	char *options;			/* every -o, joined */
	const char *mountpoint;		/* -m */
	const char *timeout;
	const char *sync_init;
	const char *mode;
	const char *pidfile;
	const char *log;
	const char *user;
	bool drop_privileges;
	bool foreground;
	bool no_auto_unmount;
	bool verbose;
	int server_argc;
	char **server_argv;
};

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s [options] -- SERVER [SERVER-ARGS...]\n"
	       "\n"
	       "Launch a FUSE server and exit 0 only once its file system is mounted and\n"
	       "answering.  The server's mountpoint argument is replaced by /dev/fd/N, an open\n"
	       "/dev/fuse descriptor, and the mount completes when the server answers FUSE_INIT.\n"
	       "\n"
	       "Options:\n"
	       " -f, --foreground       stay in the foreground: supervise the server and exit\n"
	       "                          with its status, or 0 when a signal stopped it\n"
	       "                          cleanly (for systemd; sends READY=1 to\n"
	       "                          $NOTIFY_SOCKET once mounted)\n"
	       " -m, --mountpoint DIR   which server argument is the mountpoint (default: the\n"
	       "                          last non-option argument naming an existing directory)\n"
	       " -o, --options OPTS     mount options for the kernel: allow_other,\n"
	       "                          default_permissions, ro, rw, nosuid, nodev, noexec,\n"
	       "                          noatime, nodiratime, relatime, strictatime, sync,\n"
	       "                          dirsync, max_read=N, blksize=N, fsname=NAME,\n"
	       "                          subtype=NAME, rootmode=M, user_id=N, group_id=N\n"
	       " -t, --timeout SECONDS  how long the server has to answer FUSE_INIT\n"
	       "                          (default %2$u; 0 waits for ever)\n"
	       "     --mode=MODE        fd: the server gets /dev/fd/N; watch: the server\n"
	       "                          mounts by itself and the launch waits for its\n"
	       "                          mount to answer; auto (default): fd for servers\n"
	       "                          linking libfuse 3, watch for the others\n"
	       "     --sync-init=MODE   auto (default): synchronous FUSE_INIT where the kernel\n"
	       "                          has it, else mount first and wait for the answer;\n"
	       "                          always: synchronous or fail; never: mount first\n"
	       "     --pidfile FILE     write the serving process's pid to FILE\n"
	       "     --log FILE         append the server's output to FILE once mounted\n"
	       "                          (default: syslog; not with --foreground)\n"
	       "     --no-auto-unmount  leave the mount in place when the server dies\n"
	       "     --user USER        run the server as USER, with USER's groups and no\n"
	       "                          capabilities (root only); the mount is theirs\n"
	       "     --drop-privileges  run the server as root without capabilities and with\n"
	       "                          no_new_privs (root only)\n"
	       " -v, --verbose          print each step with its time\n"
	       "\n"
	       " -h, --help             display this help\n"
	       " -V, --version          display version\n"
	       "\n"
	       "Exit status:\n"
	       " %3$d  mounted and answering\n"
	       " %4$d  bad command line or mountpoint, or a mount option fuselaunch does not accept\n"
	       " %5$d  system error: /dev/fuse missing or not permitted, out of resources\n"
	       " %6$d  the server was not found or is not executable\n"
	       " %7$d  the server exited or was killed before answering FUSE_INIT\n"
	       " %8$d  the server answered FUSE_INIT with an error\n"
	       " %9$d  the kernel refused the mount or one of its mount options\n"
	       " %10$d  the server did not answer FUSE_INIT within the timeout\n"
	       " %11$d  cancelled by a signal\n"
	       "\n"
	       "For more details see fuselaunch(1).\n",
	       program_invocation_short_name, LAUNCH_DEFAULT_TIMEOUT_MS / 1000,
	       FL_EX_OK, FL_EX_USAGE, FL_EX_SYSTEM, FL_EX_SERVER_NOT_FOUND,
	       FL_EX_SERVER_FAILED, FL_EX_INIT_REFUSED, FL_EX_MOUNT_FAILED,
	       FL_EX_TIMEOUT, FL_EX_CANCELLED);
	exit(FL_EX_OK);
}

static void __attribute__((noreturn, format(printf, 1, 2))) bad_usage(const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	log_error("%s", message);
	program_exit_try_help(FL_EX_USAGE);
}

static void parse_args(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "mountpoint", required_argument, NULL, 'm' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-auto-unmount", no_argument, NULL, OPT_NO_AUTO_UNMOUNT },
		{ "options", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "sync-init", required_argument, NULL, OPT_SYNC_INIT },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "user", required_argument, NULL, OPT_USER },
		{ "drop-privileges", no_argument, NULL, OPT_DROP_PRIVILEGES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	/* '+': everything from the server's name on belongs to the server. */
	while ((c = getopt_long(argc, argv, "+fm:o:t:vhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			cli->foreground = true;
			break;
		case 'm':
			cli->mountpoint = optarg;
			break;
		case OPT_PIDFILE:
			cli->pidfile = optarg;
			break;
		case OPT_LOG:
			cli->log = optarg;
			break;
		case OPT_NO_AUTO_UNMOUNT:
			cli->no_auto_unmount = true;
			break;
		case 'o':
			rc = mount_options_append(&cli->options, optarg);
			if (rc == -ELIBACC)
				exit(FL_EX_SYSTEM);	/* libmount_load() said why */
			if (rc < 0) {
				log_error("out of memory for option '%s'", optarg);
				exit(FL_EX_SYSTEM);
			}
			break;
		case 't':
			cli->timeout = optarg;
			break;
		case OPT_SYNC_INIT:
			cli->sync_init = optarg;
			break;
		case OPT_MODE:
			cli->mode = optarg;
			break;
		case OPT_USER:
			cli->user = optarg;
			break;
		case OPT_DROP_PRIVILEGES:
			cli->drop_privileges = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'h':
			usage();
		case 'V':
			printf("%s %s\n", program_invocation_short_name, PACKAGE_VERSION);
			exit(FL_EX_OK);
		default:
			program_exit_try_help(FL_EX_USAGE);
		}
	}
	if (cli->foreground && cli->log)
		bad_usage("--log cannot be used with --foreground: there the server's output stays on %s's own",
			  program_invocation_short_name);
	if (optind >= argc)
		bad_usage("no server given");
	cli->server_argc = argc - optind;
	cli->server_argv = argv + optind;
}

/* Launched from a context with fd 0, 1 or 2 closed, the first files we
 * open would take their place and reach the server as its stdio. */
static void ensure_stdio_open(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

static int build_launch(struct cli *cli, struct launch *l)
{
	int rc;

	if (cli->mode && server_mode_parse(cli->mode, &l->mode) < 0) {
		log_error("invalid --mode '%s': use auto, fd or watch", cli->mode);
		return FL_EX_USAGE;
	}
	if ((cli->timeout && launch_set_timeout(l, cli->timeout) < 0) ||
	    (cli->sync_init && launch_set_sync_init(l, cli->sync_init) < 0))
		return FL_EX_USAGE;
	l->auto_unmount = !cli->no_auto_unmount;
	if (cli->pidfile && launch_set_pidfile(l, cli->pidfile) < 0)
		return FL_EX_SYSTEM;
	rc = server_command_resolve(&l->server, cli->server_argc, cli->server_argv);
	if (rc < 0)
		return FL_EX_SERVER_NOT_FOUND;
	launch_choose_mode(l);
	/* Watch mode reads the mount table with libmount, in the daemon: load
	 * it now, so that a failure is told before anything starts. */
	if (l->mode == SERVER_MODE_WATCH && libmount_load() < 0)
		return FL_EX_SYSTEM;
	if (l->mode == SERVER_MODE_WATCH && cli->options &&
	    !(l->watch_options = strdup(cli->options)))
		return FL_EX_SYSTEM;
	if (server_command_find_mountpoint(&l->server, cli->mountpoint) < 0 ||
	    (cli->options && mount_options_parse(cli->options, &l->options, 0) < 0))
		return FL_EX_USAGE;
	if (l->options.userspace) {
		log_error("mount options '%s' are for /etc/fstab (mount.fuselaunch), not for fuselaunch",
			  l->options.userspace);
		return FL_EX_USAGE;
	}
	if (cli->log && launch_open_log(l, cli->log) < 0)
		return FL_EX_USAGE;
	if (cli->user && launch_set_user(l, cli->user) < 0)
		return FL_EX_USAGE;
	l->identity.drop_privileges = cli->drop_privileges;
	return FL_EX_OK;
}

static int report_outcome(const struct launch *l, const struct launch_status *status)
{
	const char *misplaced;
	char message[1024];
	int code;

	launch_status_describe(status, l->server.name, l->server.mountpoint, l->timeout_ms,
			       message, sizeof(message));
	code = launch_status_exit_code(status);
	if (code == FL_EX_OK)
		log_step("%s", message);
	else
		log_error("%s", message);
	misplaced = code == FL_EX_SERVER_FAILED ?
		    option_hint_misplaced(l->server.argc, l->server.argv) : NULL;
	if (misplaced)
		log_error("%s went to the server; put %s's options before it: %s [OPTIONS] -- SERVER ...",
			  misplaced, program_invocation_short_name, program_invocation_short_name);
	return code;
}

/* In the foreground the exit status is the server's, as a shell gives it. */
static int run_foreground(struct launch *l, struct mounter *m)
{
	struct launch_status status;
	int server_status = 0;

	if (launch_run_foreground(l, m, &status, &server_status) < 0)
		return report_outcome(l, &status);
	if (WIFSIGNALED(server_status))
		return 128 + WTERMSIG(server_status);
	return WEXITSTATUS(server_status);
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct launch_status status;
	struct mounter *m = NULL;
	struct launch l;
	int code;

	program_check_stdout_at_exit(FL_EX_SYSTEM);
	parse_args(argc, argv, &cli);
	log_init(program_invocation_short_name, cli.verbose);
	sd_notify_take_socket();
	ensure_stdio_open();
	launch_init(&l);
	code = build_launch(&cli, &l);
	if (code == FL_EX_OK)
		code = launch_prepare(&l, &m);
	if (code != FL_EX_OK)
		goto out;
	log_step("launching %s on %s", l.server.path, l.server.mountpoint);
	if (cli.foreground) {
		code = run_foreground(&l, m);
		goto out;
	}
	if (launch_run(&l, m, &status) < 0) {
		code = FL_EX_SYSTEM;
		goto out;
	}
	code = report_outcome(&l, &status);
out:
	mounter_free(m);
	launch_free(&l);
	free(cli.options);
	return code;
}
