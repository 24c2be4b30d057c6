#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "common.h"
#include "libmount_lazy.h"
#include "log.h"
#include "mount_options.h"

/* VFS flags that become attributes of the mount made by fsmount(). */
static const struct {
	unsigned long ms_flag;
	uint64_t attr;
} vfs_attrs[] = {
	{ MS_RDONLY, MOUNT_ATTR_RDONLY },
	{ MS_NOSUID, MOUNT_ATTR_NOSUID },
	{ MS_NODEV, MOUNT_ATTR_NODEV },
	{ MS_NOEXEC, MOUNT_ATTR_NOEXEC },
	{ MS_NODIRATIME, MOUNT_ATTR_NODIRATIME },
	{ MS_NOSYMFOLLOW, MOUNT_ATTR_NOSYMFOLLOW },
};

/* VFS flags that belong to the superblock: fs-context flag parameters. */
static const struct {
	unsigned long ms_flag;
	const char *param;
} vfs_sb_flags[] = {
	{ MS_SYNCHRONOUS, "sync" },
	{ MS_DIRSYNC, "dirsync" },
	{ MS_LAZYTIME, "lazytime" },
};

#define ATIME_FLAGS (MS_NOATIME | MS_RELATIME | MS_STRICTATIME)

/* The fuse file system's own parameters, checked here so that a typo gets a
 * message naming it rather than the kernel's EINVAL. */
static const struct {
	const char *name;
	bool takes_value;
} fuse_params[] = {
	{ "allow_other", false },
	{ "default_permissions", false },
	{ "max_read", true },
	{ "blksize", true },
	{ "rootmode", true },
	{ "user_id", true },
	{ "group_id", true },
};

static unsigned long supported_ms_flags(void)
{
	unsigned long flags = ATIME_FLAGS;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vfs_attrs); i++)
		flags |= vfs_attrs[i].ms_flag;
	for (i = 0; i < ARRAY_SIZE(vfs_sb_flags); i++)
		flags |= vfs_sb_flags[i].ms_flag;
	return flags;
}

/* The words mount_options_secure_defaults() adds; NULL: none. */
static const char *secure_words(const struct mount_options *opts)
{
	if (!opts->suid && !opts->dev)
		return "nosuid,nodev";
	if (!opts->suid)
		return "nosuid";
	return opts->dev ? NULL : "nodev";
}

/* By hand, not with libmount: every launch comes here, and libmount is
 * loaded only when options are given (libmount_lazy.h). */
static int add_secure_words(char **optstr, const struct mount_options *opts)
{
	const char *words = secure_words(opts);
	char *joined;

	if (!words)
		return 0;
	if (!*optstr || !**optstr)
		joined = strdup(words);
	else if (asprintf(&joined, "%s,%s", *optstr, words) < 0)
		joined = NULL;
	if (!joined)
		return -ENOMEM;
	free(*optstr);
	*optstr = joined;
	return 0;
}

int mount_options_secure_defaults(struct mount_options *opts, bool forced)
{
	if (forced && (opts->suid || opts->dev)) {
		log_error("mount option '%s' is refused: the server runs as another user, or the caller is not root",
			  opts->suid ? "suid" : "dev");
		return -EPERM;
	}
	if (!opts->suid)
		opts->mount_attrs |= MOUNT_ATTR_NOSUID;
	if (!opts->dev)
		opts->mount_attrs |= MOUNT_ATTR_NODEV;
	return add_secure_words(&opts->vfs, opts);
}

/* The first option of OPTSTR for which KEEP is false, into NAME. */
static bool first_lost(const char *optstr, bool (*keep)(const char *name, size_t len),
		       char *name_out, size_t size)
{
	char *p = (char *)optstr, *name, *value;
	size_t namesz, valuesz;

	while (p && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		if (keep(name, namesz))
			continue;
		snprintf(name_out, size, "%.*s",
			 (int)(value ? (size_t)(value - name) + valuesz : namesz), name);
		return true;
	}
	return false;
}

static bool keep_none(const char *name, size_t len)
{
	(void)name;
	(void)len;
	return false;
}

/* What a caller who is not root gets anyway: fusermount3 forces nosuid
 * and nodev, and rw is every mount's default. */
static bool forced_for_users(const char *name, size_t len)
{
	return (len == 2 && !strncmp(name, "rw", 2)) || (len == 6 && !strncmp(name, "nosuid", 6)) ||
	       (len == 5 && !strncmp(name, "nodev", 5));
}

int mount_options_check_watch(const struct mount_options *opts, bool root)
{
	char lost[256] = "";

	if (opts->fsname)
		snprintf(lost, sizeof(lost), "fsname=%s", opts->fsname);
	else if (opts->subtype)
		snprintf(lost, sizeof(lost), "subtype=%s", opts->subtype);
	else if (opts->fs_params)
		first_lost(opts->fs_params, keep_none, lost, sizeof(lost));
	else if (!root && opts->vfs)
		first_lost(opts->vfs, forced_for_users, lost, sizeof(lost));
	if (!*lost)
		return 0;
	log_error("mount option '%s' cannot be applied to a mount the server makes itself (--mode=watch)%s: give it in the server's own arguments",
		  lost, root ? "" : " by a caller who is not root");
	return -EINVAL;
}

int mount_options_append(char **optstr, const char *option)
{
	const char *eq = strchr(option, '=');
	char *name;
	int rc;

	rc = libmount_load();
	if (rc < 0)
		return rc;
	if (!eq)
		return sym_mnt_optstr_append_option(optstr, option, NULL) ? -ENOMEM : 0;
	name = strndup(option, eq - option);
	if (!name)
		return -ENOMEM;
	rc = sym_mnt_optstr_append_option(optstr, name, eq + 1) ? -ENOMEM : 0;
	free(name);
	return rc;
}

int mount_options_merge(char **optstr, const char *more)
{
	char *p = (char *)more, *name, *value;
	size_t namesz, valuesz;
	int rc;

	rc = libmount_load();
	while (rc == 0 && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		char *n = strndup(name, namesz);
		char *v = value ? strndup(value, valuesz) : NULL;

		if (!n || (value && !v))
			rc = -ENOMEM;
		else if (!*optstr || sym_mnt_optstr_get_option(*optstr, n, NULL, NULL) != 0)
			rc = sym_mnt_optstr_append_option(optstr, n, v) ? -ENOMEM : 0;
		free(n);
		free(v);
	}
	return rc;
}

/* Reject VFS options that make no sense for a new FUSE mount (bind, remount,
 * propagation flags, ...), naming the first one found. */
static int check_vfs_options(const char *vfs, const struct libmnt_optmap *map)
{
	unsigned long supported = supported_ms_flags();
	char *p = (char *)vfs, *name, *value;
	size_t namesz, valuesz;

	while (sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		char *one = strndup(name, value ? (size_t)(value - name) + valuesz : namesz);
		unsigned long flags = 0;

		if (!one)
			return -ENOMEM;
		sym_mnt_optstr_get_flags(one, &flags, map);
		if (flags & ~supported) {
			log_error("mount option '%s' is not supported for a FUSE mount", one);
			free(one);
			return -EINVAL;
		}
		free(one);
	}
	return 0;
}

static int parse_vfs_options(const char *vfs, struct mount_options *opts)
{
	const struct libmnt_optmap *map = sym_mnt_get_builtin_optmap(MNT_LINUX_MAP);
	unsigned long flags = 0;
	size_t i;
	int rc;

	rc = check_vfs_options(vfs, map);
	if (rc < 0)
		return rc;
	if (sym_mnt_optstr_get_flags(vfs, &flags, map) < 0)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(vfs_attrs); i++)
		if (flags & vfs_attrs[i].ms_flag)
			opts->mount_attrs |= vfs_attrs[i].attr;
	/* Asked for by name: their absence alone means the defaults. */
	opts->suid = !(flags & MS_NOSUID) && sym_mnt_optstr_get_option(vfs, "suid", NULL, NULL) == 0;
	opts->dev = !(flags & MS_NODEV) && sym_mnt_optstr_get_option(vfs, "dev", NULL, NULL) == 0;
	opts->atime = flags & ATIME_FLAGS;
	if (flags & MS_NOATIME)
		opts->mount_attrs |= MOUNT_ATTR_NOATIME;
	else if (flags & MS_STRICTATIME)
		opts->mount_attrs |= MOUNT_ATTR_STRICTATIME;
	for (i = 0; i < ARRAY_SIZE(vfs_sb_flags); i++)
		if (flags & vfs_sb_flags[i].ms_flag &&
		    sym_mnt_optstr_append_option(&opts->fs_params, vfs_sb_flags[i].param, NULL))
			return -ENOMEM;
	return 0;
}

static bool is_decimal(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return len > 0;
}

static int set_string(char **dst, const char *value, size_t len)
{
	free(*dst);
	*dst = strndup(value, len);
	return *dst ? 0 : -ENOMEM;
}

/* One fs option: a fuse parameter, or fsname=/subtype= which fuselaunch
 * applies itself as the mount's source and subtype. */
static int parse_fs_option(const char *name, size_t namesz, const char *value,
			   size_t valuesz, struct mount_options *opts, unsigned int flags)
{
	size_t i;

	if (namesz == 6 && !strncmp(name, "fsname", 6) && value)
		return set_string(&opts->fsname, value, valuesz);
	if (namesz == 7 && !strncmp(name, "subtype", 7) && value)
		return set_string(&opts->subtype, value, valuesz);
	for (i = 0; i < ARRAY_SIZE(fuse_params); i++) {
		const char *known = fuse_params[i].name;
		char *pname;
		int rc;

		if (strlen(known) != namesz || strncmp(name, known, namesz))
			continue;
		if (fuse_params[i].takes_value && !value) {
			log_error("mount option '%s' needs a value", known);
			return -EINVAL;
		}
		if (!fuse_params[i].takes_value && value) {
			log_error("mount option '%s' takes no value", known);
			return -EINVAL;
		}
		if (value && strcmp(known, "rootmode") && !is_decimal(value, valuesz)) {
			log_error("mount option '%s=%.*s': not a decimal number",
				  known, (int)valuesz, value);
			return -EINVAL;
		}
		pname = strndup(name, namesz);
		if (!pname)
			return -ENOMEM;
		rc = 0;
		if (value) {
			char *pvalue = strndup(value, valuesz);

			if (!pvalue || sym_mnt_optstr_append_option(&opts->fs_params, pname, pvalue))
				rc = -ENOMEM;
			free(pvalue);
		} else if (sym_mnt_optstr_append_option(&opts->fs_params, pname, NULL)) {
			rc = -ENOMEM;
		}
		free(pname);
		return rc;
	}
	if (flags & MOUNT_OPTIONS_FOR_SERVER) {
		char *option = strndup(name, value ? (size_t)(value - name) + valuesz : namesz);
		int rc = option ? mount_options_append(&opts->server, option) : -ENOMEM;

		free(option);
		return rc;
	}
	log_error("unknown mount option '%.*s' (options for the server go in its own arguments)",
		  (int)(value ? (size_t)(value - name) + valuesz : namesz), name);
	return -EINVAL;
}

int mount_options_parse(const char *optstr, struct mount_options *opts, unsigned int flags)
{
	char *user = NULL, *vfs = NULL, *fs = NULL;
	char *p, *name, *value;
	size_t namesz, valuesz;
	int rc;

	rc = libmount_load();
	if (rc < 0)
		goto out;
	if (sym_mnt_split_optstr(optstr, &user, &vfs, &fs, 0, 0) < 0) {
		log_error("cannot parse mount options '%s'", optstr);
		rc = -EINVAL;
		goto out;
	}
	if (user && sym_mnt_optstr_append_option(&opts->userspace, user, NULL)) {
		rc = -ENOMEM;
		goto out;
	}
	rc = vfs ? parse_vfs_options(vfs, opts) : 0;
	if (rc == 0 && vfs && sym_mnt_optstr_append_option(&opts->vfs, vfs, NULL))
		rc = -ENOMEM;
	if (rc < 0)
		goto out;
	p = fs;
	while (p && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		rc = parse_fs_option(name, namesz, value, valuesz, opts, flags);
		if (rc < 0)
			goto out;
	}
	rc = 0;
out:
	free(user);
	free(vfs);
	free(fs);
	return rc;
}

void mount_options_free(struct mount_options *opts)
{
	free(opts->fs_params);
	free(opts->vfs);
	free(opts->fsname);
	free(opts->subtype);
	free(opts->userspace);
	free(opts->server);
	memset(opts, 0, sizeof(*opts));
}
