/* mount.fuselaunch's pure parts: the server's type and source, options
 * sorted into kernel, launcher (x-fuselaunch.*), server and fstab-only
 * ones, launcher options read again from fstab, and the user/users rule.
 * fstab is a file of ours ($LIBMOUNT_FSTAB); nothing is mounted. */
#include "unit.h"

#include <linux/mount.h>

#include "kernel_mount.h"
#include "launch.h"
#include "libmount_lazy.h"
#include "mount_helper.h"
#include "mountpoint.h"

static char *top, *fstab_path, *mnt, *mnt_user, *mnt_root;

static void fixtures(void)
{
	char *tests = unit_path(unit_builddir(), "tests"), *text, *real;

	top = unit_tmpdir();
	real = realpath(top, NULL);
	if (!real)
		unit_bail("realpath");
	free(top);
	top = real;
	mnt = unit_mkdir(top, "mnt");
	mnt_user = unit_mkdir(top, "mnt-user");
	mnt_root = unit_mkdir(top, "mnt-root");
	if (asprintf(&text,
		     "# an fstab for mount_helper's unit test\n"
		     "data %s fuselaunch.testfs user,x-fuselaunch.timeout=7,x-fuselaunch.mode=watch 0 0\n"
		     "data %s fuselaunch.testfs x-fuselaunch.timeout=8 0 0\n",
		     mnt_user, mnt_root) < 0)
		unit_bail("asprintf");
	fstab_path = unit_write_file(top, "fstab", text, 0644);
	/* testfs is the server type "testfs", found in PATH as mount(8)'s
	 * helpers find servers. */
	if (setenv("LIBMOUNT_FSTAB", fstab_path, 1) < 0 || setenv("PATH", tests, 1) < 0)
		unit_bail("setenv");
	free(text);
	free(tests);
}

struct run {
	struct mount_helper h;
	struct launch l;
	const char *said;
	int rc;
};

/* mount.fuselaunch SOURCE TARGET [-t TYPE] [-o OPTIONS], prepared. */
static void prepare(struct run *r, const char *source, const char *target, const char *type,
		    const char *options)
{
	memset(&r->h, 0, sizeof(r->h));
	launch_init(&r->l);
	r->h.program = "/sbin/mount.fuselaunch";
	r->h.source = source;
	r->h.target = target;
	r->h.type = type;
	r->h.options = options ? strdup(options) : NULL;
	unit_capture_start();
	r->rc = mount_helper_split_type(&r->h);
	if (r->rc == 0)
		r->rc = mount_helper_prepare(&r->h, &r->l);
	r->said = unit_capture_end();
}

static void done(struct run *r)
{
	mount_helper_free(&r->h);
	launch_free(&r->l);
}

/* Root's helper takes the option NAME; a user's refuses it, by its name. */
static void check_root_only(const struct run *r, const char *name)
{
	char said[256];

	snprintf(said, sizeof(said),
		 "mount option '%s' needs root: the server of a user's mount runs as that user", name);
	if (kernel_mount_permitted() != -EPERM) {
		CHECK_INT(r->rc, 0, "%s: root's helper takes it", name);
	} else {
		CHECK_INT(r->rc, -EINVAL, "%s needs root", name);
		CHECK_HAS(r->said, said, "the message names the fstab option %s", name);
	}
}

static void types(void)
{
	static const struct {
		const char *source, *type, *message;
	} bad[] = {
		{ "data", "ext4", "file system type 'ext4' is not fuselaunch.TYPE" },
		{ "data", NULL, "no server type for 'data'" },
		{ "data", "fuselaunch", "no server type for 'data'" },
		{ "../bin/sh#data", NULL, "invalid server type '../bin/sh'" },
		{ "#data", NULL, "invalid server type ''" },
		{ "data", "fuselaunch.", "invalid server type ''" },
		{ "testfs#", NULL, "empty source for server type 'testfs'" },
		{ "data", "fuselaunch.nosuchserver", "server 'nosuchserver' not found in PATH" },
	};
	struct run r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		prepare(&r, bad[i].source, mnt, bad[i].type, NULL);
		CHECK(r.rc < 0, "source '%s', type '%s': refused", bad[i].source,
		      bad[i].type ? bad[i].type : "(none)");
		CHECK_HAS(r.said, bad[i].message, "source '%s', type '%s': the message says why",
			  bad[i].source, bad[i].type ? bad[i].type : "(none)");
		done(&r);
	}

	prepare(&r, "testfs#host:/data", mnt, "fuselaunch", NULL);
	CHECK_INT(r.rc, 0, "TYPE#SOURCE with -t fuselaunch");
	CHECK_STR(r.h.server_type, "testfs", "the type is before '#'");
	CHECK_STR(r.h.server_source, "host:/data", "the source is after it");
	CHECK_STR(r.l.options.subtype, "testfs", "the subtype is the server type");
	CHECK_STR(r.l.server.name, "testfs", "the server is run by its type's name");
	CHECK_STR(r.l.server.mountpoint, mnt, "the mountpoint is the target");
	CHECK_INT(r.l.server.mountpoint_index, 2, "argv is TYPE SOURCE MOUNTPOINT");
	CHECK_STR(r.h.argv[1], "host:/data", "argv[1] is the source");
	CHECK_STR(r.h.argv[3], NULL, "and no -o without options");
	CHECK_INT(r.l.mode, SERVER_MODE_FD, "auto mode picked fd for testfs");
	{
		struct mountpoint mp;

		CHECK_INT(mountpoint_pin(&mp, r.l.server.mountpoint, r.l.server.mountpoint_type, NULL), 0,
			  "the mountpoint can be pinned");
		CHECK(S_ISDIR(mp.mode), "a directory");
		mountpoint_release(&mp);
	}
	done(&r);

	prepare(&r, "a#b", mnt, "fuselaunch.testfs", NULL);
	CHECK_INT(r.rc, 0, "-t fuselaunch.TYPE wins over a '#' in the source");
	CHECK_STR(r.h.server_source, "a#b", "the source is kept whole");
	done(&r);

	memset(&r.h, 0, sizeof(r.h));
	launch_init(&r.l);
	r.h.program = "mount.fuselaunch.testfs";
	r.h.source = "data";
	r.h.target = mnt;
	unit_capture_start();
	r.rc = mount_helper_split_type(&r.h);
	if (r.rc == 0)
		r.rc = mount_helper_prepare(&r.h, &r.l);
	r.said = unit_capture_end();
	CHECK_INT(r.rc, 0, "run as mount.fuselaunch.TYPE");
	CHECK_STR(r.h.server_type, "testfs", "the type is from the program's name");
	done(&r);
}

static void options(void)
{
	struct run r;

	prepare(&r, "data", mnt, "fuselaunch.testfs",
		"ro,allow_other,cache=yes,_netdev,x-fuselaunch.timeout=2.5,subtype=mine");
	CHECK_INT(r.rc, 0, "kernel, server, fstab-only and launcher options");
	CHECK_STR(r.l.options.fs_params, "allow_other", "the kernel's parameters");
	CHECK_INT(r.l.options.mount_attrs, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
		  "the mount's attributes: nosuid and nodev unless asked otherwise");
	CHECK_STR(r.l.options.server, "cache=yes", "the server's options");
	CHECK_STR(r.l.options.subtype, "mine", "subtype= beats the server type");
	CHECK_INT(r.l.timeout_ms, 2500, "x-fuselaunch.timeout= sets the timeout");
	CHECK_STR(r.h.argv[3], "-o", "the server gets -o");
	CHECK_STR(r.h.argv[4], "cache=yes", "with only its own options");
	CHECK_STR(r.h.argv[5], NULL, "and nothing after");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs",
		"ro,allow_other,cache=yes,_netdev,x-fuselaunch.mode=watch");
	CHECK_INT(r.rc, 0, "x-fuselaunch.mode=watch");
	CHECK_INT(r.l.mode, SERVER_MODE_WATCH, "sets watch mode");
	/* Root sets ro, nosuid and nodev on its mount; a user cannot. */
	CHECK_STR(r.h.argv[4], geteuid() == 0 ? "allow_other,cache=yes" : "ro,allow_other,cache=yes",
		  "a server that mounts itself gets the options it must apply, none added");
	done(&r);

	/* mount(8) passes "-o rw" for every entry, even one with none. */
	prepare(&r, "data", mnt, "fuselaunch.testfs", "rw,x-fuselaunch.mode=watch");
	CHECK_INT(r.rc, 0, "watch mode, no option in fstab");
	CHECK_STR(r.h.argv[3], NULL, "the server's command line is TYPE SOURCE MOUNTPOINT, no -o");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "sync,noexec,x-fuselaunch.mode=watch");
	CHECK_INT(r.rc, 0, "watch mode, a superblock flag");
	CHECK_STR(r.h.argv[4], geteuid() == 0 ? "sync" : "sync,noexec",
		  "the server gets what nothing can set on its mount afterwards");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "x-fuselaunch.no-auto-unmount,x-fuselaunch.sync-init=never");
	CHECK_INT(r.rc, 0, "x-fuselaunch.no-auto-unmount and sync-init=never");
	CHECK(!r.l.auto_unmount, "no-auto-unmount clears auto_unmount");
	CHECK_INT(r.l.sync_init, SYNC_INIT_NEVER, "sync-init=never");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs",
		"ro,fuselaunch.timeout=3,cache=yes,fuselaunch.mode=watch,_netdev");
	CHECK_INT(r.rc, 0, "fuselaunch.* without x-, as mount(8) passes them on");
	CHECK_INT(r.l.timeout_ms, 3000, "fuselaunch.timeout= sets the timeout");
	CHECK_INT(r.l.mode, SERVER_MODE_WATCH, "fuselaunch.mode= sets the mode");
	CHECK_STR(r.h.argv[4], geteuid() == 0 ? "cache=yes" : "ro,cache=yes",
		  "and neither reaches the server, nor nosuid and nodev");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "fuselaunch.colour=blue");
	CHECK_INT(r.rc, -EINVAL, "an unknown fuselaunch.* option");
	CHECK_HAS(r.said, "unknown option 'fuselaunch.colour=blue'", "is named");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "x-fuselaunch.mode=fuse");
	CHECK_INT(r.rc, -EINVAL, "a bad x-fuselaunch.mode");
	CHECK_HAS(r.said, "invalid option 'x-fuselaunch.mode=fuse'", "is named");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "x-fuselaunch.timeout=soon");
	CHECK_INT(r.rc, -EINVAL, "a bad x-fuselaunch.timeout");
	CHECK_HAS(r.said, "invalid timeout 'soon'", "is named");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "x-fuselaunch.bogus=1");
	CHECK_INT(r.rc, -EINVAL, "an unknown x-fuselaunch option");
	CHECK_HAS(r.said, "unknown option 'x-fuselaunch.bogus=1'", "is named");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "x-fuselaunch.timeout");
	CHECK_INT(r.rc, -EINVAL, "x-fuselaunch.timeout without a value");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "bind");
	CHECK_INT(r.rc, -EINVAL, "a VFS option no FUSE mount takes");
	CHECK_HAS(r.said, "mount option 'bind' is not supported", "is named");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "setuid=");
	CHECK_INT(r.rc, -EINVAL, "setuid= without a user");
	CHECK_HAS(r.said, "mount option 'setuid' needs a user", "the message says so");
	done(&r);

	/* Only a helper that may mount through the kernel itself (root) can
	 * run the server as another user or as root without capabilities: a
	 * user's helper mounts through fusermount3 and its server runs as the
	 * user, so these options would promise what the launch cannot keep. */
	prepare(&r, "data", mnt, "fuselaunch.testfs", "drop_privileges,cache=yes");
	CHECK(r.l.identity.drop_privileges, "drop_privileges is the launcher's");
	CHECK_STR(r.l.options.server, "cache=yes", "and is not passed to the server");
	check_root_only(&r, "drop_privileges");
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", "setuid=nobody");
	CHECK(r.l.identity.switch_user, "setuid= is the launcher's");
	check_root_only(&r, "setuid");
	done(&r);

	{
		char *nope = unit_path(top, "nope");

		prepare(&r, "data", nope, "fuselaunch.testfs", NULL);
		CHECK_INT(r.rc, -ENOENT, "a missing target");
		CHECK_HAS(r.said, "nope': No such file or directory", "is named");
		done(&r);
		free(nope);
	}
}

static void fstab(void)
{
	struct run r;

	/* Debian 12's libmount takes $LIBMOUNT_FSTAB from root only. */
	if (libmount_load() < 0 || strcmp(sym_mnt_get_fstab_path(), fstab_path)) {
		unit_skip("launcher options and the user/users rule, from fstab",
			  "libmount ignores $LIBMOUNT_FSTAB for this user");
		return;
	}

	prepare(&r, "data", mnt_user, "fuselaunch.testfs", "user");
	CHECK_INT(r.rc, 0, "an fstab entry with 'user'");
	CHECK_INT(r.l.timeout_ms, 7000, "its x-fuselaunch.timeout is read from fstab");
	CHECK_INT(r.l.mode, SERVER_MODE_WATCH, "and its x-fuselaunch.mode");
	CHECK_STR(r.h.fstab_userspace, "user,x-fuselaunch.timeout=7,x-fuselaunch.mode=watch",
		  "fstab's userspace options are kept");
	done(&r);

	prepare(&r, "data", mnt_user, "fuselaunch.testfs", "x-fuselaunch.timeout=9");
	CHECK_INT(r.rc, 0, "a launcher option both in fstab and given");
	CHECK_INT(r.l.timeout_ms, 9000, "the given one wins");
	done(&r);

	prepare(&r, "/elsewhere", mnt_user, "fuselaunch.testfs", NULL);
	CHECK_INT(r.l.timeout_ms, 7000, "another source: the entry for the target is used");
	done(&r);

	prepare(&r, "data", mnt_root, "fuselaunch.testfs", NULL);
	if (geteuid() == 0) {
		CHECK_INT(r.rc, 0, "root mounts an entry without 'user'");
		CHECK_INT(r.l.timeout_ms, 8000, "with its fstab options");
	} else {
		CHECK_INT(r.rc, -EPERM, "a user may not mount an entry without 'user' or 'users'");
		CHECK_HAS(r.said, "only root can mount data on", "the message says so");
		CHECK_HAS(r.said, "has neither 'user' nor 'users'", "and why");
	}
	done(&r);

	prepare(&r, "data", mnt, "fuselaunch.testfs", NULL);
	CHECK_INT(r.rc, 0, "a target not in fstab is anyone's to try");
	CHECK(!r.h.in_fstab, "it is not in fstab");
	CHECK_INT(r.l.timeout_ms, LAUNCH_DEFAULT_TIMEOUT_MS, "and keeps the default timeout");
	done(&r);
}

int main(void)
{
	fixtures();
	types();
	options();
	fstab();
	free(mnt);
	free(mnt_user);
	free(mnt_root);
	free(fstab_path);
	unit_rmtree(top);
	return unit_done();
}
