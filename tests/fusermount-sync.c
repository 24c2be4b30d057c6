/*
 * fusermount-sync - a stand-in for a fusermount3 that has --sync-init, for
 * the tests: Debian 12's fusermount3 (3.14) lacks it.  Installed setuid
 * root in a test's directory under the name fusermount3, it speaks the
 * protocol as ../shared/DESIGN.md describes it:
 *
 *   fusermount3 --sync-init [-o OPTS] -- MOUNTPOINT, with _FUSE_COMMFD set:
 *   check the mountpoint, open /dev/fuse, send the fd (SCM_RIGHTS, one
 *   byte), wait for one byte (EOF: exit without mounting), mount with the
 *   new mount API (blocking until INIT is answered), reply with an int32:
 *   0 or -errno.
 *
 * Everything else is handed to the real /usr/bin/fusermount3.
 *
 * FUSERMOUNT_SYNC_REFUSAL_DELAY_MS=N: after a refused INIT, sleep N ms
 * before replying, as a fusermount3 whose teardown is slow would.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define REAL_FUSERMOUNT "/usr/bin/fusermount3"

struct mount_request {
	int fsfd;
	uint64_t attrs;
	char source[512];
	char subtype[512];
};

static int send_fd(int sock, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	char byte = 0;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static bool user_allow_other(void)
{
	char line[256];
	FILE *f = fopen("/etc/fuse.conf", "re");
	bool allowed = false;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "user_allow_other", 16))
			allowed = true;
	if (f)
		fclose(f);
	return allowed;
}

/* One option, unescaped: the mount's or an error, as fusermount3 says it. */
static int apply_option(struct mount_request *r, const char *opt)
{
	static const struct {
		const char *name;
		uint64_t attr;
	} attrs[] = {
		{ "ro", MOUNT_ATTR_RDONLY }, { "nosuid", MOUNT_ATTR_NOSUID },
		{ "nodev", MOUNT_ATTR_NODEV }, { "noexec", MOUNT_ATTR_NOEXEC },
		{ "noatime", MOUNT_ATTR_NOATIME },
	};
	const char *eq = strchr(opt, '=');
	size_t i;

	if (!strncmp(opt, "fsname=", 7)) {
		snprintf(r->source, sizeof(r->source), "%s", opt + 7);
		return 0;
	}
	if (!strncmp(opt, "subtype=", 8)) {
		snprintf(r->subtype, sizeof(r->subtype), "%s", opt + 8);
		return 0;
	}
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
		if (!strcmp(opt, attrs[i].name)) {
			r->attrs |= attrs[i].attr;
			return 0;
		}
	if (!strcmp(opt, "rw"))
		return 0;
	if (!strcmp(opt, "allow_other") && getuid() != 0 && !user_allow_other()) {
		fprintf(stderr, "fusermount3: option allow_other only allowed if 'user_allow_other' is set in /etc/fuse.conf\n");
		return -EPERM;
	}
	if (!strcmp(opt, "allow_other") || !strcmp(opt, "default_permissions"))
		return fsconfig(r->fsfd, FSCONFIG_SET_FLAG, opt, NULL, 0) < 0 ? -errno : 0;
	if (eq && (!strncmp(opt, "max_read=", 9) || !strncmp(opt, "blksize=", 8))) {
		char name[16];

		snprintf(name, sizeof(name), "%.*s", (int)(eq - opt), opt);
		return fsconfig(r->fsfd, FSCONFIG_SET_STRING, name, eq + 1, 0) < 0 ? -errno : 0;
	}
	fprintf(stderr, "fusermount3: unknown option '%s'\n", opt);
	return -EINVAL;
}

static int apply_options(struct mount_request *r, const char *opts)
{
	char opt[512];
	size_t len = 0;
	int rc;

	for (;; opts++) {
		if (*opts == '\\' && opts[1]) {
			opts++;
		} else if (*opts == ',' || !*opts) {
			opt[len] = '\0';
			rc = len ? apply_option(r, opt) : 0;
			if (rc < 0 || !*opts)
				return rc;
			len = 0;
			continue;
		}
		if (len < sizeof(opt) - 1)
			opt[len++] = *opts;
	}
}

static int mount_fuse(int device_fd, const char *mountpoint, const char *opts)
{
	struct mount_request r = { .fsfd = -1 };
	char value[32];
	int mntfd, rc;

	snprintf(r.source, sizeof(r.source), "fuse");
	r.fsfd = fsopen("fuse", FSOPEN_CLOEXEC);
	if (r.fsfd < 0)
		return -errno;
	snprintf(value, sizeof(value), "%d", device_fd);
	rc = fsconfig(r.fsfd, FSCONFIG_SET_STRING, "fd", value, 0);
	if (rc == 0)
		rc = fsconfig(r.fsfd, FSCONFIG_SET_STRING, "rootmode", "40000", 0);
	snprintf(value, sizeof(value), "%u", (unsigned int)getuid());
	if (rc == 0)
		rc = fsconfig(r.fsfd, FSCONFIG_SET_STRING, "user_id", value, 0);
	snprintf(value, sizeof(value), "%u", (unsigned int)getgid());
	if (rc == 0)
		rc = fsconfig(r.fsfd, FSCONFIG_SET_STRING, "group_id", value, 0);
	if (rc < 0)
		return -errno;
	rc = opts ? apply_options(&r, opts) : 0;
	if (rc < 0)
		return rc;
	if (fsconfig(r.fsfd, FSCONFIG_SET_STRING, "source", r.source, 0) < 0 ||
	    (r.subtype[0] && fsconfig(r.fsfd, FSCONFIG_SET_STRING, "subtype", r.subtype, 0) < 0))
		return -errno;
	/* Blocks until the server has answered FUSE_INIT. */
	if (fsconfig(r.fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	mntfd = fsmount(r.fsfd, FSMOUNT_CLOEXEC, r.attrs | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (mntfd < 0)
		return -errno;
	if (move_mount(mntfd, "", AT_FDCWD, mountpoint, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

int main(int argc, char **argv)
{
	const char *opts = NULL, *mountpoint = NULL, *commfd = getenv("_FUSE_COMMFD");
	int i, sock, device_fd;
	int32_t reply;
	struct stat st;
	char go;

	if (argc < 2 || strcmp(argv[1], "--sync-init")) {
		argv[0] = REAL_FUSERMOUNT;
		execv(REAL_FUSERMOUNT, argv);
		perror("fusermount3: " REAL_FUSERMOUNT);
		return 1;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "-o") && i + 1 < argc)
			opts = argv[++i];
		else if (!strcmp(argv[i], "--") && i + 1 < argc)
			mountpoint = argv[++i];
	}
	if (!mountpoint || !commfd) {
		fprintf(stderr, "fusermount3: usage: --sync-init [-o OPTS] -- MOUNTPOINT, with _FUSE_COMMFD\n");
		return 1;
	}
	sock = atoi(commfd);
	if (stat(mountpoint, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    (getuid() != 0 && st.st_uid != getuid())) {
		fprintf(stderr, "fusermount3: user has no write access to mountpoint %s\n", mountpoint);
		return 1;
	}
	device_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (device_fd < 0) {
		fprintf(stderr, "fusermount3: failed to open /dev/fuse: %m\n");
		return 1;
	}
	if (send_fd(sock, device_fd) < 0) {
		fprintf(stderr, "fusermount3: sending file descriptor: %m\n");
		return 1;
	}
	if (read(sock, &go, 1) != 1)
		return 0;
	reply = mount_fuse(device_fd, mountpoint, opts);
	if (reply == -ENOTCONN && getenv("FUSERMOUNT_SYNC_REFUSAL_DELAY_MS")) {
		long ms = atol(getenv("FUSERMOUNT_SYNC_REFUSAL_DELAY_MS"));
		struct timespec delay = { ms / 1000, (ms % 1000) * 1000000L };

		while (nanosleep(&delay, &delay) < 0 && errno == EINTR)
			;
	}
	if (reply < 0 && reply != -EPERM && reply != -EINVAL)
		fprintf(stderr, "fusermount3: mount failed: %s\n", strerror(-reply));
	return write(sock, &reply, sizeof(reply)) == sizeof(reply) ? 0 : 1;
}
