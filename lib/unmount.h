/* fuselaunch --unmount and umount.fuselaunch: unmount a mount that
 * fuselaunch supervises and return only once its server has exited,
 * saying how it ended. */
#ifndef FUSELAUNCH_UNMOUNT_H
#define FUSELAUNCH_UNMOUNT_H

#include <stdbool.h>

struct unmount_request {
	const char *mountpoint;
	bool lazy;			/* detach (MNT_DETACH), and still wait */
	unsigned int timeout_ms;	/* for the server to exit; 0: for ever */
	bool unsupervised_too;		/* umount(8)'s helper: a mount whose
					 * supervisor is gone is unmounted
					 * without waiting */
};

/* Unmount, wait, and print one line when it is not a plain success.
 * Returns the exit code (exit_codes.h): FL_EX_OK once the server exited
 * with status 0; FL_EX_BUSY, FL_EX_NOT_OURS, FL_EX_SERVER_FAILED (it
 * exited non-zero or was killed), FL_EX_TIMEOUT (it was stopped), or
 * FL_EX_USAGE, FL_EX_SYSTEM. */
int unmount_run(const struct unmount_request *req);

#endif
