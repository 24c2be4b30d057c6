#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>

#include "libmount_lazy.h"
#include "log.h"

#define LIBMOUNT_SONAME "libmount.so.1"

#define LIBMOUNT_DEFINE(name) __typeof__(name) *sym_##name;
LIBMOUNT_FUNCTIONS(LIBMOUNT_DEFINE)
#undef LIBMOUNT_DEFINE

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static int load_result;

static void load(void)
{
	/* Never closed: the functions are used until the process exits. */
	void *handle = dlopen(LIBMOUNT_SONAME, RTLD_NOW | RTLD_LOCAL);
	const char *missing = NULL;

	if (!handle) {
		log_error("cannot load %s: %s", LIBMOUNT_SONAME, dlerror());
		load_result = -ELIBACC;
		return;
	}
#define LIBMOUNT_RESOLVE(name) \
	if (!missing && !(sym_##name = (__typeof__(name) *)dlsym(handle, #name))) \
		missing = #name;
	LIBMOUNT_FUNCTIONS(LIBMOUNT_RESOLVE)
#undef LIBMOUNT_RESOLVE
	if (missing) {
		log_error("cannot load %s: it has no %s", LIBMOUNT_SONAME, missing);
		load_result = -ELIBACC;
	}
}

int libmount_load(void)
{
	pthread_once(&load_once, load);
	return load_result;
}
