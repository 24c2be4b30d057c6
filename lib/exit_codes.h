/* Exit codes of fuselaunch, documented in fuselaunch(1) and README.md. */
#ifndef FUSELAUNCH_EXIT_CODES_H
#define FUSELAUNCH_EXIT_CODES_H

enum fuselaunch_exit {
	FL_EX_OK = 0,			/* mounted and answering */
	FL_EX_USAGE = 1,		/* bad command line, option or mountpoint */
	FL_EX_SYSTEM = 2,		/* environment or system: /dev/fuse, permissions, resources */
	FL_EX_SERVER_NOT_FOUND = 3,	/* server not found or not executable */
	FL_EX_SERVER_FAILED = 4,	/* server exited or was killed before answering INIT */
	FL_EX_INIT_REFUSED = 5,		/* server answered INIT with an error */
	FL_EX_MOUNT_FAILED = 6,		/* the kernel refused the mount */
	FL_EX_TIMEOUT = 7,		/* no answer to INIT within the timeout */
	FL_EX_CANCELLED = 8,		/* cancelled by a signal before the outcome */
	/* --unmount also returns FL_EX_SERVER_FAILED (the server exited
	 * non-zero or was killed after the unmount) and FL_EX_TIMEOUT (it did
	 * not exit in time and was stopped). */
	FL_EX_BUSY = 9,			/* --unmount: the mount is busy */
	FL_EX_NOT_OURS = 10,		/* --unmount: not a mount of fuselaunch */
};

#endif
