#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "kernel_mount.h"
#include "libmount_lazy.h"
#include "log.h"
#include "privileges.h"

/* Linux 6.8: a mount id that is never reused; older headers lack it. */
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x00004000U
#endif

/* Collect what the kernel logged into the fs context ("e fuse: ...") after
 * BEFORE, the caller's own words. */
static void read_kernel_messages(int fsfd, const char *before, char *why, size_t whylen)
{
	size_t used;
	char msg[512];
	ssize_t n;

	used = (size_t)snprintf(why, whylen, "%s", before);
	while ((n = read(fsfd, msg, sizeof(msg) - 1)) > 0) {
		while (n > 0 && msg[n - 1] == '\n')
			n--;
		msg[n] = '\0';
		if (used >= whylen)
			continue;
		/* Each message is "e TEXT", "w TEXT" or "i TEXT". */
		used += (size_t)snprintf(why + used, whylen - used, "%s%s",
					 used ? ": " : "", n > 2 ? msg + 2 : msg);
	}
}

/* As set_param(), but a failure names the option as the user gave it. */
static int set_param_given_as(int fsfd, const char *name, const char *given, const char *value,
			      char *why, size_t whylen)
{
	char what[256];
	int rc;

	if (value)
		rc = fsconfig(fsfd, FSCONFIG_SET_STRING, name, value, 0);
	else
		rc = fsconfig(fsfd, FSCONFIG_SET_FLAG, name, NULL, 0);
	if (rc == 0)
		return 0;
	rc = -errno;
	snprintf(what, sizeof(what), "option '%s%s%s'", given, value ? "=" : "", value ? value : "");
	read_kernel_messages(fsfd, what, why, whylen);
	return rc;
}

static int set_param(int fsfd, const char *name, const char *value, char *why, size_t whylen)
{
	return set_param_given_as(fsfd, name, name, value, why, whylen);
}

static bool has_param(const char *fs_params, const char *name)
{
	return fs_params && sym_mnt_optstr_get_option(fs_params, name, NULL, NULL) == 0;
}

/* Parameters fuselaunch derives itself, unless the user gave them. */
static int set_default_params(int fsfd, const struct kernel_mount_params *p,
			      char *why, size_t whylen)
{
	char value[32];
	int rc;

	snprintf(value, sizeof(value), "%d", p->device_fd);
	rc = set_param(fsfd, "fd", value, why, whylen);
	if (rc == 0 && !has_param(p->fs_params, "rootmode")) {
		snprintf(value, sizeof(value), "%o", p->root_mode & S_IFMT);
		rc = set_param(fsfd, "rootmode", value, why, whylen);
	}
	if (rc == 0 && !has_param(p->fs_params, "user_id")) {
		snprintf(value, sizeof(value), "%u", (unsigned)p->user_id);
		rc = set_param(fsfd, "user_id", value, why, whylen);
	}
	if (rc == 0 && !has_param(p->fs_params, "group_id")) {
		snprintf(value, sizeof(value), "%u", (unsigned)p->group_id);
		rc = set_param(fsfd, "group_id", value, why, whylen);
	}
	if (rc == 0)
		rc = set_param_given_as(fsfd, "source", p->source_option ? p->source_option : "source",
					p->source, why, whylen);
	if (rc == 0)
		rc = set_param(fsfd, "subtype", p->subtype, why, whylen);
	return rc;
}

static int set_user_params(int fsfd, const char *fs_params, char *why, size_t whylen)
{
	char *p = (char *)fs_params, *name, *value;
	size_t namesz, valuesz;
	int rc = 0;

	while (rc == 0 && p && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		char *n = strndup(name, namesz);
		char *v = value ? strndup(value, valuesz) : NULL;

		if (!n || (value && !v))
			rc = -ENOMEM;
		else
			rc = set_param(fsfd, n, v, why, whylen);
		free(n);
		free(v);
	}
	return rc;
}

int kernel_mount_permitted(void)
{
	int fd = fsopen("fuse", FSOPEN_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int kernel_mount_open(int *fsfd)
{
	*fsfd = fsopen("fuse", FSOPEN_CLOEXEC);
	return *fsfd < 0 ? -errno : 0;
}

int kernel_mount_configure(int fsfd, const struct kernel_mount_params *params,
			   char *why, size_t whylen)
{
	int rc;

	/* Only options given by the user need libmount to be read. */
	if (params->fs_params) {
		rc = libmount_load();
		if (rc < 0)
			return rc;
	}
	rc = set_default_params(fsfd, params, why, whylen);
	if (rc == 0)
		rc = set_user_params(fsfd, params->fs_params, why, whylen);
	return rc;
}

int kernel_mount_create(int fsfd, bool lower_caps, char *why, size_t whylen)
{
	uint64_t saved = 0;
	int rc = 0;

	if (lower_caps && privileges_lower_for_mount(&saved) < 0)
		log_step("cannot lower capabilities for the mount: %s", strerror(errno));
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		rc = -errno;
		read_kernel_messages(fsfd, "", why, whylen);
	}
	if (lower_caps)
		privileges_restore(saved);
	return rc;
}

static struct {
	bool set;
	uid_t uid;
	gid_t gid;
} owner;

void kernel_mount_set_owner(uid_t uid, gid_t gid)
{
	owner.set = true;
	owner.uid = uid;
	owner.gid = gid;
}

struct statx_call {
	int fd;
	int flags;
	unsigned int mask;
	struct statx stx;
};

static int do_statx(void *arg)
{
	struct statx_call *c = arg;

	return statx(c->fd, "", AT_EMPTY_PATH | c->flags, c->mask, &c->stx) < 0 ? -errno : 0;
}

/* statx of FD itself, as the mounts' owner when they are someone else's. */
static int statx_as_owner(struct statx_call *c)
{
	if (owner.set && (owner.uid != geteuid() || owner.gid != getegid()))
		return privileges_call_as(owner.uid, owner.gid, do_statx, c);
	return do_statx(c);
}

int kernel_mount_id(int fd, uint64_t *mount_id)
{
	/* The id is the VFS's: nothing to ask a FUSE server, which may not
	 * answer. */
	struct statx_call c = {
		.fd = fd, .flags = AT_STATX_DONT_SYNC, .mask = STATX_MNT_ID_UNIQUE | STATX_MNT_ID,
	};
	int rc;

	rc = statx_as_owner(&c);
	if (rc < 0)
		return rc;
	if (!(c.stx.stx_mask & (STATX_MNT_ID_UNIQUE | STATX_MNT_ID)))
		return -EOPNOTSUPP;
	*mount_id = c.stx.stx_mnt_id;
	return 0;
}

int kernel_mount_attach(int fsfd, uint64_t attrs, int target_fd, int announce_fd,
			uint64_t *mount_id, int *mount_fd, char *why, size_t whylen)
{
	int mntfd, rc;

	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, attrs);
	if (mntfd < 0) {
		rc = -errno;
		read_kernel_messages(fsfd, "fsmount", why, whylen);
		return rc;
	}
	rc = kernel_mount_id(mntfd, mount_id);
	if (rc < 0) {
		snprintf(why, whylen, "statx of the new mount");
		goto out;
	}
	/* A pipe of 8-byte records: the write is whole or fails. */
	if (announce_fd >= 0)
		(void)!write(announce_fd, mount_id, sizeof(*mount_id));
	if (move_mount(mntfd, "", target_fd, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
		rc = -errno;
		snprintf(why, whylen, "move_mount");
	}
out:
	if (rc == 0 && mount_fd)
		*mount_fd = mntfd;
	else
		close(mntfd);
	return rc;
}

int kernel_mount_set_attributes(int mount_fd, uint64_t attrs, bool atime)
{
	struct mount_attr attr = { .attr_set = attrs };

	if (atime)
		attr.attr_clr = MOUNT_ATTR__ATIME;
	else
		attr.attr_set &= ~MOUNT_ATTR__ATIME;
	return mount_setattr(mount_fd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

int kernel_mount_probe(int mount_fd)
{
	struct statx_call c = {
		.fd = mount_fd, .flags = AT_STATX_FORCE_SYNC, .mask = STATX_BASIC_STATS,
	};

	return statx_as_owner(&c);
}

int kernel_mount_open_at(const char *mountpoint, int *fd, uint64_t *mount_id)
{
	int rc;

	/* A directory or a file (a mount on a regular file). */
	*fd = open(mountpoint, O_PATH | O_CLOEXEC);
	if (*fd < 0)
		return -errno;
	rc = kernel_mount_id(*fd, mount_id);
	if (rc < 0) {
		close(*fd);
		*fd = -1;
	}
	return rc;
}

int kernel_mount_check_at(const char *mountpoint, uint64_t mount_id, int *fd)
{
	uint64_t current;
	int checked, rc;

	rc = kernel_mount_open_at(mountpoint, &checked, &current);
	if (rc < 0)
		return rc;
	if (current != mount_id)
		rc = -ESTALE;
	if (rc == 0 && fd)
		*fd = checked;
	else
		close(checked);
	return rc;
}

int kernel_mount_unmount_at(const char *mountpoint, uint64_t mount_id, int flags)
{
	cleanup_free char *parent_path = strdup(mountpoint);
	cleanup_fd int parent = -1;
	char path[PATH_MAX + 64], *slash;
	const char *name;
	uint64_t current;
	int child, rc;

	if (!parent_path)
		return -ENOMEM;
	slash = strrchr(parent_path, '/');
	if (!slash || !slash[1] || !strcmp(slash + 1, ".") || !strcmp(slash + 1, ".."))
		return -EINVAL;
	*slash = '\0';
	name = mountpoint + (slash - parent_path) + 1;
	parent = open(slash == parent_path ? "/" : parent_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (parent < 0)
		return -errno;
	child = openat(parent, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (child < 0)
		return -errno;
	rc = kernel_mount_id(child, &current);
	close(child);
	if (rc < 0)
		return rc;
	if (current != mount_id)
		return -ESTALE;
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", parent, name);
	return umount2(path, flags | UMOUNT_NOFOLLOW) < 0 ? -errno : 0;
}

int kernel_mount_detach(const char *mountpoint, uint64_t mount_id)
{
	char path[64];
	int fd = -1, rc;

	rc = kernel_mount_check_at(mountpoint, mount_id, &fd);
	if (rc < 0)
		return rc;
	/* Through the descriptor, so the mount checked is the one unmounted. */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rc = umount2(path, MNT_DETACH) < 0 ? -errno : 0;
	close(fd);
	return rc;
}
