/* fuselaunch --list: the launches supervised here, one row each, as
 * findmnt and lsblk print theirs (libsmartcols: --json, --output, --raw,
 * --noheadings). */
#ifndef FUSELAUNCH_LAUNCH_LIST_H
#define FUSELAUNCH_LAUNCH_LIST_H

#include <stdbool.h>

struct launch_list_format {
	const char *columns;	/* --output, comma-separated; NULL: the default */
	bool json;
	bool raw;
	bool noheadings;
};

/* Print the list.  Returns the exit code (exit_codes.h), having said why
 * when it is not FL_EX_OK. */
int launch_list_print(const struct launch_list_format *f);

/* The column names, comma-separated, for --help. */
const char *launch_list_columns(void);

#endif
