/*
 * attackfs - a small low-level FUSE server that attacks whoever mounts it
 * for it, used by the test suite to check what a mount promises.
 *
 * Each attack is an option and serves one file in the root directory:
 *   --setuid-file=PATH   "setuid": the bytes of PATH (an executable),
 *                        reported as owned by root with mode 04755
 *   --char-device=MAJ:MIN  "device": a character device node, mode 0666,
 *                        owned by root (1:1 is /dev/mem, 1:3 /dev/null)
 * Without nosuid and nodev on the mount, the first runs as root for anyone
 * who may execute it, the second opens the device for anyone.
 *
 * Adding an attack: an entry in attacks[] (name, whether it takes a value,
 * the function that takes it) and, if it serves a file, an entry in
 * files[] filled in by that function.  -o OPTS goes to libfuse as given
 * (for a launch in watch mode, where the server mounts by itself).
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 34

#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define UNUSED __attribute__((unused))

/* The files served: inode number = index + 2 (1 is the root). */
static struct served {
	const char *name;
	mode_t mode;		/* 0: not served */
	dev_t rdev;
	char *data;
	size_t size;
} files[] = {
	{ .name = "setuid" },
	{ .name = "device" },
};
enum { SETUID_FILE, CHAR_DEVICE, FILE_COUNT };

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("attackfs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void take_setuid_file(const char *path)
{
	struct served *f = &files[SETUID_FILE];
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0)
		die("%s: %m", path);
	f->size = (size_t)st.st_size;
	f->data = malloc(f->size ? f->size : 1);
	if (!f->data || read(fd, f->data, f->size) != (ssize_t)f->size)
		die("reading %s: %m", path);
	close(fd);
	f->mode = S_IFREG | 04755;
}

static void take_char_device(const char *spec)
{
	unsigned int maj, min;
	char end;

	if (sscanf(spec, "%u:%u%c", &maj, &min, &end) != 2)
		die("bad --char-device '%s': give MAJOR:MINOR", spec);
	files[CHAR_DEVICE].rdev = makedev(maj, min);
	files[CHAR_DEVICE].mode = S_IFCHR | 0666;
}

static const struct attack {
	const char *name;
	bool takes_value;
	void (*take)(const char *value);
} attacks[] = {
	{ "setuid-file", true, take_setuid_file },
	{ "char-device", true, take_char_device },
};
#define ATTACK_COUNT (sizeof(attacks) / sizeof(attacks[0]))

static struct served *served(fuse_ino_t ino)
{
	if (ino < 2 || ino >= 2 + FILE_COUNT || !files[ino - 2].mode)
		return NULL;
	return &files[ino - 2];
}

static bool stat_of(fuse_ino_t ino, struct stat *st)
{
	struct served *f = served(ino);

	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = 0;
	st->st_gid = 0;
	if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
		return true;
	}
	if (!f)
		return false;
	st->st_mode = f->mode;
	st->st_nlink = 1;
	st->st_rdev = f->rdev;
	st->st_size = (off_t)f->size;
	return true;
}

static void afs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	size_t i;

	memset(&e, 0, sizeof(e));
	for (i = 0; parent == FUSE_ROOT_ID && i < FILE_COUNT; i++)
		if (files[i].mode && !strcmp(files[i].name, name))
			break;
	if (parent != FUSE_ROOT_ID || i == FILE_COUNT) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	e.ino = i + 2;
	stat_of(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void afs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi UNUSED)
{
	struct stat st;

	if (stat_of(ino, &st))
		fuse_reply_attr(req, &st, 0);
	else
		fuse_reply_err(req, ENOENT);
}

static void afs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			struct fuse_file_info *fi UNUSED)
{
	char buf[1024];
	size_t len = 0, i;
	struct stat st;

	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	for (i = (size_t)off; i < FILE_COUNT; i++) {
		if (!files[i].mode)
			continue;
		stat_of(i + 2, &st);
		len += fuse_add_direntry(req, buf + len, sizeof(buf) - len, files[i].name, &st,
					 (off_t)i + 1);
	}
	fuse_reply_buf(req, buf, len < size ? len : size);
}

static void afs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct served *f = served(ino);

	if (!f || !S_ISREG(f->mode))
		fuse_reply_err(req, ino == FUSE_ROOT_ID ? EISDIR : ENOENT);
	else if ((fi->flags & O_ACCMODE) != O_RDONLY)
		fuse_reply_err(req, EACCES);
	else
		fuse_reply_open(req, fi);
}

static void afs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi UNUSED)
{
	struct served *f = served(ino);

	if (!f || (size_t)off >= f->size)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, f->data + off, f->size - (size_t)off < size ?
			       f->size - (size_t)off : size);
}

static const struct fuse_lowlevel_ops afs_ops = {
	.lookup = afs_lookup,
	.getattr = afs_getattr,
	.readdir = afs_readdir,
	.open = afs_open,
	.read = afs_read,
};

/* attackfs [--ATTACK[=VALUE]]... [-o OPTS] [SOURCE] MOUNTPOINT */
static const char *parse_options(int argc, char **argv, struct fuse_args *args)
{
	struct option longopts[ATTACK_COUNT + 1];
	size_t i;
	int c;

	memset(longopts, 0, sizeof(longopts));
	for (i = 0; i < ATTACK_COUNT; i++)
		longopts[i] = (struct option){ attacks[i].name,
			attacks[i].takes_value ? required_argument : no_argument, NULL, 256 + (int)i };
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c == 'o') {
			if (fuse_opt_add_arg(args, "-o") < 0 || fuse_opt_add_arg(args, optarg) < 0)
				die("out of memory");
		} else if (c >= 256 && c < 256 + (int)ATTACK_COUNT) {
			attacks[c - 256].take(optarg);
		} else {
			die("bad option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind == 2)
		optind++;
	if (optind != argc - 1)
		die("usage: attackfs [--ATTACK[=VALUE]]... [-o OPTS] [SOURCE] MOUNTPOINT");
	return argv[optind];
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se;
	const char *mountpoint;
	int ret;

	if (fuse_opt_add_arg(&args, argv[0]) < 0)
		return 1;
	mountpoint = parse_options(argc, argv, &args);
	se = fuse_session_new(&args, &afs_ops, sizeof(afs_ops), NULL);
	fuse_opt_free_args(&args);
	if (!se)
		return 1;
	if (fuse_session_mount(se, mountpoint) != 0) {
		fuse_session_destroy(se);
		return 1;
	}
	ret = fuse_set_signal_handlers(se);
	if (ret == 0) {
		ret = fuse_session_loop(se);
		fuse_remove_signal_handlers(se);
	}
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	free(files[SETUID_FILE].data);
	return ret ? 1 : 0;
}
