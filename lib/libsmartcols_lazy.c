#include "config.h"

#include <dlfcn.h>
#include <errno.h>

#include "libsmartcols_lazy.h"
#include "log.h"

#define LIBSMARTCOLS_SONAME "libsmartcols.so.1"

#define LIBSMARTCOLS_DEFINE(name) __typeof__(name) *sym_##name;
LIBSMARTCOLS_FUNCTIONS(LIBSMARTCOLS_DEFINE)
#undef LIBSMARTCOLS_DEFINE

int libsmartcols_load(void)
{
	static int result = 1;
	const char *missing = NULL;
	void *handle;

	if (result <= 0)
		return result;
	/* Never closed: the functions are used until the process exits. */
	handle = dlopen(LIBSMARTCOLS_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		log_error("cannot load %s: %s (install libsmartcols1)", LIBSMARTCOLS_SONAME,
			  dlerror());
		return result = -ELIBACC;
	}
#define LIBSMARTCOLS_RESOLVE(name) \
	if (!missing && !(sym_##name = (__typeof__(name) *)dlsym(handle, #name))) \
		missing = #name;
	LIBSMARTCOLS_FUNCTIONS(LIBSMARTCOLS_RESOLVE)
#undef LIBSMARTCOLS_RESOLVE
	if (missing) {
		log_error("cannot load %s: it has no %s", LIBSMARTCOLS_SONAME, missing);
		return result = -ELIBACC;
	}
	return result = 0;
}
