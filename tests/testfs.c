/*
 * testfs - a tiny low-level FUSE server used as a fixture by the test suite.
 *
 * It serves a root directory holding one read-only file, "hello", and can
 * misbehave on request (exit, die or hang before INIT, refuse or delay INIT,
 * crash on lookup of "crash", mount somewhere else, cover its own mount) so
 * that the launcher's error paths can be exercised.  --record leaves a
 * trace the tests can inspect afterwards.
 * In -o, kernel mount options (ro, nosuid, allow_other, ...) go to libfuse,
 * for a launch in watch mode, where it mounts by itself.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION 34

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HELLO_INO 2
#define UNUSED __attribute__((unused))

static struct {
	const char *content;
	const char *record_file;
	char *record_mountpoint;	/* realpath()ed */
	int exit_before_init;		/* -1: off */
	int signal_before_init;		/* 0: off */
	int signal_on_getattr;		/* 0: off */
	long delay_init_ms;
	const char *init_gate;		/* FIFO opened before answering INIT */
	long noise;			/* bytes written to stdout before INIT */
	bool refuse_init;
	bool hang;
	bool file_root;			/* the root is a regular file: the content */
	const char *mountpoint;		/* --mountpoint=, instead of the operand */
	bool daemonize;
	bool debug;
	bool allow_root;		/* libfuse: -o allow_root */
	const char *source;		/* recorded only */
	const char *mount_options;	/* -o, recorded */
	long exit_delay_ms;		/* after the unmount, before exiting */
	int exit_status;		/* after the unmount; -1: 0 */
	bool ignore_unmount;		/* serve on, unmounted, until killed */
	const char *mount_at;		/* mounted instead of MOUNTPOINT */
	bool cover;
} opt = {
	.content = "hello from testfs\n",
	.exit_before_init = -1,
	.exit_status = -1,
};

/*
 * Append a line to the --record file.  Opening it afresh each time keeps it
 * out of the fd list the tests inspect; a single O_APPEND write() keeps lines
 * from several processes whole.
 */
static void __attribute__((format(printf, 1, 2))) record(const char *fmt, ...)
{
	char *line;
	size_t len;
	FILE *m;
	va_list ap;
	int fd;

	if (!opt.record_file)
		return;
	m = open_memstream(&line, &len);
	if (!m)
		return;
	va_start(ap, fmt);
	vfprintf(m, fmt, ap);
	va_end(ap);
	fputc('\n', m);
	fclose(m);
	fd = open(opt.record_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len)
		fprintf(stderr, "testfs: %s: %m\n", opt.record_file);
	if (fd >= 0)
		close(fd);
	free(line);
}

/* Comma-separated list of the fds we inherited, for the fd-leak tests. */
static char *inherited_fds(void)
{
	struct dirent *de;
	const char *sep = "";
	char *list;
	size_t len;
	FILE *m;
	DIR *d;

	m = open_memstream(&list, &len);
	if (!m)
		return NULL;
	d = opendir("/proc/self/fd");
	while (d && (de = readdir(d))) {
		int fd = atoi(de->d_name);

		if (de->d_name[0] == '.' || fd == dirfd(d))
			continue;
		fprintf(m, "%s%d", sep, fd);
		sep = ",";
	}
	if (d)
		closedir(d);
	fclose(m);
	return list;
}

static char *joined_argv(int argc, char **argv)
{
	char *args;
	size_t len;
	FILE *m = open_memstream(&args, &len);

	if (!m)
		return NULL;
	for (int i = 0; i < argc; i++)
		fprintf(m, "%s%s", i ? " " : "", argv[i]);
	fclose(m);
	return args;
}

static void record_startup(int argc, char **argv)
{
	char *s;

	record("pid=%d", getpid());
	s = inherited_fds();
	record("fds=%s", s ? s : "?");
	free(s);
	s = joined_argv(argc, argv);
	record("argv=%s", s ? s : "?");
	free(s);
	if (opt.source)
		record("source=%s", opt.source);
	if (opt.mount_options)
		record("options=%s", opt.mount_options);
}

/* mountinfo escapes blanks and backslashes as \ooo. */
static void unescape(char *s)
{
	char *d = s;
	unsigned int c;

	while (*s) {
		if (s[0] == '\\' && sscanf(s + 1, "%3o", &c) == 1) {
			*d++ = (char)c;
			s += 4;
		} else {
			*d++ = *s++;
		}
	}
	*d = '\0';
}

/*
 * Is a FUSE mount visible at dir yet?  With synchronous INIT it must not be:
 * the kernel asks for INIT before the mount is attached anywhere.
 */
static const char *fuse_mounted_at(const char *dir)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL, mnt[PATH_MAX];
	size_t n = 0;
	bool found = false;

	if (!f)
		return "unknown";
	while (!found && getline(&line, &n, f) != -1) {
		const char *sep = strstr(line, " - ");

		if (!sep || strncmp(sep + 3, "fuse", 4) != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		unescape(mnt);
		found = strcmp(mnt, dir) == 0;
	}
	free(line);
	fclose(f);
	return found ? "yes" : "no";
}

static void tfs_init(void *userdata UNUSED, struct fuse_conn_info *conn)
{
	struct timespec ts = {
		.tv_sec = opt.delay_init_ms / 1000,
		.tv_nsec = opt.delay_init_ms % 1000 * 1000000,
	};

	record("init mounted=%s", opt.record_mountpoint ?
	       fuse_mounted_at(opt.record_mountpoint) : "unknown");
	if (opt.delay_init_ms)
		nanosleep(&ts, NULL);
	if (opt.init_gate) {
		/* Opening a FIFO to read blocks until someone opens it to write. */
		int fd = open(opt.init_gate, O_RDONLY | O_CLOEXEC);

		if (fd >= 0)
			close(fd);
	}
	if (opt.refuse_init) {
		/* libfuse answers EPROTO to INIT when we want what we can't have. */
		fprintf(stderr, "testfs: refusing INIT\n");
		conn->want |= ~conn->capable;
	}
}

static int tfs_stat(fuse_ino_t ino, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = ino;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (ino == FUSE_ROOT_ID && opt.file_root) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = strlen(opt.content);
	} else if (ino == FUSE_ROOT_ID) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (ino == HELLO_INO) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = strlen(opt.content);
	} else {
		return -1;
	}
	return 0;
}

static void tfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	/* Zero timeouts: every access reaches us, so tests see us die. */
	struct fuse_entry_param e = { .ino = HELLO_INO };

	if (parent == FUSE_ROOT_ID && strcmp(name, "crash") == 0)
		abort();
	if (parent != FUSE_ROOT_ID || strcmp(name, "hello") != 0) {
		fuse_reply_err(req, ENOENT);
		return;
	}
	tfs_stat(e.ino, &e.attr);
	fuse_reply_entry(req, &e);
}

static void tfs_getattr(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi UNUSED)
{
	struct stat st;

	if (opt.signal_on_getattr) {
		signal(opt.signal_on_getattr, SIG_DFL);
		raise(opt.signal_on_getattr);
	}
	if (tfs_stat(ino, &st) < 0)
		fuse_reply_err(req, ENOENT);
	else
		fuse_reply_attr(req, &st, 0);
}

/* Reply with at most size bytes of buf[0..len), starting at off. */
static void reply_slice(fuse_req_t req, const char *buf, size_t len,
			off_t off, size_t size)
{
	if ((size_t)off >= len)
		fuse_reply_buf(req, NULL, 0);
	else
		fuse_reply_buf(req, buf + off, len - off < size ? len - off : size);
}

static void add_dirent(char *buf, size_t *len, fuse_req_t req,
		       const char *name, fuse_ino_t ino, mode_t mode)
{
	struct stat st = { .st_ino = ino, .st_mode = mode };
	size_t n = fuse_add_direntry(req, NULL, 0, name, NULL, 0);

	fuse_add_direntry(req, buf + *len, n, name, &st, *len + n);
	*len += n;
}

static void tfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi UNUSED)
{
	char buf[256];
	size_t len = 0;

	if (ino != FUSE_ROOT_ID) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	add_dirent(buf, &len, req, ".", FUSE_ROOT_ID, S_IFDIR);
	add_dirent(buf, &len, req, "..", FUSE_ROOT_ID, S_IFDIR);
	add_dirent(buf, &len, req, "hello", HELLO_INO, S_IFREG);
	reply_slice(req, buf, len, off, size);
}

static void tfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (ino != HELLO_INO && !(ino == FUSE_ROOT_ID && opt.file_root))
		fuse_reply_err(req, EISDIR);
	else if ((fi->flags & O_ACCMODE) != O_RDONLY)
		fuse_reply_err(req, EACCES);
	else
		fuse_reply_open(req, fi);
}

static void tfs_read(fuse_req_t req, fuse_ino_t ino UNUSED, size_t size,
		     off_t off, struct fuse_file_info *fi UNUSED)
{
	reply_slice(req, opt.content, strlen(opt.content), off, size);
}

static const struct fuse_lowlevel_ops tfs_ops = {
	.init = tfs_init,
	.lookup = tfs_lookup,
	.getattr = tfs_getattr,
	.readdir = tfs_readdir,
	.open = tfs_open,
	.read = tfs_read,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: testfs [OPTIONS] [SOURCE] MOUNTPOINT\n"
		"Serve /hello over FUSE at MOUNTPOINT (a directory or /dev/fd/N).\n"
		"SOURCE is only recorded.  -o NAME[=VALUE],... takes the options below\n"
		"by name, as a mount helper passes them; any other is refused.\n"
		"  --content=TEXT            content of /hello\n"
		"  --exit-before-init=N      exit with status N before reading INIT\n"
		"  --signal-before-init=SIG  die of signal SIG before reading INIT\n"
		"  --refuse-init             answer INIT with an error\n"
		"  --signal-on-getattr=SIG   answer INIT, then die of SIG at the first GETATTR\n"
		"  --delay-init=MS           wait MS milliseconds before answering INIT\n"
		"  --init-gate=FIFO          answer INIT once FIFO has been opened to write\n"
		"  --noise=BYTES             write at least BYTES to stdout before reading INIT\n"
		"  --hang                    never read the device\n"
		"  --exit-delay=MS           once unmounted, wait MS milliseconds before exiting\n"
		"  --exit-status=N           once unmounted, exit with status N\n"
		"  --ignore-unmount          once unmounted, do not exit until killed\n"
		"  --mount-at=DIR            mount DIR by itself, whatever MOUNTPOINT says\n"
		"                            (even /dev/fd/N), as a server that takes its\n"
		"                            mountpoint from another argument does\n"
		"  --cover                   once mounted, mount a tmpfs on top of the mount\n"
		"  --file-root               the root is a regular file holding the content\n"
		"  --mountpoint=PATH         the mountpoint, instead of the MOUNTPOINT operand\n"
		"  --daemonize               fork after mounting; the parent exits 0\n"
		"  --record=FILE             append a trace of events to FILE\n"
		"  --record-mountpoint=DIR   trace whether DIR is mounted at INIT\n"
		"  --debug                   enable libfuse debug output\n"
		"  --allow_root              libfuse's: only root and our user get in\n"
		"  --help                    show this help\n");
}

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("testfs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\ntestfs: usage: testfs [OPTIONS] MOUNTPOINT (see --help)\n", stderr);
	exit(2);
}

static long parse_num(const char *s, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 0 || n > max)
		usage_error("bad number '%s'", s);
	return n;
}

enum { CONTENT = 256, EXIT, SIGNAL, REFUSE, DELAY, HANG, DAEMONIZE,
       RECORD, RECORD_MNT, DEBUG, HELP, INIT_GATE, NOISE, EXIT_DELAY, EXIT_STATUS,
       IGNORE_UNMOUNT, MOUNT_AT, COVER, ALLOW_ROOT, FILE_ROOT, MOUNTPOINT,
       SIGNAL_ON_GETATTR };
static const struct option longopts[] = {
	{ "content", required_argument, NULL, CONTENT },
	{ "exit-before-init", required_argument, NULL, EXIT },
	{ "signal-before-init", required_argument, NULL, SIGNAL },
	{ "refuse-init", no_argument, NULL, REFUSE },
	{ "delay-init", required_argument, NULL, DELAY },
	{ "init-gate", required_argument, NULL, INIT_GATE },
	{ "noise", required_argument, NULL, NOISE },
	{ "hang", no_argument, NULL, HANG },
	{ "exit-delay", required_argument, NULL, EXIT_DELAY },
	{ "exit-status", required_argument, NULL, EXIT_STATUS },
	{ "ignore-unmount", no_argument, NULL, IGNORE_UNMOUNT },
	{ "mount-at", required_argument, NULL, MOUNT_AT },
	{ "cover", no_argument, NULL, COVER },
	{ "signal-on-getattr", required_argument, NULL, SIGNAL_ON_GETATTR },
	{ "file-root", no_argument, NULL, FILE_ROOT },
	{ "mountpoint", required_argument, NULL, MOUNTPOINT },
	{ "daemonize", no_argument, NULL, DAEMONIZE },
	{ "record", required_argument, NULL, RECORD },
	{ "record-mountpoint", required_argument, NULL, RECORD_MNT },
	{ "debug", no_argument, NULL, DEBUG },
	{ "allow_root", no_argument, NULL, ALLOW_ROOT },
	{ "help", no_argument, NULL, HELP },
	{ 0 }
};

static void apply_option(int c, char *value, const char *arg)
{
	switch (c) {
	case CONTENT: opt.content = value; break;
	case EXIT: opt.exit_before_init = parse_num(value, 255); break;
	case SIGNAL: opt.signal_before_init = parse_num(value, SIGRTMAX); break;
	case REFUSE: opt.refuse_init = true; break;
	case DELAY: opt.delay_init_ms = parse_num(value, LONG_MAX); break;
	case INIT_GATE: opt.init_gate = value; break;
	case NOISE: opt.noise = parse_num(value, LONG_MAX); break;
	case HANG: opt.hang = true; break;
	case EXIT_DELAY: opt.exit_delay_ms = parse_num(value, LONG_MAX); break;
	case EXIT_STATUS: opt.exit_status = parse_num(value, 255); break;
	case IGNORE_UNMOUNT: opt.ignore_unmount = true; break;
	case MOUNT_AT: opt.mount_at = value; break;
	case COVER: opt.cover = true; break;
	case SIGNAL_ON_GETATTR: opt.signal_on_getattr = parse_num(value, SIGRTMAX); break;
	case FILE_ROOT: opt.file_root = true; break;
	case MOUNTPOINT: opt.mountpoint = value; break;
	case DAEMONIZE: opt.daemonize = true; break;
	case RECORD: opt.record_file = value; break;
	case RECORD_MNT:
		/*
		 * Resolve it now: at INIT time a classic mount is
		 * already there, and stat()ing it would wait for the
		 * INIT answer we are about to give: a deadlock.
		 */
		opt.record_mountpoint = realpath(value, NULL);
		if (!opt.record_mountpoint)
			usage_error("bad --record-mountpoint '%s'", value);
		break;
	case DEBUG: opt.debug = true; break;
	case ALLOW_ROOT: opt.allow_root = true; break;
	case HELP: usage(stdout); exit(0);
	default: usage_error("bad option '%s'", arg);
	}
}

/* Mount options libfuse applies when it mounts (watch mode): passed on to
 * it as a real server passes them. */
static const char *const kernel_options[] = {
	"ro", "rw", "suid", "nosuid", "dev", "nodev", "exec", "noexec",
	"atime", "noatime", "diratime", "nodiratime", "relatime", "norelatime",
	"strictatime", "nostrictatime", "sync", "async", "dirsync",
	"allow_other", "allow_root", "default_permissions", "auto_unmount",
	"fsname", "subtype", "max_read", NULL
};
static char *fuse_mount_options;	/* those given, for fuse_session_new() */

static bool add_kernel_option(const char *name, const char *value)
{
	const char *const *k;
	char *joined;

	for (k = kernel_options; *k && strcmp(*k, name); k++)
		;
	if (!*k)
		return false;
	if (asprintf(&joined, "%s%s%s%s%s", fuse_mount_options ? fuse_mount_options : "",
		     fuse_mount_options ? "," : "", name, value ? "=" : "", value ? value : "") < 0)
		exit(1);
	free(fuse_mount_options);
	fuse_mount_options = joined;
	return true;
}

/* "-o name[=value],...", as a mount helper passes server options: the
 * long options by name, and the kernel's mount options for libfuse.
 * Anything else is refused, like a real server refuses an option it does
 * not know. */
static void apply_mount_options(char *list)
{
	char *name, *save = NULL;
	const struct option *o;

	for (name = strtok_r(list, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		char *value = strchr(name, '=');

		if (value)
			*value++ = '\0';
		if (add_kernel_option(name, value))
			continue;
		for (o = longopts; o->name && strcmp(o->name, name); o++)
			;
		if (!o->name || (o->has_arg == required_argument) != !!value)
			usage_error("unknown option '%s%s%s'", name, value ? "=" : "", value ? value : "");
		apply_option(o->val, value, name);
	}
}

/* testfs [OPTIONS] [SOURCE] MOUNTPOINT: SOURCE, as a mount helper passes
 * it, is only recorded. */
static const char *parse_options(int argc, char **argv)
{
	int c;

	opterr = 0;	/* getopt's own messages lack our prefix */
	while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
		if (c == 'o') {
			char *copy = strdup(optarg);

			opt.mount_options = optarg;
			if (!copy)
				exit(1);
			apply_mount_options(copy);
			continue;
		}
		apply_option(c, optarg, argv[optind - 1]);
	}
	if (argc - optind == (opt.mountpoint ? 1 : 2))
		opt.source = argv[optind++];
	if (opt.mountpoint && optind == argc)
		return opt.mountpoint;
	if (optind != argc - 1)
		usage_error("%s", optind < argc ? "too many arguments" : "missing MOUNTPOINT");
	return argv[optind];
}

/* Like sshfs: the launcher sees its child exit 0 while a grandchild serves. */
static void daemonize(void)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "testfs: fork: %m\n");
		exit(1);
	}
	if (pid > 0)
		_exit(0);
	setsid();
	record("pid=%d", getpid());
}

/* Exit as a server does when it gives up: unmounted (a mount it made
 * itself, in watch mode; libfuse frees the mountpoint only there), session
 * and memory freed, so that a sanitizer build reports no leak. */
static void __attribute__((noreturn)) exit_before_init(struct fuse_session *se, int status)
{
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	free(opt.record_mountpoint);
	exit(status);
}

static const char *se_mountpoint;

/* Misbehaviours that happen after mounting but before reading INIT. */
static void before_init(struct fuse_session *se)
{
	static const char noise[] = "testfs: noise to fill whatever reads our output\n";

	if (opt.cover && mount("cover", se_mountpoint, "tmpfs", 0, NULL) < 0)
		fprintf(stderr, "testfs: cannot cover the mount: %m\n");
	for (long left = opt.noise; left > 0; left -= (long)sizeof(noise) - 1)
		fputs(noise, stdout);
	fflush(stdout);
	if (opt.exit_before_init >= 0) {
		fprintf(stderr, "testfs: exiting with status %d before INIT\n",
			opt.exit_before_init);
		exit_before_init(se, opt.exit_before_init);
	}
	if (opt.signal_before_init) {
		sigset_t set;

		sigemptyset(&set);
		sigaddset(&set, opt.signal_before_init);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		signal(opt.signal_before_init, SIG_DFL);
		raise(opt.signal_before_init);
		fprintf(stderr, "testfs: signal %d did not kill us\n",
			opt.signal_before_init);
		exit_before_init(se, 1);
	}
	if (opt.hang) {
		/* An inherited SIG_IGN would make us unkillable by SIGTERM. */
		signal(SIGTERM, SIG_DFL);
		for (;;)
			pause();
	}
}

/* The loop ended: the mount is gone.  A server that flushes takes its
 * time; one that ignores the unmount stays until killed. */
static void after_unmount(void)
{
	struct timespec ts = {
		.tv_sec = opt.exit_delay_ms / 1000,
		.tv_nsec = opt.exit_delay_ms % 1000 * 1000000,
	};

	record("unmounted");
	if (opt.exit_delay_ms)
		nanosleep(&ts, NULL);
	if (opt.ignore_unmount) {
		signal(SIGTERM, SIG_IGN);
		for (;;)
			pause();
	}
	record("exit");
}

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_session *se;
	const char *mountpoint;
	int ret;

	mountpoint = parse_options(argc, argv);
	if (opt.mount_at)
		mountpoint = opt.mount_at;
	se_mountpoint = mountpoint;
	if (opt.record_file)
		record_startup(argc, argv);

	if (fuse_opt_add_arg(&args, argv[0]) < 0 ||
	    (opt.debug && fuse_opt_add_arg(&args, "-d") < 0) ||
	    (opt.allow_root && fuse_opt_add_arg(&args, "-oallow_root") < 0) ||
	    (fuse_mount_options && (fuse_opt_add_arg(&args, "-o") < 0 ||
				    fuse_opt_add_arg(&args, fuse_mount_options) < 0)))
		return 1;
	free(fuse_mount_options);
	se = fuse_session_new(&args, &tfs_ops, sizeof(tfs_ops), NULL);
	fuse_opt_free_args(&args);
	if (!se)
		return 1;
	if (fuse_session_mount(se, mountpoint) != 0) {
		fuse_session_destroy(se);
		return 1;
	}
	if (opt.daemonize)
		daemonize();
	before_init(se);

	ret = fuse_set_signal_handlers(se);
	if (ret == 0) {
		/*
		 * 0 only after an unmount: libfuse 3.14 returns the signal
		 * number when SIGTERM & co. ended the loop.
		 */
		ret = fuse_session_loop(se);
		fuse_remove_signal_handlers(se);
	}
	if (ret == 0)
		after_unmount();
	fuse_session_unmount(se);
	fuse_session_destroy(se);
	free(opt.record_mountpoint);
	if (ret == 0 && opt.exit_status >= 0)
		return opt.exit_status;
	return ret ? 1 : 0;
}
