#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "log.h"
#include "mountpoint.h"
#include "privileges.h"

struct pin_call {
	const char *path;
	mode_t type;
	int fd;
};

/* An O_PATH open calls into no FUSE server (measured: it returns at once
 * on the root of a mount whose server does not answer), but the fstat
 * after it asks that server, and the walk to it may cross such a mount:
 * which is why both programs run these checks within a timeout
 * (launch_checks_within_timeout). */
static int open_pinned(void *arg)
{
	struct pin_call *c = arg;
	struct stat st;

	c->fd = open(c->path, O_PATH | O_CLOEXEC | (c->type == S_IFDIR ? O_DIRECTORY : 0));
	if (c->fd < 0)
		return -errno;
	/* A file only where the mountpoint rule found one, not one swapped
	 * in for the directory it checked. */
	if (fstat(c->fd, &st) == 0 && (st.st_mode & S_IFMT) == c->type)
		return 0;
	close(c->fd);
	c->fd = -1;
	return c->type == S_IFDIR ? -ENOTDIR : -EISDIR;
}

/* In a thread that has become the owner: the path walk and the check are
 * theirs. */
static int open_pinned_writable(void *arg)
{
	struct pin_call *c = arg;
	int rc;

	rc = open_pinned(c);
	if (rc == 0 && faccessat(c->fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) < 0) {
		rc = -errno;
		close(c->fd);
		c->fd = -1;
	}
	return rc;
}

int mountpoint_pin(struct mountpoint *mp, const char *path, mode_t type,
		   const struct server_identity *owner)
{
	struct pin_call call = { .path = path, .type = type, .fd = -1 };
	struct stat st;
	int rc;

	mp->path = path;
	rc = owner ? server_identity_call(owner, open_pinned_writable, &call) : open_pinned(&call);
	mp->fd = call.fd;
	if (rc < 0) {
		if (owner)
			log_error("mountpoint '%s': user '%s' may not mount there: %s", path,
				  owner->name, strerror(-rc));
		else
			log_error("mountpoint '%s': %s", path, strerror(-rc));
		return rc;
	}
	if (fstat(mp->fd, &st) < 0) {
		rc = -errno;
		log_error("mountpoint '%s': %s", path, strerror(-rc));
		mountpoint_release(mp);
		return rc;
	}
	mp->mode = st.st_mode;
	return 0;
}

void mountpoint_release(struct mountpoint *mp)
{
	if (mp->fd >= 0)
		close(mp->fd);
	mp->fd = -1;
}

bool mountpoint_is_autofs(const struct mountpoint *mp)
{
	struct statfs st;

	/* fstatfs() of an O_PATH descriptor walks no path: the automount is
	 * not triggered. */
	return mp->fd >= 0 && fstatfs(mp->fd, &st) == 0 && st.f_type == AUTOFS_SUPER_MAGIC;
}
