/* --mode=auto: fd for an executable that links libfuse 3, watch for
 * anything else; a "#!" script by its interpreter, one level deep. */
#include "unit.h"

#include <limits.h>

#include "server_mode.h"

static char why[PATH_MAX + 64];

static enum server_mode choose(const char *path)
{
	why[0] = '\0';
	return server_mode_choose(path, why, sizeof(why));
}

/* The first of PATHS that exists, or NULL. */
static const char *first_existing(const char *const *paths)
{
	for (; *paths; paths++)
		if (access(*paths, R_OK) == 0)
			return *paths;
	return NULL;
}

int main(void)
{
	static const char *const truths[] = { "/bin/true", "/usr/bin/true", NULL };
	static const char *const libfuse2[] = { "/usr/bin/bindfs", "/bin/bindfs", NULL };
	char *testfs = unit_path(unit_builddir(), "tests/testfs");
	char *dir = unit_tmpdir(), *text, *script, *nested, *plain, *junk, *elf_head, *unreadable;
	const char *truth = first_existing(truths), *fuse2 = first_existing(libfuse2);
	enum server_mode mode;

	if (access(testfs, X_OK) < 0)
		unit_bail(testfs);
	CHECK_INT(choose(testfs), SERVER_MODE_FD, "tests/testfs (links libfuse3): fd");
	CHECK_HAS(why, "links libfuse3.so.3: fd", "why: it links libfuse3");

	if (truth) {
		CHECK_INT(choose(truth), SERVER_MODE_WATCH, "%s (no libfuse): watch", truth);
		CHECK_HAS(why, "links no libfuse: watch", "why: it links no libfuse");
	} else {
		unit_skip("true(1) (no libfuse): watch", "no /bin/true");
	}
	if (fuse2) {
		CHECK_INT(choose(fuse2), SERVER_MODE_WATCH, "%s (libfuse 2): watch", fuse2);
		CHECK_HAS(why, "links libfuse.so.2: watch", "why: it links libfuse 2");
	} else {
		unit_skip("bindfs (libfuse 2): watch", "bindfs is not installed");
	}

	if (asprintf(&text, "#!%s\n", testfs) < 0)
		unit_bail("asprintf");
	script = unit_write_file(dir, "script", text, 0755);
	free(text);
	CHECK_INT(choose(script), SERVER_MODE_FD, "a script run by a libfuse3 binary: fd");
	CHECK_HAS(why, "links libfuse3.so.3: fd", "why: its interpreter links libfuse3");
	CHECK_HAS(why, testfs, "why names the interpreter");

	if (asprintf(&text, "#!  %s\t-o ro\n", testfs) < 0)
		unit_bail("asprintf");
	free(script);
	script = unit_write_file(dir, "spaced", text, 0755);
	free(text);
	CHECK_INT(choose(script), SERVER_MODE_FD, "'#!  INTERP\\targs': the interpreter is found");

	if (asprintf(&text, "#!%s\n", script) < 0)
		unit_bail("asprintf");
	nested = unit_write_file(dir, "nested", text, 0755);
	free(text);
	CHECK_INT(choose(nested), SERVER_MODE_WATCH, "a script run by a script: watch (one level)");

	plain = unit_write_file(dir, "plain", "#!/bin/sh\nexec true\n", 0755);
	CHECK_INT(choose(plain), SERVER_MODE_WATCH, "a shell script: watch");

	junk = unit_write_file(dir, "junk", "not an executable at all", 0755);
	CHECK_INT(choose(junk), SERVER_MODE_WATCH, "neither ELF nor script: watch");
	CHECK_HAS(why, "links no libfuse: watch", "why: no libfuse");

	elf_head = unit_write_file(dir, "elfhead", "\177ELF\002\001\001", 0755);
	CHECK_INT(choose(elf_head), SERVER_MODE_WATCH, "a truncated ELF header: watch");

	unreadable = unit_path(dir, "missing");
	mode = choose(unreadable);
	CHECK_INT(mode, SERVER_MODE_WATCH, "a missing file: watch");
	CHECK_HAS(why, "cannot be read (No such file or directory): watch", "why: cannot be read");

	CHECK_INT(server_mode_parse("auto", &mode), 0, "'auto' parses");
	CHECK_INT(mode, SERVER_MODE_AUTO, "'auto' is SERVER_MODE_AUTO");
	CHECK_INT(server_mode_parse("fd", &mode), 0, "'fd' parses");
	CHECK_INT(mode, SERVER_MODE_FD, "'fd' is SERVER_MODE_FD");
	CHECK_INT(server_mode_parse("watch", &mode), 0, "'watch' parses");
	CHECK_INT(mode, SERVER_MODE_WATCH, "'watch' is SERVER_MODE_WATCH");
	CHECK_INT(server_mode_parse("FD", &mode), -EINVAL, "'FD' is refused");
	CHECK_INT(server_mode_parse("", &mode), -EINVAL, "'' is refused");
	CHECK_INT(mode, SERVER_MODE_WATCH, "a refused name leaves the mode alone");

	free(testfs);
	free(script);
	free(nested);
	free(plain);
	free(junk);
	free(elf_head);
	free(unreadable);
	unit_rmtree(dir);
	return unit_done();
}
