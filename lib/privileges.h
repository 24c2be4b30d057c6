/* Who the server runs as when root launches it (--user, --drop-privileges),
 * and what the mounting thread may offer it: the kernel offers some INIT
 * features by the capabilities of the task that creates the superblock
 * (DESIGN.md), so for an unprivileged server that task keeps only what
 * mounting needs. */
#ifndef FUSELAUNCH_PRIVILEGES_H
#define FUSELAUNCH_PRIVILEGES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct server_identity {
	bool switch_user;	/* --user: run as NAME */
	bool drop_privileges;	/* --drop-privileges: uid 0, no capabilities */
	char *name;
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups, as initgroups() sets them */
	int ngroups;
	char **environment;	/* --user: a clean one (environment_of()); NULL: ours */
};

/* The PATH a server run as another user gets. */
#define SERVER_SAFE_PATH "/usr/local/bin:/usr/bin:/bin"

/* Look USER (a name or a number) up in the password database, and give
 * the server a clean environment: PATH=SERVER_SAFE_PATH, HOME, USER,
 * LOGNAME and SHELL of USER, and our TERM, LANG, LANGUAGE, LC_* and TZ.
 * Prints one line naming it and returns -errno on failure. */
int server_identity_set_user(struct server_identity *id, const char *user);
void server_identity_free(struct server_identity *id);

/* --preserve-env=NAMES: pass these variables of ours (separated by ',' or
 * ':') to a server run as another user too; without one it has them all.
 * Call after server_identity_set_user().  Prints why and returns -EINVAL
 * for a bad name. */
int server_identity_preserve_env(struct server_identity *id, const char *names);

/* Refuse what would not do what it says: another user together with
 * dropping privileges, or "another" user who is uid 0.  USER_OPTION and
 * DROP_OPTION name the options as the caller gave them ("--user",
 * "--drop-privileges"; "setuid=", "drop_privileges").  Prints why and
 * returns -EINVAL. */
int server_identity_check(const struct server_identity *id, const char *user_option,
			  const char *drop_option);

/* Whether the server runs with less than the launcher's privileges. */
bool server_identity_unprivileged(const struct server_identity *id);

/* In the server's process between fork and exec: become the identity.
 * Async-signal-safe.  Returns 0 or -errno. */
int server_identity_apply(const struct server_identity *id);

/* Whether the identity may execute PATH (asked in a child that becomes
 * it).  Returns 0 or -errno. */
int server_identity_can_execute(const struct server_identity *id, const char *path);

/* Call FN(ARG) in a thread of its own that has become ID (its ids and
 * groups), and return what it returns: how root checks a path as the
 * server's user would see it. */
int server_identity_call(const struct server_identity *id, int (*fn)(void *), void *arg);

/* Call FN(ARG) in a thread of its own running as UID and GID (no groups), and return
 * what it returns.  Credentials are per thread for the kernel: this is how
 * root asks a FUSE mount that only its owner may use (without allow_other
 * the kernel refuses everyone else, root included). */
int privileges_call_as(uid_t uid, gid_t gid, int (*fn)(void *), void *arg);

/* Lower the calling thread's effective capabilities to CAP_SYS_ADMIN, the
 * one that creating and attaching a mount needs; *SAVED keeps the rest
 * for privileges_restore().  Capabilities are per thread. */
int privileges_lower_for_mount(uint64_t *saved);
void privileges_restore(uint64_t saved);

#endif
