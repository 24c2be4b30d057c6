/* libmount, loaded when first needed instead of when the program starts.
 * Linked, it maps and initialises libmount, libblkid, libselinux and
 * libpcre2 in every launch (about 0.5 ms of a 3 ms launch here, see
 * bench/README.md), while a launch without -o, watch mode or mount(8)
 * calls it only when a mount table must be read (a FUSE mount already on
 * the mountpoint, a mount the server made by itself).  Call
 * libmount_load() first, then sym_mnt_*(). */
#ifndef FUSELAUNCH_LIBMOUNT_LAZY_H
#define FUSELAUNCH_LIBMOUNT_LAZY_H

#include <libmount.h>

#define LIBMOUNT_FUNCTIONS(X) \
	X(mnt_free_iter) \
	X(mnt_free_update) \
	X(mnt_fs_get_devno) \
	X(mnt_fs_get_fs_options) \
	X(mnt_fs_get_fstype) \
	X(mnt_fs_get_id) \
	X(mnt_fs_get_parent_id) \
	X(mnt_fs_get_source) \
	X(mnt_fs_get_target) \
	X(mnt_fs_get_user_options) \
	X(mnt_fs_set_fstype) \
	X(mnt_fs_set_options) \
	X(mnt_fs_set_source) \
	X(mnt_fs_set_target) \
	X(mnt_get_builtin_optmap) \
	X(mnt_get_fstab_path) \
	X(mnt_new_cache) \
	X(mnt_new_fs) \
	X(mnt_new_iter) \
	X(mnt_new_table) \
	X(mnt_new_table_from_file) \
	X(mnt_new_update) \
	X(mnt_optstr_append_option) \
	X(mnt_optstr_get_flags) \
	X(mnt_optstr_get_option) \
	X(mnt_optstr_next_option) \
	X(mnt_optstr_remove_option) \
	X(mnt_split_optstr) \
	X(mnt_table_find_pair) \
	X(mnt_table_find_target) \
	X(mnt_table_next_fs) \
	X(mnt_table_parse_fstab) \
	X(mnt_table_set_cache) \
	X(mnt_unref_cache) \
	X(mnt_unref_fs) \
	X(mnt_unref_table) \
	X(mnt_update_get_filename) \
	X(mnt_update_is_ready) \
	X(mnt_update_set_fs) \
	X(mnt_update_table)

#define LIBMOUNT_DECLARE(name) extern __typeof__(name) *sym_##name;
LIBMOUNT_FUNCTIONS(LIBMOUNT_DECLARE)
#undef LIBMOUNT_DECLARE

/* Load libmount and resolve every sym_mnt_*() once per process; safe from
 * any thread.  Returns 0, or -ELIBACC after printing what was missing. */
int libmount_load(void);

#endif
