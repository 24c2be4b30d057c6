#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "server_process.h"
#include "common.h"
#include "supervisor.h"

#define KILL_WAIT_MS 5000
/* While poll() fails, how long to wait for signals alone between tries. */
#define POLL_RETRY_MS 100

static const int watched_signals[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT };

int supervisor_init(struct supervisor *s)
{
	sigset_t mask;

	s->init_fd = s->parent_fd = s->mounts_fd = -1;
	s->output_fd[0] = s->output_fd[1] = -1;
	s->relay_blocked[0] = s->relay_blocked[1] = false;
	s->deadline_ms = 0;
	s->server_reaped = false;
	s->children_changed = false;
	s->fusermount_pid = 0;
	s->poll_failing = false;
	signal_set_of(&mask, watched_signals, ARRAY_SIZE(watched_signals));
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	s->signal_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return s->signal_fd < 0 ? -errno : 0;
}

void supervisor_close(struct supervisor *s)
{
	int i;

	for (i = 0; i < 2; i++)
		if (s->output_fd[i] >= 0) {
			close(s->output_fd[i]);
			s->output_fd[i] = -1;
		}
	if (s->signal_fd >= 0)
		close(s->signal_fd);
	s->signal_fd = -1;
}

void supervisor_set_timeout(struct supervisor *s, unsigned int timeout_ms)
{
	s->deadline_ms = timeout_ms ? monotonic_ms() + timeout_ms : 0;
}

int supervisor_server_status(const struct supervisor *s)
{
	if (s->server_reaped && !(WIFEXITED(s->server_status) && WEXITSTATUS(s->server_status) == 0))
		return s->server_status;
	return s->last_status;
}

/* Reap what has ended.  Returns true when no child is left but the
 * fusermount3: the subreaper inherits orphans before their parent's SIGCHLD, so
 * an empty list really means every server process is gone.  *REAPED
 * counts server processes. */
static bool reap_children(struct supervisor *s, int *reaped)
{
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid > 0 && pid == s->fusermount_pid) {
			s->fusermount_pid = 0;
			continue;
		}
		if (pid > 0) {
			(*reaped)++;
			s->last_status = status;
			if (pid == s->server_pid) {
				s->server_status = status;
				s->server_reaped = true;
			}
			continue;
		}
		if (pid < 0)
			return errno == ECHILD;
		return s->fusermount_pid > 0 && server_count_children_except(s->fusermount_pid) == 0;
	}
}

static void write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void supervisor_relay_to_syslog(struct supervisor *s, const char *ident)
{
	openlog(ident, LOG_PID, LOG_DAEMON);
	s->to_syslog = true;
}

/* One syslog message per line; a line longer than the buffer is cut. */
static void syslog_lines(struct supervisor *s, int i, const char *buf, size_t len, bool flush)
{
	size_t k;

	for (k = 0; k < len; k++) {
		bool full = s->line[i].len == sizeof(s->line[i].buf);

		if (buf[k] != '\n' && !full) {
			s->line[i].buf[s->line[i].len++] = buf[k];
			continue;
		}
		syslog(i ? LOG_ERR : LOG_INFO, "%.*s", (int)s->line[i].len, s->line[i].buf);
		s->line[i].len = 0;
		if (full && buf[k] != '\n')
			s->line[i].buf[s->line[i].len++] = buf[k];
	}
	if (flush && s->line[i].len) {
		syslog(i ? LOG_ERR : LOG_INFO, "%.*s", (int)s->line[i].len, s->line[i].buf);
		s->line[i].len = 0;
	}
}

/* Whether our fd 1 or 2 (for stream I) takes a relayed read now without
 * blocking; if not, stream I waits until it does (relay_blocked).  The
 * descriptor is the caller's, shared with it, so it cannot be made
 * non-blocking; a pipe that polls writable has room for a page, which is
 * as much as one read relays. */
static bool relay_writable(struct supervisor *s, int i)
{
	struct pollfd out = { .fd = i + 1, .events = POLLOUT };

	if (s->to_syslog)
		return true;
	s->relay_blocked[i] = poll(&out, 1, 0) == 0;
	return !s->relay_blocked[i];
}

/* Relay one read's worth from the server's stream I to our fd 1 or 2.
 * When nobody reads those, the server's own writes block, as they would
 * on the caller's stdout: never the daemon, which must go on watching. */
static void relay_output(struct supervisor *s, int i)
{
	char buf[4096];
	ssize_t n;

	if (!relay_writable(s, i))
		return;
	n = read(s->output_fd[i], buf, sizeof(buf));
	if (n > 0 && s->to_syslog) {
		syslog_lines(s, i, buf, (size_t)n, false);
		return;
	}
	if (n > 0) {
		write_all(i + 1, buf, (size_t)n);
		return;
	}
	if (s->to_syslog)
		syslog_lines(s, i, NULL, 0, true);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	close(s->output_fd[i]);
	s->output_fd[i] = -1;
}

void supervisor_drain_output(struct supervisor *s)
{
	struct pollfd pfd[2];
	int i, n;

	s->relay_blocked[0] = s->relay_blocked[1] = false;
	for (;;) {
		for (i = 0; i < 2; i++) {
			pfd[i].fd = s->relay_blocked[i] ? -1 : s->output_fd[i];
			pfd[i].events = POLLIN;
		}
		n = poll(pfd, 2, 0);
		if (n <= 0)
			return;
		for (i = 0; i < 2; i++)
			if (pfd[i].revents)
				relay_output(s, i);
	}
}

static int poll_timeout(const struct supervisor *s)
{
	uint64_t now, until = s->deadline_ms;

	if (s->recheck_ms && (!until || s->recheck_ms < until))
		until = s->recheck_ms;
	if (!until)
		return -1;
	now = monotonic_ms();
	if (now >= until)
		return 0;
	/* poll() takes an int: beyond 24.8 days, wait in several rounds. */
	return until - now > INT_MAX ? INT_MAX : (int)(until - now);
}

void supervisor_recheck_mounts(struct supervisor *s, unsigned int ms)
{
	s->recheck_ms = monotonic_ms() + ms;
}

/* Read every queued signal: SIGCHLD marks children to reap, any other is
 * returned (the last one wins), 0 when there was none. */
static int read_signals(struct supervisor *s)
{
	struct signalfd_siginfo info;
	int terminating = 0;

	while (read(s->signal_fd, &info, sizeof(info)) == sizeof(info)) {
		if (info.ssi_signo == SIGCHLD)
			s->children_changed = true;
		else
			terminating = (int)info.ssi_signo;
	}
	return terminating;
}

int supervisor_pending_signal(struct supervisor *s)
{
	return read_signals(s);
}

/* poll() failed (fewer descriptors allowed than it watches, say): that is
 * no reason to stop supervising, nor to spin.  Wait for a signal alone,
 * SIGCHLD included, for up to POLL_RETRY_MS, then let poll() be tried
 * again.  Returns the terminating signal that came, or 0. */
static int wait_signal_alone(struct supervisor *s, int poll_error)
{
	struct timespec pause = { 0, POLL_RETRY_MS * 1000000L };
	siginfo_t info;
	sigset_t mask;

	if (!s->poll_failing)
		log_error("cannot wait for events: %s; waiting for signals alone until that works",
			  strerror(poll_error));
	s->poll_failing = true;
	signal_set_of(&mask, watched_signals, ARRAY_SIZE(watched_signals));
	if (sigtimedwait(&mask, &info, &pause) < 0)
		return 0;
	if (info.si_signo == SIGCHLD) {
		s->children_changed = true;
		return 0;
	}
	return info.si_signo;
}

enum supervisor_event supervisor_wait(struct supervisor *s, int *signal)
{
	enum { SIGNALS, INIT, PARENT, MOUNTS, OUT, ERR, COUNT };
	struct pollfd pfd[COUNT];
	int n, i;

	for (;;) {
		if (s->children_changed) {
			int reaped = 0;

			s->children_changed = false;
			if (reap_children(s, &reaped))
				return SUPERVISOR_SERVER_GONE;
			if (reaped)
				return SUPERVISOR_CHILD_REAPED;
		}
		pfd[SIGNALS] = (struct pollfd){ .fd = s->signal_fd, .events = POLLIN };
		pfd[INIT] = (struct pollfd){ .fd = s->init_fd, .events = POLLIN };
		pfd[PARENT] = (struct pollfd){ .fd = s->parent_fd, .events = POLLIN };
		pfd[MOUNTS] = (struct pollfd){ .fd = s->mounts_fd, .events = POLLPRI };
		/* A blocked stream waits for room where it goes, not for input. */
		for (i = 0; i < 2; i++)
			pfd[OUT + i] = s->output_fd[i] >= 0 && s->relay_blocked[i] ?
				(struct pollfd){ .fd = i + 1, .events = POLLOUT } :
				(struct pollfd){ .fd = s->output_fd[i], .events = POLLIN };
		n = poll(pfd, COUNT, poll_timeout(s));
		if (n < 0 && errno != EINTR) {
			if ((*signal = wait_signal_alone(s, errno)))
				return SUPERVISOR_SIGNAL;
			if (s->deadline_ms && monotonic_ms() >= s->deadline_ms)
				return SUPERVISOR_TIMEOUT;
			continue;
		}
		if (n >= 0)
			s->poll_failing = false;
		if (n == 0 && s->deadline_ms && monotonic_ms() >= s->deadline_ms)
			return SUPERVISOR_TIMEOUT;
		if (n == 0 && s->recheck_ms && monotonic_ms() >= s->recheck_ms) {
			s->recheck_ms = 0;
			s->rechecking = true;
			if (s->mounts_fd >= 0)
				return SUPERVISOR_MOUNTS_CHANGED;
		}
		if (n <= 0)
			continue;
		for (i = 0; i < 2; i++)
			if (pfd[OUT + i].revents && s->relay_blocked[i])
				s->relay_blocked[i] = false;
			else if (pfd[OUT + i].revents)
				relay_output(s, i);
		if (pfd[INIT].revents)
			return SUPERVISOR_INIT_DONE;
		if (pfd[PARENT].revents)
			return SUPERVISOR_PARENT_GONE;
		if (pfd[MOUNTS].revents) {
			s->rechecking = false;
			return SUPERVISOR_MOUNTS_CHANGED;
		}
		if (pfd[SIGNALS].revents && (*signal = read_signals(s)))
			return SUPERVISOR_SIGNAL;
	}
}

/* Wait until no server process is left or MS have passed. */
static bool wait_server_gone(struct supervisor *s, unsigned int ms)
{
	uint64_t saved = s->deadline_ms;
	int ignored = 0;
	bool gone = reap_children(s, &ignored);

	supervisor_set_timeout(s, ms);
	while (!gone) {
		enum supervisor_event ev = supervisor_wait(s, &ignored);

		if (ev == SUPERVISOR_TIMEOUT)
			break;
		gone = ev == SUPERVISOR_SERVER_GONE;
	}
	s->deadline_ms = saved;
	return gone;
}

bool supervisor_wait_server_gone(struct supervisor *s, unsigned int ms)
{
	return wait_server_gone(s, ms);
}

int supervisor_signal_server(struct supervisor *s, int sig)
{
	int n = server_signal_children(sig);

	if (n > 0)
		return n;
	/* None found although the server is not reaped yet: /proc cannot be
	 * read (or is not procfs).  The one started, at least. */
	if (s->server_pid <= 0 || s->server_reaped || kill(s->server_pid, sig) < 0)
		return 0;
	return 1;
}

void supervisor_stop_server(struct supervisor *s, unsigned int grace_ms)
{
	int saved_init = s->init_fd, saved_parent = s->parent_fd, saved_mounts = s->mounts_fd;
	uint64_t give_up;

	/* Only the processes matter here. */
	s->init_fd = s->parent_fd = s->mounts_fd = -1;
	if (supervisor_signal_server(s, SIGTERM) <= 0 || wait_server_gone(s, grace_ms))
		goto out;
	give_up = monotonic_ms() + KILL_WAIT_MS;
	/* Each process killed may orphan its children onto us: repeat. */
	while (supervisor_signal_server(s, SIGKILL) > 0 && !wait_server_gone(s, 100) &&
	       monotonic_ms() < give_up)
		;
out:
	s->init_fd = saved_init;
	s->parent_fd = saved_parent;
	s->mounts_fd = saved_mounts;
}
