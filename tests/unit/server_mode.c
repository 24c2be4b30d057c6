/* --mode=auto: fd for an executable that links libfuse 3, watch for
 * anything else; a "#!" script by its interpreter, one level deep. */
#include "unit.h"

#include <elf.h>
#include <limits.h>
#include <link.h>

#include "server_mode.h"

static char why[PATH_MAX + 64];

static enum server_mode choose(const char *path)
{
	why[0] = '\0';
	return server_mode_choose(path, why, sizeof(why));
}

/* A crafted native ELF file, its tables where a linker would not put
 * them, to reach every branch of the reader. */
struct crafted_elf {
	unsigned int sections;		/* section headers written */
	unsigned int claimed_sections;	/* e_shnum, if not SECTIONS */
	unsigned int dynamic_at;	/* index of the dynamic section */
	unsigned int decoy_at;		/* a dynamic section naming libc only; 0: none */
	unsigned int filler_entries;	/* DT_DEBUG entries before DT_NEEDED */
	const char *library;		/* the last string of the table */
};

static char *write_elf(const char *dir, const char *name, const struct crafted_elf *e)
{
	/* The string table: "", libc, the library, and nothing after it. */
	size_t lib_len = strlen(e->library) + 1, str_size = 1 + sizeof("libc.so.6") + lib_len;
	size_t dyn_count = e->filler_entries + 3, i;
	size_t str_off = sizeof(ElfW(Ehdr)), decoy_off = str_off + str_size;
	size_t dyn_off = decoy_off + 2 * sizeof(ElfW(Dyn));
	size_t sh_off = dyn_off + dyn_count * sizeof(ElfW(Dyn));
	ElfW(Ehdr) eh = { .e_ident = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3,
				       __SIZEOF_POINTER__ == 8 ? ELFCLASS64 : ELFCLASS32,
				       ELFDATA2LSB, EV_CURRENT },
			  .e_type = ET_DYN, .e_version = EV_CURRENT,
			  .e_ehsize = sizeof(ElfW(Ehdr)), .e_shoff = sh_off,
			  .e_shentsize = sizeof(ElfW(Shdr)),
			  .e_shnum = e->claimed_sections ? e->claimed_sections : e->sections };
	ElfW(Dyn) decoy[2] = { { .d_tag = DT_NEEDED, .d_un.d_val = 1 }, { .d_tag = DT_NULL } };
	char *path = unit_path(dir, name);
	FILE *f = fopen(path, "we");

	if (!f)
		unit_bail(path);
	fwrite(&eh, sizeof(eh), 1, f);
	fputc('\0', f);
	fwrite("libc.so.6", sizeof("libc.so.6"), 1, f);
	fwrite(e->library, lib_len, 1, f);
	fwrite(decoy, sizeof(decoy), 1, f);
	for (i = 0; i < dyn_count; i++) {
		ElfW(Dyn) d = { .d_tag = DT_DEBUG };

		if (i == e->filler_entries) {
			d.d_tag = DT_NEEDED;
			d.d_un.d_val = 1;
		} else if (i == e->filler_entries + 1) {
			d.d_tag = DT_NEEDED;
			d.d_un.d_val = 1 + sizeof("libc.so.6");
		} else if (i == e->filler_entries + 2) {
			d.d_tag = DT_NULL;
		}
		fwrite(&d, sizeof(d), 1, f);
	}
	for (i = 0; i < e->sections; i++) {
		ElfW(Shdr) sh = { .sh_type = i ? SHT_PROGBITS : SHT_NULL };

		if (i == e->dynamic_at || (e->decoy_at && i == e->decoy_at)) {
			sh.sh_type = SHT_DYNAMIC;
			sh.sh_offset = i == e->dynamic_at ? dyn_off : decoy_off;
			sh.sh_size = i == e->dynamic_at ? dyn_count * sizeof(ElfW(Dyn)) : sizeof(decoy);
			sh.sh_link = e->dynamic_at + 1;
		} else if (i == e->dynamic_at + 1) {
			sh.sh_type = SHT_STRTAB;
			sh.sh_offset = str_off;
			sh.sh_size = str_size;
		}
		fwrite(&sh, sizeof(sh), 1, f);
	}
	if (fchmod(fileno(f), 0755) < 0 || fclose(f) != 0)
		unit_bail(path);
	return path;
}

static void check_crafted(const char *dir, const char *name, const struct crafted_elf *e,
			  enum server_mode want, const char *why_has, const char *what)
{
	char *path = write_elf(dir, name, e);

	CHECK_INT(choose(path), want, "%s", what);
	CHECK_HAS(why, why_has, "why: %s", what);
	free(path);
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

	check_crafted(dir, "small", &(struct crafted_elf){ .sections = 4, .dynamic_at = 2,
			.library = "libfuse3.so.3" },
		      SERVER_MODE_FD, "links libfuse3.so.3: fd",
		      "crafted: libfuse3.so.3 the last string of its table: fd");
	check_crafted(dir, "fuse2last", &(struct crafted_elf){ .sections = 4, .dynamic_at = 2,
			.library = "libfuse.so.2" },
		      SERVER_MODE_WATCH, "links libfuse.so.2: watch",
		      "crafted: libfuse.so.2 the last string of its table: watch");
	check_crafted(dir, "far", &(struct crafted_elf){ .sections = 150, .dynamic_at = 140,
			.filler_entries = 130, .library = "libfuse3.so.3" },
		      SERVER_MODE_FD, "links libfuse3.so.3: fd",
		      "crafted: the dynamic section past 128 headers, DT_NEEDED past 128 entries: fd");
	check_crafted(dir, "claims", &(struct crafted_elf){ .sections = 70, .claimed_sections = 300,
			.dynamic_at = 66, .library = "libfuse3.so.3" },
		      SERVER_MODE_FD, "links libfuse3.so.3: fd",
		      "crafted: more section headers claimed than written, the written ones read: fd");
	check_crafted(dir, "decoy", &(struct crafted_elf){ .sections = 6, .decoy_at = 1,
			.dynamic_at = 3, .library = "libfuse3.so.3" },
		      SERVER_MODE_FD, "links libfuse3.so.3: fd",
		      "crafted: a dynamic section naming libc only before the one naming libfuse3: fd");
	check_crafted(dir, "neither", &(struct crafted_elf){ .sections = 4, .dynamic_at = 2,
			.library = "libfuse3.so.33" },
		      SERVER_MODE_WATCH, "links no libfuse: watch",
		      "crafted: libfuse3.so.33 is not libfuse3.so.3: watch");

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
