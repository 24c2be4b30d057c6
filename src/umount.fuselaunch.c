/*
 * umount.fuselaunch - umount(8) helper: unmount a mount that
 * mount.fuselaunch made and return only once its server has exited.
 * mount.fuselaunch records helper=fuselaunch in utab, which makes
 * umount(8) run this program.
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

#include "exit_codes.h"
#include "launch.h"
#include "log.h"
#include "mount_helper.h"
#include "program.h"
#include "unmount.h"

static void __attribute__((noreturn)) usage(void)
{
	printf("Usage:\n"
	       " %1$s MOUNTPOINT [-flnrv] [-N NAMESPACE] [-t TYPE]\n"
	       "\n"
	       "Unmount helper for umount(8): unmounts a mount that mount.fuselaunch made\n"
	       "and returns only once its server has exited (SIGTERM after %2$u s, SIGKILL\n"
	       "2 s later).\n"
	       "\n"
	       "Options:\n"
	       " -l            detach the mount even while it is busy, and still wait\n"
	       " -f, -n, -r    accepted for umount(8)\n"
	       " -t TYPE       accepted for umount(8)\n"
	       " -N NAMESPACE  unmount in the mount namespace at this path\n"
	       " -v            print each step with its time\n"
	       " -h, --help    display this help\n"
	       " -V, --version display the version and the licence\n"
	       "\n"
	       "Exit status (as umount(8)):\n"
	       " %3$d  unmounted, and the server exited with status 0\n"
	       " %4$d  bad command line\n"
	       " %5$d  system error\n"
	       " %6$d  the mount is busy, is not fuselaunch's, or its server failed or\n"
	       "     did not exit in time\n"
	       "\n"
	       "For more details see mount.fuselaunch(8).\n",
	       program_invocation_short_name, LAUNCH_DEFAULT_TIMEOUT_MS / 1000,
	       MNT_EX_SUCCESS, MNT_EX_USAGE, MNT_EX_SYSERR, MNT_EX_FAIL);
	exit(MNT_EX_SUCCESS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct unmount_request req = {
		.timeout_ms = LAUNCH_DEFAULT_TIMEOUT_MS,
		.unsupervised_too = true,
	};
	const char *namespace = NULL;
	bool verbose = false;
	int c;

	program_check_stdout_at_exit(MNT_EX_SYSERR);
	while ((c = getopt_long(argc, argv, "flnrvt:N:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			req.lazy = true;
			break;
		case 'f':
		case 'n':
		case 'r':
		case 't':
			break;
		case 'v':
			verbose = true;
			break;
		case 'N':
			namespace = optarg;
			break;
		case 'h':
			usage();
		case 'V':
			program_exit_version(MNT_EX_SUCCESS);
		default:
			program_exit_try_help(MNT_EX_USAGE);
		}
	}
	log_init(program_invocation_short_name, verbose);
	if (argc - optind != 1) {
		log_error("MOUNTPOINT is needed, and nothing else");
		program_exit_try_help(MNT_EX_USAGE);
	}
	req.mountpoint = argv[optind];
	if (namespace && mount_helper_enter_namespace(namespace) < 0)
		return MNT_EX_SYSERR;
	return mount_helper_exit_code(unmount_run(&req));
}
