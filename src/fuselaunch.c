/*
 * fuselaunch - launch a FUSE server and exit 0 only once its file system
 * is mounted and answering.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "descriptors.h"
#include "cancel_signals.h"
#include "exit_codes.h"
#include "launch.h"
#include "launch_list.h"
#include "launch_report.h"
#include "libmount_lazy.h"
#include "log.h"
#include "mount_options.h"
#include "mounter.h"
#include "option_hint.h"
#include "program.h"
#include "sd_notify.h"
#include "server_command.h"
#include "status_line.h"
#include "unmount.h"

enum {
	OPT_SYNC_INIT = 256,
	OPT_PIDFILE,
	OPT_LOG,
	OPT_NO_AUTO_UNMOUNT,
	OPT_STACK,
	OPT_MODE,
	OPT_USER,
	OPT_DROP_PRIVILEGES,
	OPT_PRESERVE_ENV,
	OPT_LAZY,
	OPT_LIST,
	OPT_JSON,
	OPT_OUTPUT,
	OPT_RAW,
	OPT_NOHEADINGS,
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
	char *preserve_env;		/* every --preserve-env, joined */
	bool drop_privileges;
	bool foreground;
	bool no_auto_unmount;
	bool stack;
	bool verbose;
	const char *unmount;		/* -u MOUNTPOINT */
	bool lazy;
	bool list;			/* --list, in FORMAT */
	struct launch_list_format format;
	int server_argc;
	char **server_argv;
};

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s [options] -- SERVER [SERVER-ARGS...]\n"
	       " %1$s [-v] [-t SECONDS] [--lazy] -u MOUNTPOINT\n"
	       " %1$s --list [--json] [--output COLUMNS] [--raw] [--noheadings]\n"
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
	       " -m, --mountpoint PATH  which server argument is the mountpoint, a directory or\n"
	       "                          a regular file (default: the last non-option argument\n"
	       "                          naming an existing directory, else the last KEY=PATH\n"
	       "                          value naming one)\n"
	       " -o, --options OPTS     mount options for the kernel: allow_other,\n"
	       "                          default_permissions, ro, rw, suid, dev, noexec,\n"
	       "                          noatime, nodiratime, relatime, strictatime, sync,\n"
	       "                          dirsync, max_read=N, blksize=N, fsname=NAME,\n"
	       "                          subtype=NAME, rootmode=M, user_id=N, group_id=N;\n"
	       "                          nosuid and nodev unless suid or dev is given (root\n"
	       "                          only, and not with --user); in watch mode only the\n"
	       "                          mount's attributes (ro, noexec, atime...), set by\n"
	       "                          root on the server's mount: none reaches the server\n"
	       " -t, --timeout SECONDS  how long the server has to answer FUSE_INIT\n"
	       "                          (default %2$u; 0 waits for ever)\n"
	       "     --mode=MODE        fd: the server gets /dev/fd/N; watch: the server\n"
	       "                          mounts by itself, its arguments as given, and the\n"
	       "                          launch waits for its mount to answer; auto\n"
	       "                          (default): fd for servers linking libfuse 3, watch\n"
	       "                          for the others\n"
	       "     --sync-init=MODE   auto (default): synchronous FUSE_INIT where the kernel\n"
	       "                          has it, else mount first and wait for the answer;\n"
	       "                          always: synchronous or fail; never: mount first\n"
	       "     --pidfile FILE     write the serving process's pid to FILE (no symlink, a\n"
	       "                          safe directory); the launch fails if it cannot\n"
	       "     --log FILE         append the server's output to FILE once mounted\n"
	       "                          (default: syslog; not with --foreground; no\n"
	       "                          symlink, a safe directory)\n"
	       "     --no-auto-unmount  leave the mount in place when the server dies\n"
	       "     --stack            mount on top of a FUSE mount already on the mountpoint\n"
	       "     --user USER        run the server as USER, with USER's groups and no\n"
	       "                          capabilities (root only); the mount is theirs\n"
	       "     --drop-privileges  run the server as root without capabilities and with\n"
	       "                          no_new_privs (root only); it still owns root's files\n"
	       "     --preserve-env VARS\n"
	       "                          with --user, pass these variables (comma-separated)\n"
	       "                          too; the server otherwise gets only PATH, HOME, USER,\n"
	       "                          LOGNAME, SHELL, TERM, LANG, LANGUAGE, LC_* and TZ\n"
	       " -u, --unmount DIR      unmount a mount fuselaunch supervises and wait until\n"
	       "                          its server has exited (-t bounds the wait)\n"
	       "     --lazy             with --unmount: detach even a busy mount, and wait\n"
	       "     --list             list the launches supervised here (root: every\n"
	       "                          user's; a user: their own)\n"
	       "     --output COLUMNS   with --list: which columns, comma-separated, of\n"
	       "                          %14$s\n"
	       "     --raw              with --list: no alignment\n"
	       "     --noheadings       with --list: no header line\n"
	       "     --json             print the outcome of a launch, or --list, as JSON\n"
	       " -v, --verbose          print each step with its time\n"
	       "\n"
	       " -h, --help             display this help\n"
	       " -V, --version          display the version and the licence\n"
	       "\n"
	       "Exit status:\n"
	       " %3$d  mounted and answering\n"
	       " %4$d  bad command line or mountpoint, or a mount option fuselaunch does not accept\n"
	       " %5$d  system error: /dev/fuse missing or not permitted, out of resources,\n"
	       "     a pidfile that cannot be written\n"
	       " %6$d  the server was not found, is not executable or is not a regular file\n"
	       " %7$d  the server exited or was killed before answering FUSE_INIT\n"
	       " %8$d  the server answered FUSE_INIT with an error\n"
	       " %9$d  the kernel refused the mount or one of its mount options\n"
	       " %10$d  the server did not answer FUSE_INIT within the timeout (or its paths\n"
	       "      did not answer: a hung FUSE mount on them)\n"
	       " %11$d  cancelled by a signal\n"
	       " %12$d  --unmount: the mount is busy (4: the server failed after the\n"
	       "     unmount; 7: it did not exit in time and was stopped)\n"
	       " %13$d --unmount: not a mount of fuselaunch\n"
	       "\n"
	       "For more details see fuselaunch(1).\n",
	       program_invocation_short_name, LAUNCH_DEFAULT_TIMEOUT_MS / 1000,
	       FL_EX_OK, FL_EX_USAGE, FL_EX_SYSTEM, FL_EX_SERVER_NOT_FOUND,
	       FL_EX_SERVER_FAILED, FL_EX_INIT_REFUSED, FL_EX_MOUNT_FAILED,
	       FL_EX_TIMEOUT, FL_EX_CANCELLED, FL_EX_BUSY, FL_EX_NOT_OURS,
	       launch_list_columns());
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

/* Append ITEM to the comma-separated list *LIST. */
static int join_list(char **list, const char *item)
{
	char *joined;

	if (!*list)
		joined = strdup(item);
	else if (asprintf(&joined, "%s,%s", *list, item) < 0)
		joined = NULL;
	if (!joined)
		return -ENOMEM;
	free(*list);
	*list = joined;
	return 0;
}

static void parse_args(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "mountpoint", required_argument, NULL, 'm' },
		{ "pidfile", required_argument, NULL, OPT_PIDFILE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-auto-unmount", no_argument, NULL, OPT_NO_AUTO_UNMOUNT },
		{ "stack", no_argument, NULL, OPT_STACK },
		{ "options", required_argument, NULL, 'o' },
		{ "timeout", required_argument, NULL, 't' },
		{ "sync-init", required_argument, NULL, OPT_SYNC_INIT },
		{ "mode", required_argument, NULL, OPT_MODE },
		{ "user", required_argument, NULL, OPT_USER },
		{ "drop-privileges", no_argument, NULL, OPT_DROP_PRIVILEGES },
		{ "preserve-env", required_argument, NULL, OPT_PRESERVE_ENV },
		{ "unmount", required_argument, NULL, 'u' },
		{ "lazy", no_argument, NULL, OPT_LAZY },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "raw", no_argument, NULL, OPT_RAW },
		{ "noheadings", no_argument, NULL, OPT_NOHEADINGS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	/* '+': everything from the server's name on belongs to the server. */
	while ((c = getopt_long(argc, argv, "+fm:o:t:u:vhV", longopts, NULL)) != -1) {
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
		case OPT_STACK:
			cli->stack = true;
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
		case OPT_PRESERVE_ENV:
			if (join_list(&cli->preserve_env, optarg) < 0) {
				log_error("out of memory for option '%s'", optarg);
				exit(FL_EX_SYSTEM);
			}
			break;
		case 'u':
			cli->unmount = optarg;
			break;
		case OPT_LAZY:
			cli->lazy = true;
			break;
		case OPT_LIST:
			cli->list = true;
			break;
		case OPT_JSON:
			cli->format.json = true;
			break;
		case OPT_OUTPUT:
			cli->format.columns = optarg;
			break;
		case OPT_RAW:
			cli->format.raw = true;
			break;
		case OPT_NOHEADINGS:
			cli->format.noheadings = true;
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'h':
			usage();
		case 'V':
			program_exit_version(FL_EX_OK);
		default:
			program_exit_try_help(FL_EX_USAGE);
		}
	}
	if (cli->foreground && cli->log)
		bad_usage("--log cannot be used with --foreground: there the server's output stays on %s's own",
			  program_invocation_short_name);
	if (cli->lazy && !cli->unmount)
		bad_usage("--lazy is for --unmount");
	if ((cli->format.columns || cli->format.raw || cli->format.noheadings) && !cli->list)
		bad_usage("--output, --raw and --noheadings are for --list");
	if (cli->format.json && (cli->foreground || cli->unmount))
		bad_usage("--json is for a launch in the background and for --list");
	if (cli->list) {
		if (optind < argc || cli->unmount)
			bad_usage("--list takes no server and no other action");
		return;
	}
	if (cli->unmount) {
		if (optind < argc)
			bad_usage("--unmount takes a mountpoint and no server");
		return;
	}
	if (optind >= argc)
		bad_usage("no server given");
	cli->server_argc = argc - optind;
	cli->server_argv = argv + optind;
}

static int build_launch(struct cli *cli, struct launch *l)
{
	int rc;

	if (cli->mode && server_mode_parse(cli->mode, &l->mode) < 0) {
		log_error("invalid --mode '%s': use auto, fd or watch", cli->mode);
		return FL_EX_USAGE;
	}
	if (cli->sync_init && launch_set_sync_init(l, cli->sync_init) < 0)
		return FL_EX_USAGE;
	l->auto_unmount = !cli->no_auto_unmount;
	l->stack = cli->stack;
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
	if (cli->preserve_env && server_identity_preserve_env(&l->identity, cli->preserve_env) < 0)
		return FL_EX_USAGE;
	if (mount_options_secure_defaults(&l->options, cli->user || geteuid() != 0) < 0)
		return FL_EX_USAGE;
	/* A server that mounts by itself is given no option: its command line
	 * is the user's.  Its mount gets the attributes afterwards. */
	if (l->mode == SERVER_MODE_WATCH && mount_options_check_watch(&l->options, geteuid() == 0) < 0)
		return FL_EX_USAGE;
	if (server_identity_check(&l->identity, "--user", "--drop-privileges") < 0)
		return FL_EX_USAGE;
	return FL_EX_OK;
}

static int report_outcome(const struct launch *l, const struct launch_status *status,
			  bool json)
{
	const char *misplaced;
	char message[1024];
	int code;

	launch_status_describe(status, l->server.name, l->server.mountpoint, l->timeout_ms,
			       message, sizeof(message));
	code = launch_status_exit_code(status);
	if (json)
		launch_report_json(stdout, status, code, message, l->server.mountpoint);
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
	int rc, code = 0;

	rc = launch_run_foreground(l, m, &status, &code);
	if (rc < 0)
		return FL_EX_SYSTEM;
	if (rc > 0)
		return report_outcome(l, &status, false);
	return code;
}

/* --unmount: -t bounds the wait for the server's exit. */
static int run_unmount(const struct cli *cli)
{
	struct unmount_request req = { .mountpoint = cli->unmount, .lazy = cli->lazy };
	struct launch l;
	int code = FL_EX_USAGE;

	launch_init(&l);
	if (!cli->timeout || launch_set_timeout(&l, cli->timeout) == 0) {
		req.timeout_ms = l.timeout_ms;
		code = unmount_run(&req);
	}
	launch_free(&l);
	return code;
}

/* Before main: a signal that cancels is ours to handle from the start. */
static void __attribute__((constructor)) block_cancel_signals(void)
{
	cancel_signals_block();
}

struct preparation {
	struct cli *cli;
	struct launch *launch;
	struct mounter **mounter;
};

static int prepare(void *arg)
{
	struct preparation *p = arg;
	int code;

	code = build_launch(p->cli, p->launch);
	if (code == FL_EX_OK)
		code = launch_prepare(p->launch, p->mounter);
	return code;
}

/* Finding the server, the mountpoint rule and pinning walk paths that may
 * cross a FUSE mount whose server does not answer: within -t, and a
 * signal ends them. */
static int prepare_within_timeout(struct cli *cli, struct launch *l, struct mounter **m)
{
	struct preparation p = { .cli = cli, .launch = l, .mounter = m };
	const char *slash = strrchr(cli->server_argv[0], '/');
	int rc;

	rc = launch_checks_within_timeout(prepare, &p, l->timeout_ms,
					  slash ? slash + 1 : cli->server_argv[0]);
	/* The checks may still be blocked, using P: no return from here. */
	if (rc == -ETIMEDOUT)
		_exit(FL_EX_TIMEOUT);
	if (rc == -ECANCELED)
		_exit(FL_EX_CANCELLED);
	return rc < 0 ? FL_EX_SYSTEM : rc;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct launch_status status;
	struct mounter *m = NULL;
	struct launch l;
	int code;

	descriptors_sanitize();
	program_check_stdout_at_exit(FL_EX_SYSTEM);
	parse_args(argc, argv, &cli);
	log_init(program_invocation_short_name, cli.verbose);
	sd_notify_take_socket();
	if (cli.unmount)
		return run_unmount(&cli);
	if (cli.list)
		return launch_list_print(&cli.format);
	launch_init(&l);
	if (cli.timeout && launch_set_timeout(&l, cli.timeout) < 0) {
		code = FL_EX_USAGE;
		goto out;
	}
	code = prepare_within_timeout(&cli, &l, &m);
	if (code == FL_EX_OK)
		code = launch_claim_mountpoint(&l, m);
	if (code != FL_EX_OK)
		goto out;
	log_step("launching %s on %s", l.server.path, l.server.mountpoint);
	if (cli.foreground) {
		code = run_foreground(&l, m);
		goto out;
	}
	if (!cli.verbose)
		status_line_enable(l.server.name, l.timeout_ms);
	if (launch_run(&l, m, &status) < 0) {
		code = FL_EX_SYSTEM;
		goto out;
	}
	code = report_outcome(&l, &status, cli.format.json);
	cli.format.json = false;
out:
	if (cli.format.json && code != FL_EX_OK)
		launch_report_json_refused(stdout, code, l.server.mountpoint);
	mounter_free(m);
	launch_free(&l);
	free(cli.options);
	free(cli.preserve_env);
	return code;
}
