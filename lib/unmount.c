#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cancel_signals.h"
#include "common.h"
#include "exit_codes.h"
#include "fuse_connection.h"
#include "fusermount.h"
#include "kernel_mount.h"
#include "launch_status.h"
#include "log.h"
#include "mount_holders.h"
#include "proc_stat.h"
#include "registry.h"
#include "supervisor.h"
#include "unmount.h"
#include "utab.h"

#define SIGKILL_AFTER "2 s after SIGTERM"
_Static_assert(SUPERVISOR_STOP_GRACE_MS == 2000, "SIGKILL_AFTER says 2 s");
/* After SIGKILL, how long the server's end may take to be told. */
#define KILL_WAIT_MS 5000

/* What the mount table has at the mountpoint (the mount on top). */
struct mount_seen {
	int id;
	dev_t dev;
	char fstype[256];
	char source[1024];
	bool fuse_owned;	/* a FUSE mount whose user_id= and group_id= are: */
	uid_t user_id;
	gid_t group_id;
};

/* A FUSE mount's owner, from its super options. */
static void fuse_owner(struct mount_seen *seen, char *options)
{
	unsigned int id, found = 0;
	char *option, *save = NULL;

	seen->fuse_owned = false;
	if (!fuse_fstype(seen->fstype))
		return;
	for (option = strtok_r(options, ",", &save); option; option = strtok_r(NULL, ",", &save)) {
		if (sscanf(option, "user_id=%u", &id) == 1) {
			seen->user_id = (uid_t)id;
			found |= 1;
		} else if (sscanf(option, "group_id=%u", &id) == 1) {
			seen->group_id = (gid_t)id;
			found |= 2;
		}
	}
	seen->fuse_owned = found == 3;
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

/* The last (topmost) mount on PATH: 0, or -ENOENT when none is. */
static int find_mount(const char *path, struct mount_seen *seen)
{
	char *line = NULL, target[PATH_MAX], fstype[256], source[1024], options[4096];
	unsigned int major, minor;
	size_t size = 0;
	int id, rc = -ENOENT;
	FILE *f;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0) {
		char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%d %*d %u:%u %*s %4095s", &id, &major, &minor, target) != 4 ||
		    sscanf(sep + 3, "%255s %1023s %4095s", fstype, source, options) != 3)
			continue;
		unescape(target);
		if (strcmp(target, path))
			continue;
		seen->id = id;
		seen->dev = makedev(major, minor);
		unescape(source);
		snprintf(seen->fstype, sizeof(seen->fstype), "%s", fstype);
		snprintf(seen->source, sizeof(seen->source), "%s", source);
		fuse_owner(seen, options);
		rc = 0;
	}
	free(line);
	fclose(f);
	return rc;
}

/* The mountpoint as the mount table names it, without walking into the
 * mount itself: its parent is resolved, its last component kept (a stat
 * of the mount's root would ask its server, which may hang). */
static int absolute_mountpoint(const char *given, char *out, size_t len)
{
	char copy[PATH_MAX], copy2[PATH_MAX], parent[PATH_MAX];
	const char *base;
	size_t n;

	snprintf(copy, sizeof(copy), "%s", given);
	for (n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
		copy[n - 1] = '\0';
	if (!strcmp(copy, "/")) {
		snprintf(out, len, "/");
		return 0;
	}
	snprintf(copy2, sizeof(copy2), "%s", copy);
	base = basename(copy2);
	if (!strcmp(base, ".") || !strcmp(base, "..")) {
		if (!realpath(copy, parent))
			return -errno;
		snprintf(out, len, "%s", parent);
		return 0;
	}
	if (!realpath(dirname(copy), parent))
		return -errno;
	if ((size_t)snprintf(out, len, "%s%s%s", parent, strcmp(parent, "/") ? "/" : "", base) >= len)
		return -ENAMETOOLONG;
	return 0;
}

struct lookup {
	const char *path;
	const struct mount_seen *seen;
	struct registry_record rec;
	bool found;
};

/* Without allow_other the kernel lets only a FUSE mount's owner look at
 * it, root included: root looks as its owner. */
static void look_as_mount_owner(const struct mount_seen *seen)
{
	if (geteuid() == 0 && seen->fuse_owned)
		kernel_mount_set_owner(seen->user_id, seen->group_id);
	else
		kernel_mount_set_owner(geteuid(), getegid());
}

static int match_entry(const struct registry_record *rec, void *arg)
{
	struct lookup *l = arg;

	if (strcmp(rec->mountpoint, l->path))
		return 0;
	/* Another's entry (a user's, read by root) names the mount, which
	 * the user wrote: it counts only for a FUSE mount of that user's. */
	if (rec->uid != geteuid() && !(l->seen->fuse_owned && l->seen->user_id == rec->uid))
		return 0;
	look_as_mount_owner(l->seen);
	if (kernel_mount_check_at(l->path, rec->mount_id, NULL))
		return 0;
	l->rec = *rec;
	l->found = true;
	return 1;
}

/* The server's name: its argv[0]'s last component. */
static void server_name(const struct registry_record *rec, char *name, size_t len)
{
	const char *slash;
	size_t n = strcspn(rec->server, " ");

	snprintf(name, len, "%.*s", (int)n, rec->server);
	slash = strrchr(name, '/');
	if (slash)
		memmove(name, slash + 1, strlen(slash));
}


struct waiting {
	struct registry_wait fifo;
	int pidfd;
	int signal_fd;		/* the cancel signals (cancel_signals.h) */
	int signal;		/* the one that cancelled the wait */
	pid_t supervisor;
	uid_t owner;		/* whose launch: the entry's owner */
};

/* Wait until DEADLINE (0: for ever) for the server's wait status: 0,
 * -ETIMEDOUT, -ESRCH when the supervisor ended without telling, or
 * -ECANCELED on a cancel signal (in w->signal). */
static int wait_server(struct waiting *w, uint64_t deadline, int *wait_status)
{
	struct pollfd pfd[3] = {
		{ .fd = w->fifo.fd, .events = POLLIN },
		{ .fd = w->pidfd, .events = POLLIN },
		{ .fd = w->signal_fd, .events = POLLIN },
	};
	struct signalfd_siginfo info;
	int timeout, n;

	for (;;) {
		if (registry_wait_read(w->fifo.fd, wait_status) == 0)
			return 0;
		if (w->pidfd < 0 && kill(w->supervisor, 0) < 0 && errno == ESRCH)
			return registry_wait_read(w->fifo.fd, wait_status) == 0 ? 0 : -ESRCH;
		timeout = -1;
		if (deadline) {
			uint64_t now = monotonic_ms();

			if (now >= deadline)
				return -ETIMEDOUT;
			timeout = deadline - now > INT_MAX ? INT_MAX : (int)(deadline - now);
		}
		/* Without a pidfd, look at the supervisor now and then. */
		if (w->pidfd < 0 && (timeout < 0 || timeout > 100))
			timeout = 100;
		n = poll(pfd, 3, timeout);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0 && (pfd[2].revents & POLLIN) &&
		    read(w->signal_fd, &info, sizeof(info)) == sizeof(info)) {
			w->signal = (int)info.ssi_signo;
			return -ECANCELED;
		}
		if (n > 0 && (pfd[1].revents & POLLIN))
			return registry_wait_read(w->fifo.fd, wait_status) == 0 ? 0 : -ESRCH;
		/* A writer came and went: what it wrote is read above. */
		if (n > 0 && (pfd[0].revents & POLLHUP) && !(pfd[0].revents & POLLIN))
			pfd[0].fd = -1;
	}
}

struct signal_as {
	uid_t owner;
	int sig;
};

/* What the launch's owner could signal: a process whose real or saved
 * user id is theirs (kill(2)'s rule); not one the server started that
 * took other ids for good (a root shell that su(1) started, say). */
static void signal_as_owner(pid_t child, void *arg)
{
	const struct signal_as *as = arg;
	uid_t real, saved;

	if (proc_uids(child, &real, &saved) == 0 && (real == as->owner || saved == as->owner))
		kill(child, as->sig);
}

/* The server's processes are the supervisor's children, of which it is
 * the parent or, once orphaned, the subreaper; root stops a user's launch
 * with no more power than that user has. */
static void signal_server(const struct waiting *w, int sig)
{
	struct signal_as as = { w->owner, sig };

	if (w->owner == geteuid())
		proc_signal_children_of(w->supervisor, sig);
	else
		proc_for_each_child_of(w->supervisor, 1, signal_as_owner, &as);
}

/* The server did not exit in time: SIGTERM, then SIGKILL. */
static int stop_server(struct waiting *w, int *wait_status, const char **how)
{
	int rc;

	*how = "stopped it with SIGTERM";
	signal_server(w, SIGTERM);
	rc = wait_server(w, monotonic_ms() + SUPERVISOR_STOP_GRACE_MS, wait_status);
	if (rc != -ETIMEDOUT)
		return rc;
	*how = "killed it with SIGKILL " SIGKILL_AFTER;
	signal_server(w, SIGKILL);
	return wait_server(w, monotonic_ms() + KILL_WAIT_MS, wait_status);
}

static int do_unmount(const struct unmount_request *req, const struct registry_record *rec,
		      char *why, size_t whylen)
{
	char *fusermount = NULL;
	int rc;

	if (geteuid() == 0) {
		/* By the checked mount, not by its path: a user's path may
		 * change under us to lead to another mount. */
		rc = kernel_mount_unmount_at(rec->mountpoint, rec->mount_id,
					     req->lazy ? MNT_DETACH : 0);
		if (rc < 0) {
			snprintf(why, whylen, "%s", strerror(-rc));
			return rc;
		}
		/* umount(8) leaves utab to the helper that it ran. */
		if (rec->in_utab)
			utab_forget(rec->mountpoint);
		return 0;
	}
	rc = fusermount_find(&fusermount);
	if (rc < 0) {
		snprintf(why, whylen, "no %s to unmount as user %u", FUSERMOUNT_PROGRAM,
			 (unsigned int)getuid());
		return rc;
	}
	rc = fusermount_unmount_as_user(fusermount, rec->mountpoint, req->lazy, rec->in_utab,
					why, whylen);
	free(fusermount);
	return rc;
}

static int report_end(const char *server, const char *path, int wait_status,
		      const char *stopped, unsigned int timeout_ms)
{
	char how[128];

	wait_status_describe(wait_status, how, sizeof(how));
	if (stopped) {
		log_error("server '%s' did not exit within %u.%03u s of the unmount of %s; %s",
			  server, timeout_ms / 1000, timeout_ms % 1000, path, stopped);
		return FL_EX_TIMEOUT;
	}
	if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0) {
		log_step("unmounted %s; server '%s' %s", path, server, how);
		return FL_EX_OK;
	}
	log_error("server '%s' %s after the unmount of %s", server, how, path);
	return FL_EX_SERVER_FAILED;
}

/* Not a mount of ours: say what it is. */
static int not_ours(const char *path, const struct mount_seen *seen)
{
	log_error("%s is not a mount of fuselaunch: it is a %s mount of %s (mount %d)", path,
		  seen->fstype, seen->source, seen->id);
	return FL_EX_NOT_OURS;
}

/* umount(8) ran us for a mount whose supervisor is gone (killed
 * outright): there is no server's end to wait for, but the mount is
 * still to go. */
static int unmount_unsupervised(const struct unmount_request *req, const char *path,
				const struct mount_seen *seen)
{
	struct registry_record rec = { .in_utab = true };
	char why[512] = "";
	int fd, rc = 0;

	snprintf(rec.mountpoint, sizeof(rec.mountpoint), "%s", path);
	/* No entry says which mount root is to unmount: the one there now. */
	look_as_mount_owner(seen);
	if (geteuid() == 0) {
		rc = kernel_mount_open_at(path, &fd, &rec.mount_id);
		if (rc == 0)
			close(fd);
	}
	if (rc == 0)
		rc = do_unmount(req, &rec, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "%s", strerror(-rc));
	if (rc < 0) {
		log_error("cannot unmount %s: %s", path, why);
		return rc == -EBUSY ? FL_EX_BUSY : FL_EX_SYSTEM;
	}
	log_step("unmounted %s; no supervisor was left to wait for", path);
	return FL_EX_OK;
}

int unmount_run(const struct unmount_request *req)
{
	struct waiting w = { .fifo = { .fd = -1, .dir_fd = -1 }, .pidfd = -1, .signal_fd = -1 };
	sigset_t cancel;
	struct lookup l = { 0 };
	struct mount_seen seen;
	char path[PATH_MAX], why[512] = "", holders[1024], server[256];
	const char *stopped = NULL;
	int rc, wait_status = 0, code;

	rc = absolute_mountpoint(req->mountpoint, path, sizeof(path));
	if (rc < 0) {
		log_error("mountpoint '%s': %s", req->mountpoint, strerror(-rc));
		return FL_EX_USAGE;
	}
	rc = find_mount(path, &seen);
	if (rc == -ENOENT) {
		log_error("%s is not a mount point", path);
		return FL_EX_NOT_OURS;
	}
	if (rc < 0) {
		log_error("cannot read the mount table: %s", strerror(-rc));
		return FL_EX_SYSTEM;
	}
	l.path = path;
	l.seen = &seen;
	rc = registry_scan(match_entry, &l);
	if (!l.found && req->unsupervised_too)
		return unmount_unsupervised(req, path, &seen);
	if (!l.found)
		return not_ours(path, &seen);
	server_name(&l.rec, server, sizeof(server));
	log_step("%s is %s's mount (supervisor %d, server %d)", path, server,
		 (int)l.rec.supervisor, (int)l.rec.pid);
	w.supervisor = l.rec.supervisor;
	w.owner = l.rec.uid;
	rc = registry_wait_open(&l.rec, &w.fifo);
	if (rc < 0) {
		log_error("cannot wait for the server of %s: %s", path, strerror(-rc));
		return FL_EX_SYSTEM;
	}
	w.pidfd = (int)syscall(SYS_pidfd_open, w.supervisor, 0);
	/* The wait for the server ends at -t, and on a cancel signal. */
	cancel_signals_set(&cancel);
	sigprocmask(SIG_BLOCK, &cancel, NULL);
	w.signal_fd = signalfd(-1, &cancel, SFD_CLOEXEC | SFD_NONBLOCK);
	if (!registry_supervisor_alive(&l.rec)) {
		/* It went meanwhile: it is no launch of ours any more. */
		code = not_ours(path, &seen);
		goto out;
	}
	rc = do_unmount(req, &l.rec, why, sizeof(why));
	if (rc < 0) {
		if (rc == -EBUSY &&
		    mount_holders_describe(path, seen.id, seen.dev, holders, sizeof(holders)) > 0) {
			log_error("%s is busy: held by %s", path, holders);
			code = FL_EX_BUSY;
		} else {
			log_error("cannot unmount %s: %s", path, why);
			code = rc == -EBUSY ? FL_EX_BUSY : FL_EX_SYSTEM;
		}
		goto out;
	}
	log_step("unmounted %s; waiting for server '%s' to exit", path, server);
	rc = wait_server(&w, req->timeout_ms ? monotonic_ms() + req->timeout_ms : 0, &wait_status);
	if (rc == -ETIMEDOUT)
		rc = stop_server(&w, &wait_status, &stopped);
	if (rc == -ECANCELED) {
		log_error("%s is unmounted; the wait for server '%s' to exit was cancelled by signal %d (%s)",
			  path, server, w.signal, strsignal(w.signal));
		code = FL_EX_CANCELLED;
		goto out;
	}
	if (rc < 0) {
		if (stopped)
			log_error("server '%s' did not exit within %u.%03u s of the unmount of %s; %s",
				  server, req->timeout_ms / 1000, req->timeout_ms % 1000, path, stopped);
		else
			log_error("the supervisor of %s (pid %d) ended without telling how server '%s' ended",
				  path, (int)w.supervisor, server);
		code = stopped ? FL_EX_TIMEOUT : FL_EX_SYSTEM;
		goto out;
	}
	code = report_end(server, path, wait_status, stopped, req->timeout_ms);
out:
	if (w.signal_fd >= 0)
		close(w.signal_fd);
	if (w.pidfd >= 0)
		close(w.pidfd);
	registry_wait_close(&w.fifo);
	return code;
}
