/* --json: the outcome of a launch as one JSON object, for tools that
 * would otherwise parse messages.  Its names are --list --json's. */
#ifndef FUSELAUNCH_LAUNCH_REPORT_H
#define FUSELAUNCH_LAUNCH_REPORT_H

#include <stdio.h>

#include "launch_status.h"

/* Write the object for STATUS (exit code CODE, MESSAGE) of a launch on
 * MOUNTPOINT to OUT, on one line. */
void launch_report_json(FILE *out, const struct launch_status *status, int code,
			const char *message, const char *mountpoint);

/* The same for a request refused before anything started (exit code
 * CODE; its reason went to stderr); MOUNTPOINT may be NULL. */
void launch_report_json_refused(FILE *out, int code, const char *mountpoint);

#endif
