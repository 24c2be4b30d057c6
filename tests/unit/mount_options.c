/* -o sorted with libmount into the kernel's parameters, the mount's
 * attributes, fstab-only words and (for mount.fuselaunch) the server's. */
#include "unit.h"

#include <linux/mount.h>

#include "mount_options.h"

/* Parse OPTSTR into a fresh *OPTS; what it printed comes back in *SAID. */
static int parse(const char *optstr, struct mount_options *opts, unsigned int flags,
		 const char **said)
{
	int rc;

	memset(opts, 0, sizeof(*opts));
	unit_capture_start();
	rc = mount_options_parse(optstr, opts, flags);
	*said = unit_capture_end();
	return rc;
}

static void sorting(void)
{
	struct mount_options o;
	const char *said;

	CHECK_INT(parse("allow_other,ro,noatime,_netdev,x-fuselaunch.timeout=5,max_read=4096",
			&o, 0, &said), 0, "kernel, VFS and fstab-only options parse");
	CHECK_STR(o.fs_params, "allow_other,max_read=4096", "fuse parameters go to the fs context");
	CHECK_INT(o.mount_attrs, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOATIME,
		  "ro and noatime become mount attributes");
	CHECK_STR(o.vfs, "ro,noatime", "VFS options are kept as given, for fusermount3");
	CHECK_STR(o.userspace, "_netdev,x-fuselaunch.timeout=5", "fstab-only words are set apart");
	CHECK_STR(o.server, NULL, "nothing for the server without MOUNT_OPTIONS_FOR_SERVER");
	CHECK_STR(said, "", "a good option string prints nothing");
	mount_options_free(&o);
	CHECK(!o.fs_params && !o.vfs && !o.userspace && !o.mount_attrs,
	      "mount_options_free() leaves the struct zeroed");

	CHECK_INT(parse("nosuid,nodev,noexec,nodiratime,nosymfollow", &o, 0, &said), 0,
		  "every attribute flag parses");
	CHECK_INT(o.mount_attrs, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
		  MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW, "each maps to its MOUNT_ATTR_*");
	CHECK_STR(o.fs_params, NULL, "attribute flags add no fs parameter");
	mount_options_free(&o);

	CHECK_INT(parse("strictatime", &o, 0, &said), 0, "strictatime parses");
	CHECK_INT(o.mount_attrs, MOUNT_ATTR_STRICTATIME, "strictatime is MOUNT_ATTR_STRICTATIME");
	mount_options_free(&o);
	CHECK_INT(parse("relatime", &o, 0, &said), 0, "relatime parses");
	CHECK_INT(o.mount_attrs, MOUNT_ATTR_RELATIME, "relatime is the default atime attribute");
	mount_options_free(&o);

	CHECK_INT(parse("lazytime,dirsync,sync", &o, 0, &said), 0, "superblock flags parse");
	CHECK_STR(o.fs_params, "sync,dirsync,lazytime", "superblock flags are fs parameters");
	CHECK_INT(o.mount_attrs, 0, "superblock flags are not mount attributes");
	mount_options_free(&o);

	CHECK_INT(parse("fsname=host:/data,subtype=sshfs,rootmode=040755,user_id=1000,group_id=100,"
			"blksize=4096,default_permissions", &o, 0, &said), 0,
		  "fsname, subtype and valued fuse parameters parse");
	CHECK_STR(o.fsname, "host:/data", "fsname= is the mount's source");
	CHECK_STR(o.subtype, "sshfs", "subtype= is the mount's subtype");
	CHECK_STR(o.fs_params, "rootmode=040755,user_id=1000,group_id=100,blksize=4096,"
		  "default_permissions", "fsname and subtype are not passed as parameters");
	mount_options_free(&o);

	CHECK_INT(parse("allow_other,cache=yes,ro,reconnect,_netdev", &o,
			MOUNT_OPTIONS_FOR_SERVER, &said), 0,
		  "with MOUNT_OPTIONS_FOR_SERVER unknown options are accepted");
	CHECK_STR(o.server, "cache=yes,reconnect", "unknown options go to the server, in order");
	CHECK_STR(o.fs_params, "allow_other", "the kernel's options stay the kernel's");
	CHECK_STR(o.userspace, "_netdev", "fstab-only words stay fstab's");
	mount_options_free(&o);
}

static void refusals(void)
{
	static const struct {
		const char *optstr;
		const char *message;
	} bad[] = {
		{ "bind", "mount option 'bind' is not supported for a FUSE mount" },
		{ "ro,remount", "mount option 'remount' is not supported for a FUSE mount" },
		{ "shared", "mount option 'shared' is not supported for a FUSE mount" },
		{ "max_read", "mount option 'max_read' needs a value" },
		{ "allow_other=1", "mount option 'allow_other' takes no value" },
		{ "max_read=12k", "mount option 'max_read=12k': not a decimal number" },
		{ "user_id=-1", "mount option 'user_id=-1': not a decimal number" },
		{ "cache=yes", "unknown mount option 'cache=yes' (options for the server" },
		{ "allow_others", "unknown mount option 'allow_others'" },
	};
	struct mount_options o;
	const char *said;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		CHECK_INT(parse(bad[i].optstr, &o, 0, &said), -EINVAL, "'%s' is refused",
			  bad[i].optstr);
		CHECK_HAS(said, bad[i].message, "'%s': the message names it", bad[i].optstr);
		mount_options_free(&o);
	}
}

static void append_and_merge(void)
{
	char *s = NULL;

	CHECK_INT(mount_options_append(&s, "ro"), 0, "append to nothing");
	CHECK_STR(s, "ro", "append to nothing gives the option");
	CHECK_INT(mount_options_append(&s, "max_read=4096"), 0, "append name=value");
	CHECK_STR(s, "ro,max_read=4096", "append name=value after a comma");
	CHECK_INT(mount_options_merge(&s, "max_read=1,x-a,ro,subtype=t"), 0, "merge");
	CHECK_STR(s, "ro,max_read=4096,x-a,subtype=t", "merge adds only the names missing");
	free(s);
	s = NULL;
	CHECK_INT(mount_options_merge(&s, "a,b=2"), 0, "merge into nothing");
	CHECK_STR(s, "a,b=2", "merge into nothing takes everything");
	free(s);
}

int main(void)
{
	sorting();
	refusals();
	append_and_merge();
	return unit_done();
}
