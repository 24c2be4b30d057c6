/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * getoptfs - a libfuse 2 server that parses its own command line with
 * getopt(3), as libyal's qcowmount, vhdimount and ewfmount do, and as
 * grub-mount and wimmount do in their own ways: it knows no -o, rejects
 * any option it does not know ("invalid option -- 'o'", exit 1), takes
 * exactly SOURCE and MOUNTPOINT, and mounts by itself (fuse_mount), so
 * fuselaunch runs it in watch mode.  A launcher that adds anything to its
 * command line breaks it, as it breaks those servers.
 *
 *   getoptfs [-f] [-r FILE] [-X OPTIONS] SOURCE MOUNTPOINT
 *
 * SOURCE must be a readable file (an "image"); /hello serves a greeting.
 * -f stays in the foreground, -r appends "argv=..." (the arguments, one
 * space between) to FILE, -X passes OPTIONS to libfuse as "-o OPTIONS"
 * (libyal's extended options).
 */
#define FUSE_USE_VERSION 26

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char greeting[] = "hello from getoptfs\n";

static int getoptfs_getattr(const char *path, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return 0;
	}
	if (!strcmp(path, "/hello")) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = sizeof(greeting) - 1;
		return 0;
	}
	return -ENOENT;
}

static int getoptfs_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
			    struct fuse_file_info *fi)
{
	(void)offset;
	(void)fi;
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0);
	fill(buf, "..", NULL, 0);
	fill(buf, "hello", NULL, 0);
	return 0;
}

static int getoptfs_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/hello"))
		return -ENOENT;
	return (fi->flags & O_ACCMODE) == O_RDONLY ? 0 : -EACCES;
}

static int getoptfs_read(const char *path, char *buf, size_t size, off_t offset,
			 struct fuse_file_info *fi)
{
	size_t len = sizeof(greeting) - 1;

	(void)fi;
	if (strcmp(path, "/hello"))
		return -ENOENT;
	if ((size_t)offset >= len)
		return 0;
	if (size > len - offset)
		size = len - offset;
	memcpy(buf, greeting + offset, size);
	return size;
}

static const struct fuse_operations operations = {
	.getattr = getoptfs_getattr,
	.readdir = getoptfs_readdir,
	.open = getoptfs_open,
	.read = getoptfs_read,
};

static void usage(FILE *to)
{
	fprintf(to, "Usage: getoptfs [-f] [-r FILE] [-X OPTIONS] SOURCE MOUNTPOINT\n");
}

static int record_argv(const char *file, int argc, char **argv)
{
	FILE *f = fopen(file, "ae");
	int i;

	if (!f) {
		fprintf(stderr, "getoptfs: %s: %s\n", file, strerror(errno));
		return -1;
	}
	fputs("argv=", f);
	for (i = 0; i < argc; i++)
		fprintf(f, "%s%s", i ? " " : "", argv[i]);
	fputc('\n', f);
	return fclose(f);
}

int main(int argc, char **argv)
{
	const char *record = NULL, *extended = NULL, *source, *mountpoint;
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_chan *chan;
	struct fuse *fuse;
	int foreground = 0, c, rc;

	while ((c = getopt(argc, argv, "hfr:X:")) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return 0;
		case 'f':
			foreground = 1;
			break;
		case 'r':
			record = optarg;
			break;
		case 'X':
			extended = optarg;
			break;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "getoptfs: missing source or mountpoint\n");
		usage(stderr);
		return 1;
	}
	source = argv[optind];
	mountpoint = argv[optind + 1];
	if (record && record_argv(record, argc, argv) < 0)
		return 1;
	if (access(source, R_OK) < 0) {
		fprintf(stderr, "getoptfs: unable to open source file: %s: %s\n", source,
			strerror(errno));
		return 1;
	}
	if (fuse_opt_add_arg(&args, argv[0]) < 0 ||
	    (extended && (fuse_opt_add_arg(&args, "-o") < 0 ||
			  fuse_opt_add_arg(&args, extended) < 0))) {
		fprintf(stderr, "getoptfs: out of memory\n");
		return 1;
	}
	chan = fuse_mount(mountpoint, &args);
	if (!chan) {
		fprintf(stderr, "getoptfs: unable to mount %s\n", mountpoint);
		fuse_opt_free_args(&args);
		return 1;
	}
	fuse = fuse_new(chan, &args, &operations, sizeof(operations), NULL);
	fuse_opt_free_args(&args);
	if (!fuse) {
		fuse_unmount(mountpoint, chan);
		return 1;
	}
	rc = fuse_daemonize(foreground) == 0 && fuse_set_signal_handlers(fuse_get_session(fuse)) == 0 ?
	     fuse_loop(fuse) : -1;
	fuse_remove_signal_handlers(fuse_get_session(fuse));
	fuse_unmount(mountpoint, chan);
	fuse_destroy(fuse);
	return rc == 0 ? 0 : 1;
}
