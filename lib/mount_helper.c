#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "exit_codes.h"
#include "kernel_mount.h"
#include "libmount_lazy.h"
#include "log.h"
#include "mount_helper.h"
#include "mount_options.h"
#include "mount_watch.h"
#include "network_server.h"
#include "utab.h"

/* Launcher options: x-fuselaunch.* in fstab only (mount(8) keeps x-*
 * from helpers), fuselaunch.* from anywhere mount(8) takes options. */
#define LAUNCHER_PREFIX "x-fuselaunch."
#define MOUNT_LAUNCHER_PREFIX MOUNT_HELPER_TYPE "."

/* TYPE from "-t fuselaunch.TYPE", from our name "mount.fuselaunch.TYPE",
 * or from "TYPE#SOURCE" (the older fstab form, as mount.fuse3 has it). */
int mount_helper_split_type(struct mount_helper *h)
{
	const char *prefix = MOUNT_HELPER_TYPE ".", *named = MOUNT_HELPER_NAME ".";
	const char *name = strrchr(h->program, '/');
	const char *hash = strchr(h->source, '#');
	const char *type = NULL;

	name = name ? name + 1 : h->program;
	if (h->type && strcmp(h->type, MOUNT_HELPER_TYPE)) {
		if (strncmp(h->type, prefix, strlen(prefix))) {
			log_error("file system type '%s' is not fuselaunch.TYPE", h->type);
			return -EINVAL;
		}
		type = h->type + strlen(prefix);
	} else if (!strncmp(name, named, strlen(named))) {
		type = name + strlen(named);
	}
	if (type) {
		h->server_type = strdup(type);
		h->server_source = strdup(h->source);
	} else if (hash) {
		h->server_type = strndup(h->source, hash - h->source);
		h->server_source = strdup(hash + 1);
	} else {
		log_error("no server type for '%s': use -t fuselaunch.TYPE or TYPE#SOURCE", h->source);
		return -EINVAL;
	}
	if (!h->server_type || !h->server_source)
		return -ENOMEM;
	if (!*h->server_type || strchr(h->server_type, '/')) {
		log_error("invalid server type '%s'", h->server_type);
		return -EINVAL;
	}
	if (!*h->server_source) {
		log_error("empty source for server type '%s'", h->server_type);
		return -EINVAL;
	}
	return 0;
}

/* Launcher options from fstab: mount(8) keeps x-* options from helpers,
 * so the entry it mounted is read again here: the one with this source
 * and target, else (mount(8) may have made the source a canonical path)
 * the last one for this target, as mount(8) picks it.  Paths are
 * compared canonical (a cache makes libmount resolve both sides), so a
 * symbolic link in fstab or on the command line names the same entry.
 * No fstab is an empty one; one that cannot be read is an error, since
 * what it says (root's entries, x-fuselaunch.*) must not be skipped. */
static int fstab_userspace_options(struct mount_helper *h)
{
	struct libmnt_table *fstab = sym_mnt_new_table();
	struct libmnt_cache *cache = sym_mnt_new_cache();
	struct libmnt_fs *fs;
	int rc = 0;

	if (!fstab || !cache) {
		rc = -ENOMEM;
		goto out;
	}
	sym_mnt_table_set_cache(fstab, cache);
	rc = sym_mnt_table_parse_fstab(fstab, NULL);
	if (rc == -ENOENT) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		log_error("cannot read %s: %s", sym_mnt_get_fstab_path(), strerror(-rc));
		rc = -EIO;
		goto out;
	}
	fs = sym_mnt_table_find_pair(fstab, h->source, h->target, MNT_ITER_BACKWARD);
	if (!fs)
		fs = sym_mnt_table_find_target(fstab, h->target, MNT_ITER_BACKWARD);
	h->in_fstab = fs != NULL;
	if (fs && sym_mnt_fs_get_user_options(fs))
		rc = mount_options_append(&h->fstab_userspace, sym_mnt_fs_get_user_options(fs));
out:
	sym_mnt_unref_table(fstab);
	sym_mnt_unref_cache(cache);
	return rc;
}

/* mount(8) checks that fstab lets a user mount an entry, but since
 * util-linux 2.35, when it does not, it drops its privileges and runs the
 * helper all the same (for FUSE, whose fusermount3 has rules of its own).
 * What fstab reserves for root stays root's: a user mounts an entry only
 * with 'user' or 'users' there.  What fstab lacks is fusermount3's to
 * judge, as for fuselaunch(1). */
static int check_user_may_mount(const struct mount_helper *h)
{
	const char *options = h->fstab_userspace;

	if (geteuid() == 0 || !h->in_fstab)
		return 0;
	if (options && (sym_mnt_optstr_get_option(options, "user", NULL, NULL) == 0 ||
			sym_mnt_optstr_get_option(options, "users", NULL, NULL) == 0))
		return 0;
	log_error("only root can mount %s on %s: its entry in %s has neither 'user' nor 'users'",
		  h->source, h->target, sym_mnt_get_fstab_path());
	return -EPERM;
}

static int set_launcher_option(struct launch *l, const char *prefix, const char *name,
			       const char *value)
{
	if (value && !strcmp(name, "mode")) {
		if (server_mode_parse(value, &l->mode) == 0)
			return 0;
		log_error("invalid option '%s%s=%s': use auto, fd or watch", prefix, name, value);
		return -EINVAL;
	}
	if (!strcmp(name, "no-auto-unmount") && !value) {
		l->auto_unmount = false;
		return 0;
	}
	if (!strcmp(name, "stack") && !value) {
		l->stack = true;
		return 0;
	}
	if (value && !strcmp(name, "timeout"))
		return launch_set_timeout(l, value);
	if (value && !strcmp(name, "sync-init"))
		return launch_set_sync_init(l, value);
	if (value && !strcmp(name, "log"))
		return launch_open_log(l, value);
	if (value && !strcmp(name, "pidfile"))
		return launch_set_pidfile(l, value);
	if (value && !strcmp(name, "preserve-env"))
		return server_identity_preserve_env(&l->identity, value);
	log_error("unknown option '%s%s%s%s'", prefix, name, value ? "=" : "", value ? value : "");
	return -EINVAL;
}

/* One option of an option string, if it is PREFIX.NAME[=VALUE]: applied,
 * and *TAKEN set. */
static int apply_launcher_option(struct launch *l, const char *prefix, const char *name,
				 size_t namesz, const char *value, size_t valuesz, bool *taken)
{
	char *n, *v = NULL;
	int rc;

	*taken = namesz > strlen(prefix) && !strncmp(name, prefix, strlen(prefix));
	if (!*taken)
		return 0;
	n = strndup(name + strlen(prefix), namesz - strlen(prefix));
	if (value)
		v = strndup(value, valuesz);
	rc = !n || (value && !v) ? -ENOMEM : set_launcher_option(l, prefix, n, v);
	free(n);
	free(v);
	return rc;
}

/* An fstab entry of a network file system without _netdev is mounted
 * before the network is up, and a failure there is one of local-fs.target:
 * said, not refused. */
static void warn_without_netdev(const struct mount_helper *h, const struct launch *l)
{
	const char *lists[] = { h->fstab_userspace, l->options.userspace };
	size_t i;

	if (!h->in_fstab || !network_server_is_known(h->server_type))
		return;
	for (i = 0; i < ARRAY_SIZE(lists); i++)
		if (lists[i] && sym_mnt_optstr_get_option(lists[i], "_netdev", NULL, NULL) == 0)
			return;
	log_error("warning: %s is a network file system: add _netdev to its entry in %s, or systemd mounts it before the network is up",
		  h->server_type, sym_mnt_get_fstab_path());
}

/* x-fuselaunch.* are ours; every other userspace option (_netdev, nofail,
 * x-systemd.*, ...) is for fstab, mount(8) and utab, never for the kernel
 * or the server. */
static int apply_launcher_options(struct launch *l, const char *userspace)
{
	char *p = (char *)userspace, *name, *value;
	size_t namesz, valuesz;
	bool taken;
	int rc = 0;

	while (rc == 0 && p && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0)
		rc = apply_launcher_option(l, LAUNCHER_PREFIX, name, namesz, value, valuesz, &taken);
	return rc;
}

/* fuselaunch.* in -o: the launcher's options as they reach us from fstab,
 * a .mount unit's Options= and mount -o alike (mount(8) passes helpers
 * every option but x-*).  Applied, and taken out of the rest. */
static int take_launcher_options(struct mount_helper *h, struct launch *l)
{
	char *p = h->options, *name, *value, *rest = NULL;
	size_t namesz, valuesz;
	int rc = 0;

	while (rc == 0 && p && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		char *option;
		bool taken;

		rc = apply_launcher_option(l, MOUNT_LAUNCHER_PREFIX, name, namesz, value, valuesz,
					   &taken);
		if (rc < 0 || taken)
			continue;
		option = strndup(name, value ? (size_t)(value - name) + valuesz : namesz);
		rc = option ? mount_options_append(&rest, option) : -ENOMEM;
		free(option);
	}
	if (rc == 0) {
		free(h->options);
		h->options = rest;
		rest = NULL;
	}
	free(rest);
	return rc;
}

/* What a server that mounts by itself must apply itself, since nothing can
 * set it on its mount afterwards: the superblock's flags, and (for a
 * caller who is not root, who can set no attribute) every VFS option but
 * the defaults fusermount3 forces. */
static bool server_applies(const char *name, size_t len, bool root)
{
	static const char *const superblock[] = { "sync", "dirsync", "lazytime" };
	static const char *const forced[] = { "rw", "nosuid", "nodev" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(superblock); i++)
		if (strlen(superblock[i]) == len && !strncmp(name, superblock[i], len))
			return true;
	if (root)
		return false;
	for (i = 0; i < ARRAY_SIZE(forced); i++)
		if (strlen(forced[i]) == len && !strncmp(name, forced[i], len))
			return false;
	return true;
}

/* A server that mounts by itself (--mode=watch) gets, as mount.fuse3's
 * servers do, the options it must apply itself: the fuse ones and its
 * own, and of the VFS ones only those (server_applies()).  Root sets the
 * mount's attributes, nosuid and nodev among them, on exactly the mount
 * proven the server's (mounter_server_mounts.c); the server is never
 * given an option fstab did not have. */
static int watch_options(const struct mount_helper *h, const struct launch *l, char **optstr)
{
	char *p = l->options.vfs, *name, *value, *fs = NULL;
	bool root = geteuid() == 0;
	size_t namesz, valuesz;
	int rc = 0;

	while (rc == 0 && p && sym_mnt_optstr_next_option(&p, &name, &namesz, &value, &valuesz) == 0) {
		char *word;

		if (!server_applies(name, namesz, root))
			continue;
		word = strndup(name, value ? (size_t)(value - name) + valuesz : namesz);
		rc = word ? mount_options_append(optstr, word) : -ENOMEM;
		free(word);
	}
	if (rc < 0 || !h->options)
		return rc;
	if (sym_mnt_split_optstr(h->options, NULL, NULL, &fs, 0, 0) < 0)
		rc = -EINVAL;
	if (rc == 0 && fs)
		rc = mount_options_append(optstr, fs);
	free(fs);
	return rc;
}

static int build_argv(struct mount_helper *h, struct launch *l)
{
	int argc = 0, rc;

	h->argv[argc++] = h->server_type;
	h->argv[argc++] = h->server_source;
	h->argv[argc++] = (char *)h->target;
	h->argv[argc] = NULL;
	if (server_command_resolve(&l->server, argc, h->argv) < 0)
		return -ENOENT;
	launch_choose_mode(l);
	if (l->mode == SERVER_MODE_WATCH) {
		rc = watch_options(h, l, &h->server_options);
		if (rc < 0)
			return rc;
	} else if (l->options.server && !(h->server_options = strdup(l->options.server))) {
		return -ENOMEM;
	}
	if (h->server_options) {
		h->argv[argc++] = "-o";
		h->argv[argc++] = h->server_options;
		h->argv[argc] = NULL;
		l->server.argc = argc;
	}
	return server_command_use_mountpoint(&l->server, 2);
}

/* mount.fuse3's own words, as libfuse 3 takes them, once sorted.
 * allow_root is allow_other for the kernel, and the server lets only root
 * and the mount's owner in (libfuse: -o allow_root sets deny_others); a
 * server that mounts by itself does both, given allow_root alone.
 * auto_unmount is what the supervisor does anyway: accepted, and kept
 * from the server. */
static int take_fuse3_options(struct mount_helper *h, struct launch *l)
{
	const char *server = l->options.server, *kernel = l->options.fs_params;

	if (server && sym_mnt_optstr_get_option(server, "auto_unmount", NULL, NULL) == 0) {
		sym_mnt_optstr_remove_option(&l->options.server, "auto_unmount");
		sym_mnt_optstr_remove_option(&h->options, "auto_unmount");
		l->auto_unmount = true;
		if (!*l->options.server) {
			free(l->options.server);
			l->options.server = NULL;
		}
		server = l->options.server;
	}
	if (server && sym_mnt_optstr_get_option(server, "allow_root", NULL, NULL) == 0 &&
	    !(kernel && sym_mnt_optstr_get_option(kernel, "allow_other", NULL, NULL) == 0))
		return mount_options_append(&l->options.fs_params, "allow_other");
	return 0;
}

/* setuid=USER and drop_privileges, named as mount.fuse3 names them, are
 * the launcher's: taken out before the rest is sorted. */
static int take_privilege_options(struct mount_helper *h, struct launch *l)
{
	char *value = NULL, *user;
	size_t valuesz = 0;
	bool drop = false;
	int rc;

	if (!h->options)
		return 0;
	while (sym_mnt_optstr_get_option(h->options, "drop_privileges", NULL, NULL) == 0) {
		drop = true;
		sym_mnt_optstr_remove_option(&h->options, "drop_privileges");
	}
	if (sym_mnt_optstr_get_option(h->options, "setuid", &value, &valuesz) == 0) {
		if (!value || !valuesz) {
			log_error("mount option 'setuid' needs a user");
			return -EINVAL;
		}
		user = strndup(value, valuesz);
		if (!user)
			return -ENOMEM;
		rc = launch_set_user(l, user) < 0 ? -EINVAL : 0;
		free(user);
		if (rc < 0)
			return rc;
		sym_mnt_optstr_remove_option(&h->options, "setuid");
		/* A second one is refused, not passed on to the server. */
		if (sym_mnt_optstr_get_option(h->options, "setuid", NULL, NULL) == 0) {
			log_error("mount option 'setuid' given more than once");
			return -EINVAL;
		}
	}
	/* After launch_set_user(), which starts the identity afresh. */
	if (drop)
		l->identity.drop_privileges = true;
	return 0;
}

/* A user's mount is recorded in utab by mount(8), under the source it gave
 * us (fstab's), and libmount joins that entry to the mount by root, target
 * and source: the kernel must show the same source, or umount(8) loses
 * helper=fuselaunch and returns before the server has exited.  In fd mode
 * we mount (through fusermount3), so the source is ours to give, unless
 * fsname= chose one; a server that mounts by itself names its own (an
 * fstab entry can pass it fsname=, see mount.fuselaunch(8)). */
static int name_user_mount_as_fstab(const struct mount_helper *h, struct launch *l)
{
	if (geteuid() == 0 || h->no_utab || l->mode != SERVER_MODE_FD || l->options.fsname)
		return 0;
	l->options.fsname = strdup(h->source);
	return l->options.fsname ? 0 : -ENOMEM;
}

/* setuid= and drop_privileges are root's: only a helper that mounts
 * through the kernel itself can run the server as another user or as uid 0
 * without capabilities.  A user's helper (mount(8) runs it with the user's
 * ids) mounts through fusermount3 and its server runs as the user: taking
 * the option would promise a server identity the launch cannot give.  The
 * same test as the mounter's choice (the kernel refuses this process a FUSE
 * mount), refused here before anything starts and named as fstab names it. */
static int check_privilege_options_permitted(const struct launch *l)
{
	if (!server_identity_unprivileged(&l->identity) || kernel_mount_permitted() != -EPERM)
		return 0;
	log_error("mount option '%s' needs root: the server of a user's mount runs as that user",
		  l->identity.switch_user ? "setuid" : "drop_privileges");
	return -EINVAL;
}

int mount_helper_prepare(struct mount_helper *h, struct launch *l)
{
	char *launcher = NULL;
	int rc;

	rc = libmount_load();
	if (rc == 0 && h->options)
		rc = take_launcher_options(h, l);
	if (rc == 0)
		rc = take_privilege_options(h, l);
	if (rc < 0)
		goto out;
	if (h->options && *h->options) {
		rc = mount_options_parse(h->options, &l->options, MOUNT_OPTIONS_FOR_SERVER);
		if (rc == 0)
			rc = take_fuse3_options(h, l);
		if (rc < 0)
			goto out;
	}
	rc = fstab_userspace_options(h);
	if (rc == 0)
		rc = check_user_may_mount(h);
	if (rc == 0)
		warn_without_netdev(h, l);
	if (rc == 0 && h->fstab_userspace)
		rc = mount_options_append(&launcher, h->fstab_userspace);
	if (rc == 0 && l->options.userspace)
		rc = mount_options_append(&launcher, l->options.userspace);
	if (rc == 0)
		rc = apply_launcher_options(l, launcher);
	if (rc < 0)
		goto out;
	if (!l->options.subtype && !(l->options.subtype = strdup(h->server_type))) {
		rc = -ENOMEM;
		goto out;
	}
	rc = mount_options_secure_defaults(&l->options,
					   l->identity.switch_user || geteuid() != 0);
	if (rc < 0) {
		rc = -EINVAL;
		goto out;
	}
	rc = build_argv(h, l);
	if (rc == 0)
		rc = name_user_mount_as_fstab(h, l);
	if (rc == 0)
		rc = check_privilege_options_permitted(l);
	if (rc == 0)
		rc = server_identity_check(&l->identity, "setuid=", "drop_privileges");
out:
	free(launcher);
	return rc;
}

/* The source the kernel shows for the launch's mount MOUNT_ID on TARGET,
 * read from the table (libmount) as umount(8) will read it. */
static int kernel_source(const char *target, uint64_t mount_id, char **source)
{
	cleanup_fd int fd = -1;
	int rc;

	rc = kernel_mount_check_at(target, mount_id, &fd);
	if (rc == 0)
		rc = mount_table_fuse_source(fd, source);
	return rc;
}

int mount_helper_record_utab(const struct mount_helper *h, const struct launch *l,
			     uint64_t mount_id)
{
	char fstype[256], *options = NULL, *source = NULL;
	int rc = 0;

	if (h->no_utab)
		return 0;
	if (geteuid() != 0) {
		log_step("not root: mount(8) records the mount in utab, with helper=fuselaunch only if the fstab entry has it");
		return 0;
	}
	/* What mount(8) kept from us (x-*) is in fstab: record it too, so the
	 * entry is what libmount itself would have written. */
	if (h->options)
		rc = mount_options_append(&options, h->options);
	if (rc == 0 && h->fstab_userspace)
		rc = mount_options_merge(&options, h->fstab_userspace);
	/* umount(8) then runs umount.fuselaunch, which waits for the server. */
	if (rc == 0)
		rc = mount_options_merge(&options, "helper=" MOUNT_HELPER_TYPE);
	snprintf(fstype, sizeof(fstype), "fuse.%s", l->options.subtype);
	if (rc == 0 && options)
		rc = kernel_source(l->server.mountpoint, mount_id, &source);
	if (rc == 0 && options)
		rc = utab_record(source, l->server.mountpoint, fstype, options);
	if (rc < 0)
		log_error("cannot record the mount in utab: %s", strerror(-rc));
	free(source);
	free(options);
	return rc;
}

void mount_helper_free(struct mount_helper *h)
{
	free(h->server_type);
	free(h->server_source);
	free(h->options);
	free(h->fstab_userspace);
	free(h->server_options);
}

int mount_helper_exit_code(int code)
{
	switch (code) {
	case FL_EX_OK:
		return MNT_EX_SUCCESS;
	case FL_EX_USAGE:
		return MNT_EX_USAGE;
	case FL_EX_SYSTEM:
		return MNT_EX_SYSERR;
	case FL_EX_CANCELLED:
		return MNT_EX_USER;
	default:
		return MNT_EX_FAIL;
	}
}

int mount_helper_enter_namespace(const char *path)
{
	int fd, rc = 0;

	/* Non-blocking: a FIFO put there must not hold the helper. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNS) < 0) {
		rc = -errno;
		log_error("mount namespace '%s': %s", path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return rc;
}
