#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"
#include "log.h"
#include "pidfile.h"
#include "safe_file.h"

void launch_init(struct launch *l)
{
	memset(l, 0, sizeof(*l));
	l->timeout_ms = LAUNCH_DEFAULT_TIMEOUT_MS;
	l->auto_unmount = true;
	l->log_fd = -1;
}

/* SECONDS: a decimal number of seconds, millisecond resolution. */
int launch_set_timeout(struct launch *l, const char *seconds)
{
	double value;
	char *end;

	errno = 0;
	value = strtod(seconds, &end);
	if (errno || end == seconds || *end || !isfinite(value) || value < 0 ||
	    value > 30 * 86400) {
		log_error("invalid timeout '%s': give seconds, e.g. 30 or 0.5", seconds);
		return -EINVAL;
	}
	/* Rounded up, not to 0: a positive timeout must not mean "for ever". */
	l->timeout_ms = value > 0 && value < 0.001 ? 1 : (unsigned int)(value * 1000 + 0.5);
	return 0;
}

int launch_set_sync_init(struct launch *l, const char *mode)
{
	if (!strcmp(mode, "auto"))
		l->sync_init = SYNC_INIT_AUTO;
	else if (!strcmp(mode, "always"))
		l->sync_init = SYNC_INIT_ALWAYS;
	else if (!strcmp(mode, "never"))
		l->sync_init = SYNC_INIT_NEVER;
	else {
		log_error("invalid --sync-init mode '%s': use auto, always or never", mode);
		return -EINVAL;
	}
	return 0;
}

/* Opened before anything runs, so that a bad path is the caller's error. */
int launch_open_log(struct launch *l, const char *path)
{
	char why[PATH_MAX + 64];
	int fd, rc;

	rc = safe_file_open_append(path, 0640, &fd, why, sizeof(why));
	if (rc < 0) {
		log_error("log file '%s': %s", path, why);
		return rc;
	}
	if (l->log_fd >= 0)
		close(l->log_fd);
	l->log_fd = fd;
	return 0;
}

int launch_set_pidfile(struct launch *l, const char *path)
{
	char why[PATH_MAX + 64];
	int rc;

	free(l->pidfile);
	l->pidfile = NULL;
	rc = pidfile_absolute(path, &l->pidfile);
	if (rc < 0)
		log_error("pidfile '%s': %s", path, strerror(-rc));
	else if ((rc = safe_file_check_parent(l->pidfile, why, sizeof(why))) < 0)
		log_error("pidfile '%s': %s", l->pidfile, why);
	return rc;
}

int launch_set_user(struct launch *l, const char *user)
{
	server_identity_free(&l->identity);
	return server_identity_set_user(&l->identity, user);
}

void launch_choose_mode(struct launch *l)
{
	char why[PATH_MAX + 64];

	if (l->mode != SERVER_MODE_AUTO)
		return;
	l->mode = server_mode_choose(l->server.path, why, sizeof(why));
	log_step("mode: %s", why);
}

void launch_free(struct launch *l)
{
	if (l->log_fd >= 0)
		close(l->log_fd);
	free(l->pidfile);
	server_identity_free(&l->identity);
	server_command_free(&l->server);
	mount_options_free(&l->options);
}
