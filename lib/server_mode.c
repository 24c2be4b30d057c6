#include "config.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server_mode.h"

#define LIBFUSE3 "libfuse3.so.3"
#define LIBFUSE2 "libfuse.so.2"

#if __SIZEOF_POINTER__ == 8
typedef Elf64_Ehdr Ehdr;
typedef Elf64_Shdr Shdr;
typedef Elf64_Dyn Dyn;
#define NATIVE_CLASS ELFCLASS64
#else
typedef Elf32_Ehdr Ehdr;
typedef Elf32_Shdr Shdr;
typedef Elf32_Dyn Dyn;
#define NATIVE_CLASS ELFCLASS32
#endif

int server_mode_parse(const char *name, enum server_mode *mode)
{
	if (!strcmp(name, "auto"))
		*mode = SERVER_MODE_AUTO;
	else if (!strcmp(name, "fd"))
		*mode = SERVER_MODE_FD;
	else if (!strcmp(name, "watch"))
		*mode = SERVER_MODE_WATCH;
	else
		return -EINVAL;
	return 0;
}

static bool read_at(int fd, void *buf, size_t len, off_t off)
{
	return pread(fd, buf, len, off) == (ssize_t)len;
}

/* Whether the ELF file FD needs LIBRARY, from its dynamic section's
 * DT_NEEDED entries.  Section headers suffice: strip(1) keeps .dynamic and
 * its string table.  Only native binaries are read; others say no. */
static bool elf_needs(int fd, const char *library)
{
	size_t want = strlen(library) + 1;
	Ehdr eh;
	Shdr dyn_sh, str_sh;
	unsigned int i;
	bool found = false;

	if (!read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != NATIVE_CLASS || eh.e_shentsize != sizeof(Shdr))
		return false;
	for (i = 0; i < eh.e_shnum && !found; i++) {
		size_t k, count;

		if (!read_at(fd, &dyn_sh, sizeof(dyn_sh), eh.e_shoff + (off_t)i * sizeof(Shdr)) ||
		    dyn_sh.sh_type != SHT_DYNAMIC || dyn_sh.sh_link >= eh.e_shnum ||
		    !read_at(fd, &str_sh, sizeof(str_sh),
			     eh.e_shoff + (off_t)dyn_sh.sh_link * sizeof(Shdr)))
			continue;
		count = dyn_sh.sh_size / sizeof(Dyn);
		for (k = 0; k < count && !found; k++) {
			char name[64];
			Dyn d;

			if (!read_at(fd, &d, sizeof(d), dyn_sh.sh_offset + (off_t)(k * sizeof(Dyn))) ||
			    d.d_tag == DT_NULL)
				break;
			if (d.d_tag != DT_NEEDED || d.d_un.d_val + want > str_sh.sh_size ||
			    want > sizeof(name))
				continue;
			found = read_at(fd, name, want, str_sh.sh_offset + (off_t)d.d_un.d_val) &&
				!memcmp(name, library, want);
		}
	}
	return found;
}

/* The interpreter of a "#!" script at FD, or false. */
static bool script_interpreter(int fd, char *interp, size_t len)
{
	char line[256], *end;
	ssize_t n;

	n = pread(fd, line, sizeof(line) - 1, 0);
	if (n < 3 || line[0] != '#' || line[1] != '!')
		return false;
	line[n] = '\0';
	end = line + 2 + strspn(line + 2, " \t");
	end[strcspn(end, " \t\n")] = '\0';
	if (!*end || strlen(end) >= len)
		return false;
	strcpy(interp, end);
	return true;
}

static enum server_mode choose(const char *path, int depth, char *why, size_t whylen)
{
	char interp[256];
	enum server_mode mode = SERVER_MODE_WATCH;
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO (an interpreter named by a script, say) must not
	 * block the launch before its timeout is armed. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whylen, "%s cannot be read (%s): watch", path, strerror(errno));
		return mode;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(why, whylen, "%s is not a regular file: watch", path);
	} else if (elf_needs(fd, LIBFUSE3)) {
		mode = SERVER_MODE_FD;
		snprintf(why, whylen, "%s links " LIBFUSE3 ": fd", path);
	} else if (elf_needs(fd, LIBFUSE2)) {
		snprintf(why, whylen, "%s links " LIBFUSE2 ": watch", path);
	} else if (depth == 0 && script_interpreter(fd, interp, sizeof(interp))) {
		/* One level: a script run by a libfuse 3 interpreter. */
		mode = choose(interp, depth + 1, why, whylen);
	} else {
		snprintf(why, whylen, "%s links no libfuse: watch", path);
	}
	close(fd);
	return mode;
}

enum server_mode server_mode_choose(const char *path, char *why, size_t whylen)
{
	return choose(path, 0, why, whylen);
}
