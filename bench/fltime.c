/*
 * fltime - the benchmark's stopwatch (CLOCK_MONOTONIC, nanoseconds).
 *
 *   fltime run [-s PATH] [-t MS] [-p US] -- CMD [ARGS...]
 *	Run CMD (stdout to /dev/null, stderr inherited) and wait for it.
 *	With -s, then stat PATH until that succeeds on another device than
 *	PATH had before CMD ran, that is until PATH is the root of a new mount
 *	and that file system answers; sleeping US microseconds (default 50)
 *	between tries.  A stat of a FUSE mount blocks until the server has
 *	answered FUSE_INIT, so this is "mounted and usable".  Prints
 *	"NS POLLS": the time from just before fork() to CMD's exit (or, with
 *	-s, to that stat), and how many stats were needed (0 without -s).
 *	Exits 0, or 1 if CMD failed or the stat did not succeed within MS
 *	milliseconds (default 10000), or 2 on a usage or system error.
 *
 *   fltime par -n N [-t MS] -- CMD [ARGS...]
 *	Start N copies of CMD at once; in the arguments, "%d" becomes the
 *	copy's index (0 .. N-1).  Prints one line per copy, "I STATUS NS"
 *	(STATUS is CMD's exit status, or 128+signal; NS from just before that
 *	copy's fork() to its exit), then "wall NS": from the first fork to
 *	the last exit.  Exits 0 when every copy exited 0, else 1.
 *
 * A copy that outlives MS milliseconds is killed with SIGKILL (it is our
 * own child, by pid) and counts as failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void __attribute__((noreturn)) usage(void)
{
	fputs("usage: fltime run [-s PATH] [-t MS] [-p US] -- CMD [ARGS...]\n"
	      "       fltime par -n N [-t MS] -- CMD [ARGS...]\n", stderr);
	exit(2);
}

static pid_t spawn(char **argv)
{
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			dup2(null, 1);
		execvp(argv[0], argv);
		fprintf(stderr, "fltime: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (pid < 0) {
		perror("fltime: fork");
		exit(2);
	}
	return pid;
}

static int exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* SIGALRM after MS milliseconds interrupts a blocking waitpid(). */
static void arm_timeout(long ms)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { ms / 1000, (ms % 1000) * 1000 } };

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_timeout(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
	signal(SIGALRM, SIG_DFL);
}

/* A blocking wait for any child; 0 when the timeout came first. */
static pid_t wait_child(int *status)
{
	pid_t pid = waitpid(-1, status, 0);

	return pid < 0 && errno == EINTR ? 0 : pid;
}

static int cmd_run(int argc, char **argv)
{
	const char *path = NULL;
	long timeout_ms = 10000, poll_us = 50;
	int64_t start, end, deadline;
	long polls = 0;
	pid_t ended;
	struct stat st, before;
	int c, status;
	pid_t pid;

	while ((c = getopt(argc, argv, "+s:t:p:")) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 't': timeout_ms = atol(optarg); break;
		case 'p': poll_us = atol(optarg); break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	/* Before the clock starts: what PATH is while nothing is mounted there. */
	if (path && stat(path, &before) < 0) {
		fprintf(stderr, "fltime: %s: %s\n", path, strerror(errno));
		return 2;
	}
	start = now_ns();
	deadline = start + timeout_ms * 1000000;
	pid = spawn(argv + optind);
	/* A blocking wait: polling would add its period to the time. */
	arm_timeout(timeout_ms);
	ended = wait_child(&status);
	disarm_timeout();
	if (ended == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fprintf(stderr, "fltime: %s did not exit within %ld ms\n", argv[optind],
			timeout_ms);
		return 1;
	}
	if (ended != pid) {
		perror("fltime: waitpid");
		return 2;
	}
	if (exit_code(status) != 0) {
		fprintf(stderr, "fltime: %s exited with status %d\n", argv[optind],
			exit_code(status));
		return 1;
	}
	if (path) {
		/* A stat of a hung mount blocks: SIGALRM (default action) ends us. */
		alarm((unsigned)((deadline - now_ns()) / 1000000000 + 1));
		for (;;) {
			int rc;

			polls++;
			rc = stat(path, &st);
			if (rc == 0 && st.st_dev != before.st_dev)
				break;
			if (now_ns() >= deadline) {
				fprintf(stderr, "fltime: %s: %s after %ld tries\n", path,
					rc < 0 ? strerror(errno) : "nothing mounted", polls);
				return 1;
			}
			if (poll_us > 0)
				usleep((useconds_t)poll_us);
		}
		alarm(0);
	}
	end = now_ns();
	printf("%lld %ld\n", (long long)(end - start), polls);
	return 0;
}

static int cmd_par(int argc, char **argv)
{
	long n = 0, timeout_ms = 60000, i, left, failed = 0;
	int64_t first, last = 0, *started;
	pid_t *pids;
	int c, status;
	char **args;

	while ((c = getopt(argc, argv, "+n:t:")) != -1) {
		switch (c) {
		case 'n': n = atol(optarg); break;
		case 't': timeout_ms = atol(optarg); break;
		default: usage();
		}
	}
	if (n <= 0 || optind >= argc)
		usage();
	argc -= optind;
	argv += optind;
	pids = calloc((size_t)n, sizeof(*pids));
	started = calloc((size_t)n, sizeof(*started));
	args = calloc((size_t)argc + 1, sizeof(*args));
	if (!pids || !started || !args)
		return 2;
	first = now_ns();
	for (i = 0; i < n; i++) {
		int j;

		/* Arguments are formatted in the child, after fork: the clock
		 * starts at the fork, as for fltime run. */
		started[i] = now_ns();
		pids[i] = fork();
		if (pids[i] == 0) {
			int null = open("/dev/null", O_WRONLY);

			if (null >= 0)
				dup2(null, 1);
			for (j = 0; j < argc; j++) {
				char *p = strstr(argv[j], "%d");

				if (!p) {
					args[j] = argv[j];
				} else if (asprintf(&args[j], "%.*s%ld%s", (int)(p - argv[j]),
						    argv[j], i, p + 2) < 0) {
					_exit(127);
				}
			}
			execvp(args[0], args);
			fprintf(stderr, "fltime: %s: %s\n", args[0], strerror(errno));
			_exit(127);
		}
		if (pids[i] < 0) {
			perror("fltime: fork");
			return 2;
		}
	}
	arm_timeout(timeout_ms);
	for (left = n; left > 0; left--) {
		pid_t pid = wait_child(&status);
		int64_t t = now_ns();

		if (pid < 0) {
			perror("fltime: waitpid");
			return 2;
		}
		if (pid == 0) {
			for (i = 0; i < n; i++)
				if (pids[i] > 0) {
					kill(pids[i], SIGKILL);
					printf("%ld timeout %lld\n", i, (long long)(t - started[i]));
					failed++;
				}
			break;
		}
		for (i = 0; i < n && pids[i] != pid; i++)
			;
		if (i == n)
			continue;
		pids[i] = 0;
		last = t;
		if (exit_code(status) != 0)
			failed++;
		printf("%ld %d %lld\n", i, exit_code(status), (long long)(t - started[i]));
	}
	disarm_timeout();
	while (waitpid(-1, &status, WNOHANG) > 0)
		;
	printf("wall %lld\n", (long long)(last - first));
	return failed ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "par"))
		return cmd_par(argc - 1, argv + 1);
	usage();
}
