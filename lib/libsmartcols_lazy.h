/* libsmartcols, loaded only by --list, as libmount is loaded only when
 * options or mount tables are read (libmount_lazy.h): a launch maps
 * neither.  Call libsmartcols_load() first, then sym_scols_*(). */
#ifndef FUSELAUNCH_LIBSMARTCOLS_LAZY_H
#define FUSELAUNCH_LIBSMARTCOLS_LAZY_H

#include <libsmartcols.h>

#define LIBSMARTCOLS_FUNCTIONS(X) \
	X(scols_cmpstr_cells) \
	X(scols_column_set_cmpfunc) \
	X(scols_column_set_json_type) \
	X(scols_line_set_data) \
	X(scols_new_table) \
	X(scols_print_table) \
	X(scols_sort_table) \
	X(scols_table_enable_json) \
	X(scols_table_enable_noheadings) \
	X(scols_table_enable_raw) \
	X(scols_table_new_column) \
	X(scols_table_new_line) \
	X(scols_table_set_name) \
	X(scols_unref_table)

#define LIBSMARTCOLS_DECLARE(name) extern __typeof__(name) *sym_##name;
LIBSMARTCOLS_FUNCTIONS(LIBSMARTCOLS_DECLARE)
#undef LIBSMARTCOLS_DECLARE

/* Load libsmartcols and resolve every sym_scols_*() once.  Returns 0, or
 * -ELIBACC after printing what was missing. */
int libsmartcols_load(void);

#endif
