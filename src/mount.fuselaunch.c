/*
 * mount.fuselaunch - mount(8) helper: launch a FUSE server from /etc/fstab
 * and report success only once its file system answers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmount.h>

#include "descriptors.h"
#include "cancel_signals.h"
#include "exit_codes.h"
#include "launch.h"
#include "libmount_lazy.h"
#include "log.h"
#include "mount_helper.h"
#include "mount_options.h"
#include "mounter.h"
#include "program.h"
#include "sd_notify.h"

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s SOURCE MOUNTPOINT [-sfnrvw] [-o OPTIONS] [-t fuselaunch.TYPE]\n"
	       " %1$s TYPE#SOURCE MOUNTPOINT [options]\n"
	       "\n"
	       "Mount helper for mount(8) and /etc/fstab: runs the FUSE server TYPE as\n"
	       "\"TYPE SOURCE /dev/fd/N -o SERVER-OPTIONS\" and succeeds only once its file\n"
	       "system is mounted and answering.\n"
	       "\n"
	       "Options:\n"
	       " -o OPTIONS    kernel mount options, fuselaunch.* launcher options and\n"
	       "                 options for the server, sorted as mount.fuselaunch(8) says\n"
	       " -t TYPE       fuselaunch.TYPE names the server\n"
	       " -r, -w        mount read-only, read-write\n"
	       " -n            do not record the mount in utab\n"
	       " -f            check everything, mount nothing\n"
	       " -s            accepted for mount(8); every option is sorted anyway\n"
	       " -N NAMESPACE  mount in the mount namespace at this path\n"
	       " -v            print each step with its time\n"
	       " -h, --help    display this help\n"
	       " -V, --version display the version and the licence\n"
	       "\n"
	       "Exit status (as mount(8)):\n"
	       " %2$d  mounted and answering\n"
	       " %3$d  bad command line or options\n"
	       " %4$d  system error\n"
	       " %5$d  internal error\n"
	       " %6$d  cancelled by a signal\n"
	       " %7$d  utab could not be updated (the file system is mounted)\n"
	       " %8$d  the mount failed: no such server, the server failed or refused,\n"
	       "     the kernel refused, or the timeout passed\n"
	       "\n"
	       "For more details see mount.fuselaunch(8).\n",
	       program_invocation_short_name, MNT_EX_SUCCESS, MNT_EX_USAGE, MNT_EX_SYSERR,
	       MNT_EX_SOFTWARE, MNT_EX_USER, MNT_EX_FILEIO, MNT_EX_FAIL);
	exit(MNT_EX_SUCCESS);
}

static void __attribute__((noreturn)) bad_usage(const char *what)
{
	log_error("%s", what);
	program_exit_try_help(MNT_EX_USAGE);
}

struct cli {
	struct mount_helper helper;
	const char *namespace;
	bool fake;
	bool verbose;
};

static void add_option(struct cli *cli, const char *option)
{
	if (mount_options_append(&cli->helper.options, option) < 0) {
		log_error("out of memory for option '%s'", option);
		exit(MNT_EX_SYSERR);
	}
}

/* mount(8) puts SOURCE and MOUNTPOINT first, options after them. */
static void parse_args(int argc, char **argv, struct cli *cli)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	cli->helper.program = argv[0];
	while ((c = getopt_long(argc, argv, "sfnrvwo:t:N:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			break;
		case 'f':
			cli->fake = true;
			break;
		case 'n':
			cli->helper.no_utab = true;
			break;
		case 'r':
			add_option(cli, "ro");
			break;
		case 'w':
			add_option(cli, "rw");
			break;
		case 'v':
			cli->verbose = true;
			break;
		case 'o':
			add_option(cli, optarg);
			break;
		case 't':
			cli->helper.type = optarg;
			break;
		case 'N':
			cli->namespace = optarg;
			break;
		case 'h':
			usage();
		case 'V':
			program_exit_version(MNT_EX_SUCCESS);
		default:
			program_exit_try_help(MNT_EX_USAGE);
		}
	}
	if (argc - optind != 2)
		bad_usage("SOURCE and MOUNTPOINT are needed, and nothing else");
	cli->helper.source = argv[optind];
	cli->helper.target = argv[optind + 1];
}

/* Before main: a signal that cancels is ours to handle from the start. */
static void __attribute__((constructor)) block_cancel_signals(void)
{
	cancel_signals_block();
}

/* What mount_helper_split_type or mount_helper_prepare returned, as an
 * exit code. */
static int prepare_exit_code(int rc)
{
	return rc == 0 ? MNT_EX_SUCCESS :
	       rc == -ENOENT || rc == -EACCES ? MNT_EX_FAIL :
	       rc == -ENOMEM || rc == -EIO ? MNT_EX_SYSERR : MNT_EX_USAGE;
}

struct preparation {
	struct mount_helper *helper;
	struct launch *launch;
	struct mounter **mounter;
};

static int prepare(void *arg)
{
	struct preparation *p = arg;
	int rc;

	rc = mount_helper_prepare(p->helper, p->launch);
	if (rc < 0)
		return prepare_exit_code(rc);
	return mount_helper_exit_code(launch_prepare(p->launch, p->mounter));
}

/* Reading fstab (entries matched by canonical path), finding the server
 * and pinning the mountpoint walk paths that may cross a FUSE mount whose
 * server does not answer: within the default timeout, since
 * x-fuselaunch.timeout is known only once they are under way, and a
 * signal ends them. */
static int prepare_within_timeout(struct mount_helper *h, struct launch *l, struct mounter **m)
{
	struct preparation p = { .helper = h, .launch = l, .mounter = m };
	int rc;

	rc = launch_checks_within_timeout(prepare, &p, LAUNCH_DEFAULT_TIMEOUT_MS, h->server_type);
	/* The checks may still be blocked, using P: no return from here. */
	if (rc == -ETIMEDOUT)
		_exit(MNT_EX_FAIL);
	if (rc == -ECANCELED)
		_exit(MNT_EX_USER);
	return rc < 0 ? MNT_EX_SYSERR : rc;
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct launch_status status;
	struct mounter *m = NULL;
	struct launch l;
	char message[1024];
	int code;

	descriptors_sanitize();
	program_check_stdout_at_exit(MNT_EX_SYSERR);
	/* Every step below reads options or tables with libmount. */
	if (libmount_load() < 0)
		return MNT_EX_SYSERR;
	parse_args(argc, argv, &cli);
	log_init(program_invocation_short_name, cli.verbose);
	sd_notify_take_socket();
	launch_init(&l);
	if (cli.namespace && mount_helper_enter_namespace(cli.namespace) < 0) {
		code = MNT_EX_SYSERR;
		goto out;
	}
	code = prepare_exit_code(mount_helper_split_type(&cli.helper));
	if (code == MNT_EX_SUCCESS)
		code = prepare_within_timeout(&cli.helper, &l, &m);
	if (code != MNT_EX_SUCCESS)
		goto out;
	l.in_utab = !cli.helper.no_utab;
	if (cli.fake) {
		code = MNT_EX_SUCCESS;
		goto out;
	}
	code = mount_helper_exit_code(launch_claim_mountpoint(&l, m));
	if (code != MNT_EX_SUCCESS)
		goto out;
	log_step("launching %s on %s", l.server.path, l.server.mountpoint);
	if (launch_run(&l, m, &status) < 0) {
		code = MNT_EX_SYSERR;
		goto out;
	}
	launch_status_describe(&status, l.server.name, l.server.mountpoint, l.timeout_ms,
			       message, sizeof(message));
	code = mount_helper_exit_code(launch_status_exit_code(&status));
	if (code != MNT_EX_SUCCESS) {
		log_error("%s", message);
		goto out;
	}
	log_step("%s", message);
	if (mount_helper_record_utab(&cli.helper, &l, status.mount_id) < 0)
		code = MNT_EX_FILEIO;
out:
	mounter_free(m);
	launch_free(&l);
	mount_helper_free(&cli.helper);
	return code;
}
