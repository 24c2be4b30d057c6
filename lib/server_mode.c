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

/* Entries read per pread: the whole table of most executables at once,
 * in a bounded buffer however many the file claims. */
#define ELF_CHUNK 64

enum libfuse_link {
	LINKS_LIBFUSE3 = 1 << 0,
	LINKS_LIBFUSE2 = 1 << 1,
};

/* Which libfuse the DT_NEEDED entry at NAME_OFF in the string table STR
 * names: one read, as long as the longer name and its NUL. */
static unsigned int needed_libfuse(int fd, const Shdr *str, size_t name_off)
{
	char name[sizeof(LIBFUSE3) > sizeof(LIBFUSE2) ? sizeof(LIBFUSE3) : sizeof(LIBFUSE2)];
	size_t len = sizeof(name);
	ssize_t n;

	if (name_off >= str->sh_size)
		return 0;
	if (len > str->sh_size - name_off)
		len = str->sh_size - name_off;
	n = pread(fd, name, len, str->sh_offset + (off_t)name_off);
	if (n == sizeof(LIBFUSE3) && !memcmp(name, LIBFUSE3, sizeof(LIBFUSE3)))
		return LINKS_LIBFUSE3;
	if (n >= (ssize_t)sizeof(LIBFUSE2) && !memcmp(name, LIBFUSE2, sizeof(LIBFUSE2)))
		return LINKS_LIBFUSE2;
	return 0;
}

/* How many whole entries of SIZE bytes a read of up to COUNT of them at
 * OFF got: a table that runs past the end of the file is read as far as
 * it goes. */
static size_t read_entries(int fd, void *buf, size_t size, size_t count, off_t off)
{
	ssize_t n = pread(fd, buf, size * count, off);

	return n > 0 ? (size_t)n / size : 0;
}

/* The libfuse DT_NEEDED entries of the dynamic section DYN, whose string
 * table is STR. */
static unsigned int dynamic_libfuse(int fd, const Shdr *dyn, const Shdr *str)
{
	size_t count = dyn->sh_size / sizeof(Dyn), k, j, n;
	unsigned int links = 0;
	Dyn d[ELF_CHUNK];

	for (k = 0; k < count; k += n) {
		n = read_entries(fd, d, sizeof(Dyn), count - k < ELF_CHUNK ? count - k : ELF_CHUNK,
				 dyn->sh_offset + (off_t)(k * sizeof(Dyn)));
		if (!n)
			break;
		for (j = 0; j < n; j++) {
			if (d[j].d_tag == DT_NULL)
				return links;
			if (d[j].d_tag == DT_NEEDED)
				links |= needed_libfuse(fd, str, d[j].d_un.d_val);
		}
	}
	return links;
}

/* Which libfuse the ELF file FD needs, from the DT_NEEDED entries of its
 * dynamic sections.  Section headers suffice: strip(1) keeps .dynamic and
 * its string table.  Only native binaries are read; others need none. */
static unsigned int elf_libfuse(int fd)
{
	unsigned int links = 0, i, j, link;
	Shdr sh[ELF_CHUNK], str;
	size_t n;
	Ehdr eh;

	if (!read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != NATIVE_CLASS || eh.e_shentsize != sizeof(Shdr))
		return 0;
	for (i = 0; i < eh.e_shnum; i += (unsigned int)n) {
		n = read_entries(fd, sh, sizeof(Shdr),
				 eh.e_shnum - i < ELF_CHUNK ? eh.e_shnum - i : ELF_CHUNK,
				 eh.e_shoff + (off_t)i * sizeof(Shdr));
		if (!n)
			break;
		for (j = 0; j < n; j++) {
			link = sh[j].sh_link;
			if (sh[j].sh_type == SHT_DYNAMIC && link < eh.e_shnum &&
			    read_at(fd, &str, sizeof(str), eh.e_shoff + (off_t)link * sizeof(Shdr)))
				links |= dynamic_libfuse(fd, &sh[j], &str);
		}
	}
	return links;
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
	unsigned int links;
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
	} else if ((links = elf_libfuse(fd)) & LINKS_LIBFUSE3) {
		mode = SERVER_MODE_FD;
		snprintf(why, whylen, "%s links " LIBFUSE3 ": fd", path);
	} else if (links & LINKS_LIBFUSE2) {
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
