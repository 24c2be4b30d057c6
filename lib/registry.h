/* The registry of supervised launches: one small file per launch, written
 * by its supervisor once mounted and removed when it exits, under
 * /run/fuselaunch (root) or $XDG_RUNTIME_DIR/fuselaunch (a user).  It is
 * what --list shows and what --unmount and umount.fuselaunch look up.
 * An entry whose supervisor is gone (killed outright) is never taken for
 * a live one: the supervisor's start time is recorded with its pid. */
#ifndef FUSELAUNCH_REGISTRY_H
#define FUSELAUNCH_REGISTRY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define REGISTRY_ROOT_DIR "/run/fuselaunch"
#define REGISTRY_USERS_DIR "/run/user"	/* root reads /run/user/UID/fuselaunch too */
#define REGISTRY_USER_DIR "fuselaunch"	/* under $XDG_RUNTIME_DIR */
#define REGISTRY_ENTRY_SUFFIX ".launch"	/* PID.launch: a supervisor's entry */
#define REGISTRY_WAIT_INFIX ".wait."	/* PID.wait.N: an unmounter's FIFO */
/* .PID.START.tmp: an entry being written by the supervisor PID started at
 * START (/proc/PID/stat starttime), which renames it into place. */
#define REGISTRY_TMP_FORMAT ".%d.%llu.tmp"

struct launch;
struct launch_status;
struct mounter;

/* The registry's directory (registry_dir()), made if missing and checked
 * to be ours and writable by no one else: a descriptor, or -errno. */
int registry_dir_open(void);

/* The registry directory PATH, as a descriptor, if it is a real one (not
 * a symlink at its last component) owned by OWNER and writable by nobody
 * else, who could plant entries there: -EPERM if not, or -errno. */
int registry_dir_open_owned(const char *path, uid_t owner);

/* One launch, as its file holds it. */
struct registry_record {
	char mountpoint[4096];
	char source[1024];
	char fstype[256];
	char server[4096];	/* its argv, joined by spaces */
	pid_t pid;		/* the serving process */
	pid_t supervisor;
	unsigned long long supervisor_start;	/* /proc/PID/stat starttime */
	uid_t uid;		/* whose launch it is (the file's owner) */
	gid_t gid;		/* the file's group: its owner's group then */
	bool watch;		/* --mode=watch: the server mounted by itself */
	bool sync_init;		/* synchronous FUSE_INIT, or classic */
	bool in_utab;		/* umount(8) keeps its utab entry */
	long long since;	/* mounted at, seconds since the epoch */
	unsigned int init_ms;	/* how long INIT took to be answered */
	uint64_t mount_id;	/* statx's mount id (unique where the kernel has those) */
	unsigned int connection;/* the FUSE connection; 0: not known */
	/* not in the file: derived when read */
	bool server_gone;	/* no process at pid */
	bool unmounting;	/* an unmounter waits for the server's end */
	char path[4200];	/* the entry's file */
};

/* The supervisor's side: its entry, from publish to withdraw.  Small: the
 * supervisor keeps it for as long as the server lives. */
struct registry_entry {
	char *text;		/* the entry's lines but pid=, once described */
	pid_t supervisor;	/* 0: not described yet */
	unsigned long long supervisor_start;
	int start_rc;		/* reading supervisor_start: 0 or -errno */
	pid_t pid;		/* the serving process, as written */
	bool written;
};

/* After success, in the supervisor: fill the outcome's details in STATUS
 * (for --json) and write or rewrite the entry with PID as the serving
 * process.  Failing to write it is said with -v, and the launch stands. */
void registry_publish(struct registry_entry *e, const struct mounter *m,
		      struct launch_status *status, pid_t pid);

/* The server is gone with WAIT_STATUS: tell every unmounter waiting for
 * it, and remove the entry. */
void registry_withdraw(struct registry_entry *e, int wait_status);

/* The directory this user's launches are registered in (root: the one
 * root's are); NULL when there is none.  Static storage. */
const char *registry_dir(void);

/* Call FN for every live entry this user may see (root: every user's too,
 * under /run/user), removing the entries whose supervisor is gone.  FN
 * returns non-zero to stop.  Returns 0 or -errno.
 *
 * What a user can do to their registry costs root little and hides no one
 * else's: a user's directory that is not a directory of theirs alone (a
 * file, a symlink, a mount over it, on a FUSE mount) is skipped, said with
 * -v; nothing below a registry directory is reached across a mount (a
 * FUSE server that never answers would hold root for ever); only the
 * canonical entry names count (registry_entry_name_pid()), at most
 * REGISTRY_USER_ENTRIES_MAX of them per user, said in one line; and a
 * user's entry counts only for a FUSE mount of that user's.
 *
 * The scan runs in a thread, FN too: SIGINT, SIGTERM or SIGHUP (blocked
 * from then on, cancel_signals.h) end the process at any moment of it with
 * FL_EX_CANCELLED, as they end a launch. */
int registry_scan(int (*fn)(const struct registry_record *rec, void *arg), void *arg);

/* fusermount3's mount_max: as many launches as a user may have mounts. */
#define REGISTRY_USER_ENTRIES_MAX 1000

/* The supervisor's pid an entry's NAME stands for: only the canonical
 * PID.launch (decimal, no sign, no leading zero, no blank, below PID_MAX,
 * /proc/sys/kernel/pid_max), so that one pid has one name; 0 for any
 * other name. */
pid_t registry_entry_name_pid(const char *name, long pid_max);

/* The number at the start of S if it is written canonically (as above)
 * and is below LIMIT, with *END past it; 0 if not. */
unsigned long long registry_canonical_number(const char *s, unsigned long long limit,
					     const char **end);

/* NAME in DIR_FD opened with FLAGS, never through a symlink nor across a
 * mount (a FUSE server below a user's registry directory could hold the
 * open for ever): a descriptor, or -errno (-EXDEV: a mount is there). */
int registry_open_below(int dir_fd, const char *name, int flags);

/* Read the entry NAME in DIR_FD into *R (registry.c, for registry_read.c):
 * 0 or -errno. */
int registry_read_entry(int dir_fd, const char *name, struct registry_record *r);

enum registry_writer_state {
	REGISTRY_WRITER_GONE,
	REGISTRY_WRITER_ALIVE,
	REGISTRY_WRITER_UNKNOWN,
};

/* Whether the process PID that started at START (/proc/PID/stat's
 * starttime) still runs: gone only when no process has that pid or the
 * one that has it started at another time; unknown when that cannot be
 * read (no /proc). */
enum registry_writer_state registry_writer_state(pid_t pid, unsigned long long start);

/* Whether REC's supervisor runs as the entry's owner, as the one that
 * wrote it does. */
bool registry_supervisor_is_owner(const struct registry_record *rec);

/* Whether REC's supervisor is, as proven, the live process that wrote it:
 * its start time, and its owner's. */
bool registry_supervisor_alive(const struct registry_record *rec);

/* An unmounter's wait: a FIFO beside the entry, which the supervisor
 * writes the server's wait status to as it withdraws. */
struct registry_wait {
	int fd;			/* the FIFO's read end: polls readable */
	int dir_fd;		/* the entry's directory, held */
	char name[64];		/* the FIFO's name in it; empty: none made */
};

/* Make and open (read, non-blocking) the FIFO, before unmounting. */
int registry_wait_open(const struct registry_record *rec, struct registry_wait *w);
/* Read the wait status: 0, -EAGAIN when none came, or -errno. */
int registry_wait_read(int fd, int *wait_status);
/* Close and remove the FIFO. */
void registry_wait_close(struct registry_wait *w);

#endif
