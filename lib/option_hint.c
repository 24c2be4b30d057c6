#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "common.h"
#include "option_hint.h"

/* fuselaunch(1)'s options but -o, -h and -V, which servers take too. */
static const char *const own_options[] = {
	"-f", "-m", "-t", "-v", "--foreground", "--mountpoint", "--timeout", "--mode",
	"--sync-init", "--pidfile", "--log", "--no-auto-unmount", "--user",
	"--drop-privileges", "--verbose",
};

static bool is_own_option(const char *arg)
{
	size_t i, len = strcspn(arg, "=");

	for (i = 0; i < ARRAY_SIZE(own_options); i++)
		if (strlen(own_options[i]) == len && !strncmp(arg, own_options[i], len))
			return true;
	return false;
}

const char *option_hint_misplaced(int argc, char *const argv[])
{
	int i;

	for (i = 1; i < argc; i++)
		if (is_own_option(argv[i]))
			return argv[i];
	return NULL;
}
