#include "config.h"

#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "environment.h"
#include "log.h"
#include "privileges.h"

static int capget_self(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capget, &header, data) < 0 ? -errno : 0;
}

static int capset_self(const struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };

	return syscall(SYS_capset, &header, data) < 0 ? -errno : 0;
}

/* What sudo's env_reset gives: a safe PATH, who they are from the
 * password database, and of ours only the terminal, language and time
 * zone.  Root's environment (secrets, LD_*, proxies, ...) is not theirs. */
static char **environment_of(const struct passwd *pw)
{
	static const char *const keep[] = { "TERM", "LANG", "LANGUAGE", "LC_*", "TZ", NULL };
	char *home, *user, *logname, *shell, **env = NULL;

	/* asprintf() leaves its pointer undefined on failure. */
	if (asprintf(&home, "HOME=%s", pw->pw_dir) < 0)
		return NULL;
	if (asprintf(&user, "USER=%s", pw->pw_name) < 0)
		goto out_home;
	if (asprintf(&logname, "LOGNAME=%s", pw->pw_name) < 0)
		goto out_user;
	if (asprintf(&shell, "SHELL=%s", *pw->pw_shell ? pw->pw_shell : "/bin/sh") < 0)
		goto out_logname;
	env = environment_clean((const char *const[]){ "PATH=" SERVER_SAFE_PATH, home, user,
						       logname, shell, NULL }, keep);
	free(shell);
out_logname:
	free(logname);
out_user:
	free(user);
out_home:
	free(home);
	return env;
}

int server_identity_set_user(struct server_identity *id, const char *user)
{
	struct passwd *pw;
	char *end;
	unsigned long number;
	int ngroups = 0, rc;

	errno = 0;
	pw = getpwnam(user);
	if (!pw && !errno && *user >= '0' && *user <= '9') {
		number = strtoul(user, &end, 10);
		/* (uid_t)-1 is no uid, and a wider number must not wrap
		 * round to another one (4294967296 to root). */
		if (errno || *end || number >= (uid_t)-1) {
			log_error("user '%s': not a user name, nor a uid below %u", user,
				  (unsigned int)(uid_t)-1);
			return -EINVAL;
		}
		errno = 0;
		pw = getpwuid((uid_t)number);
	}
	if (!pw) {
		rc = errno ? -errno : -ENOENT;
		log_error("user '%s': %s", user, rc == -ENOENT ? "no such user" : strerror(-rc));
		return rc;
	}
	getgrouplist(pw->pw_name, pw->pw_gid, NULL, &ngroups);
	id->groups = calloc(ngroups > 0 ? ngroups : 1, sizeof(gid_t));
	id->name = strdup(pw->pw_name);
	id->environment = environment_of(pw);
	if (!id->groups || !id->name || !id->environment ||
	    getgrouplist(pw->pw_name, pw->pw_gid, id->groups, &ngroups) < 0) {
		log_error("user '%s': %s", user, strerror(ENOMEM));
		return -ENOMEM;
	}
	id->ngroups = ngroups;
	id->uid = pw->pw_uid;
	id->gid = pw->pw_gid;
	id->switch_user = true;
	return 0;
}

void server_identity_free(struct server_identity *id)
{
	environment_free(id->environment);
	free(id->groups);
	free(id->name);
	memset(id, 0, sizeof(*id));
}

int server_identity_check(const struct server_identity *id, const char *user_option,
			  const char *drop_option)
{
	if (id->switch_user && id->drop_privileges) {
		log_error("%s and %s cannot be used together: the server runs either as another user or as root without capabilities",
			  user_option, drop_option);
		return -EINVAL;
	}
	if (id->switch_user && id->uid == 0) {
		log_error("user '%s' is uid 0: %s would drop nothing (%s runs the server as root without capabilities)",
			  id->name, user_option, drop_option);
		return -EINVAL;
	}
	return 0;
}

static bool is_variable_name(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (i > 0 && s[i] >= '0' && s[i] <= '9')))
			return false;
	return len > 0;
}

int server_identity_preserve_env(struct server_identity *id, const char *names)
{
	const char *p = names;
	int rc = 0;

	while (rc == 0) {
		size_t len = strcspn(p, ",:");
		char *name;

		if (!is_variable_name(p, len)) {
			log_error("invalid variable name '%.*s' to preserve", (int)len, p);
			return -EINVAL;
		}
		name = strndup(p, len);
		if (!name)
			return -ENOMEM;
		/* Without another user the server has all of ours anyway. */
		if (id->environment)
			rc = environment_keep(&id->environment, name);
		free(name);
		if (!p[len])
			break;
		p += len + 1;
	}
	if (rc < 0)
		log_error("preserving the environment: %s", strerror(-rc));
	return rc;
}

bool server_identity_unprivileged(const struct server_identity *id)
{
	return id->switch_user || id->drop_privileges;
}

/* uid 0 without capabilities, for good: exec must not give them back
 * (SECBIT_NOROOT), nor may setuid programs (no_new_privs). */
static int drop_all_capabilities(void)
{
	struct __user_cap_data_struct none[2];
	int cap;

	if (prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP |
		  SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NOROOT | SECBIT_NOROOT_LOCKED) < 0)
		return -errno;
	for (cap = 0; prctl(PR_CAPBSET_READ, cap) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap) < 0)
			return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -errno;
	memset(none, 0, sizeof(none));
	if (capset_self(none) < 0)
		return -errno;
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0;
}

int server_identity_apply(const struct server_identity *id)
{
	if (id->switch_user) {
		/* Changing every uid from 0 clears every capability set.  Raw
		 * system calls: the server may start in a vfork child
		 * (server_process.c), where glibc's wrappers would signal
		 * the parent's threads. */
		if (syscall(SYS_setgroups, (size_t)id->ngroups, id->groups) < 0 ||
		    syscall(SYS_setresgid, id->gid, id->gid, id->gid) < 0 ||
		    syscall(SYS_setresuid, id->uid, id->uid, id->uid) < 0)
			return -errno;
	}
	if (id->drop_privileges)
		return drop_all_capabilities();
	return 0;
}

int server_identity_can_execute(const struct server_identity *id, const char *path)
{
	int status = 0;
	pid_t child;

	if (!id->switch_user)
		return 0;
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		if (server_identity_apply(id) < 0)
			_exit(errno & 0xff);
		_exit(access(path, X_OK) < 0 ? errno & 0xff : 0);
	}
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status))
		return -EIO;
	return -WEXITSTATUS(status);
}

int privileges_lower_for_mount(uint64_t *saved)
{
	struct __user_cap_data_struct data[2];
	int rc;

	rc = capget_self(data);
	if (rc < 0)
		return rc;
	*saved = (uint64_t)data[1].effective << 32 | data[0].effective;
	data[0].effective &= CAP_TO_MASK(CAP_SYS_ADMIN);
	data[1].effective = 0;
	return capset_self(data);
}

void privileges_restore(uint64_t saved)
{
	struct __user_cap_data_struct data[2];

	if (capget_self(data) < 0)
		return;
	data[0].effective = (uint32_t)saved;
	data[1].effective = (uint32_t)(saved >> 32);
	capset_self(data);
}

struct call_as {
	const struct server_identity *id;
	int (*fn)(void *);
	void *arg;
	int rc;
};

static void *run_as(void *arg)
{
	struct call_as *c = arg;

	/* server_identity_apply() makes raw system calls: glibc's wrappers
	 * would change every thread. */
	c->rc = server_identity_apply(c->id);
	if (c->rc == 0)
		c->rc = c->fn(c->arg);
	return NULL;
}

int privileges_call_as(uid_t uid, gid_t gid, int (*fn)(void *), void *arg)
{
	struct server_identity id = { .switch_user = true, .uid = uid, .gid = gid };

	return server_identity_call(&id, fn, arg);
}

int server_identity_call(const struct server_identity *id, int (*fn)(void *), void *arg)
{
	struct call_as c = { id, fn, arg, 0 };
	sigset_t all, old;
	pthread_t thread;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&thread, NULL, run_as, &c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0)
		return rc;
	pthread_join(thread, NULL);
	return c.rc;
}
