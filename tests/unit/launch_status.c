/* The status record: its one-line message and exit code for every stage,
 * and its trip through the status pipe. */
#include "unit.h"

#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#include "exit_codes.h"
#include "launch_status.h"
#include "log.h"

static const struct {
	enum launch_stage stage;
	int error;
	int wait_status;
	unsigned int signal;
	const char *detail;
	const char *message;
	int exit_code;
} cases[] = {
	{ STAGE_MOUNTED, 0, 0, 0, "", "testfs mounted on /mnt/t", FL_EX_OK },
	{ STAGE_DEVICE, ENOENT, 0, 0, "", "cannot open /dev/fuse: No such file or directory",
	  FL_EX_SYSTEM },
	{ STAGE_DEVICE, EACCES, 0, 0, "", "cannot open /dev/fuse: Permission denied", FL_EX_SYSTEM },
	{ STAGE_SYNC_INIT, ENOTTY, 0, 0, "",
	  "synchronous FUSE_INIT is not supported by this kernel (Linux 6.18 or newer needed)",
	  FL_EX_SYSTEM },
	{ STAGE_SYNC_INIT, EPERM, 0, 0, "",
	  "cannot enable synchronous FUSE_INIT: Operation not permitted", FL_EX_SYSTEM },
	{ STAGE_FS_OPEN, ENODEV, 0, 0, "", "cannot create a FUSE mount: No such device",
	  FL_EX_SYSTEM },
	{ STAGE_FS_PARAM, EINVAL, 0, 0, "option 'blksize=3'",
	  "the kernel refused mount option 'blksize=3': Invalid argument", FL_EX_MOUNT_FAILED },
	{ STAGE_SERVER_START, ENOENT, 0, 0, "",
	  "cannot start server 'testfs': No such file or directory", FL_EX_SERVER_NOT_FOUND },
	{ STAGE_SERVER_START, EACCES, 0, 0, "", "cannot start server 'testfs': Permission denied",
	  FL_EX_SERVER_NOT_FOUND },
	{ STAGE_SERVER_START, ENOEXEC, 0, 0, "", "cannot start server 'testfs': Exec format error",
	  FL_EX_SERVER_NOT_FOUND },
	{ STAGE_SERVER_START, EAGAIN, 0, 0, "fork",
	  "cannot start server 'testfs': fork: Resource temporarily unavailable", FL_EX_SYSTEM },
	{ STAGE_SERVER_EXIT, 0, 3 << 8, 0, "",
	  "server 'testfs' exited with status 3 before answering FUSE_INIT", FL_EX_SERVER_FAILED },
	{ STAGE_SERVER_EXIT, 0, SIGKILL, 0, "",
	  "server 'testfs' was killed by signal 9 (Killed) before answering FUSE_INIT",
	  FL_EX_SERVER_FAILED },
	{ STAGE_SERVER_EXIT, 0, SIGSEGV | 0x80, 0, "",
	  "server 'testfs' was killed by signal 11 (Segmentation fault), core dumped before answering FUSE_INIT",
	  FL_EX_SERVER_FAILED },
	{ STAGE_SERVER_EXIT, 0, 0, 0, "after forking into the background",
	  "server 'testfs' exited with status 0 after forking into the background",
	  FL_EX_SERVER_FAILED },
	{ STAGE_SERVER_EXIT, 0, 0x137f, 0, "",
	  "server 'testfs' ended with wait status 0x137f before answering FUSE_INIT",
	  FL_EX_SERVER_FAILED },
	{ STAGE_INIT, EPROTO, 0, 0, "", "server 'testfs' refused FUSE_INIT: Protocol error",
	  FL_EX_INIT_REFUSED },
	{ STAGE_MOUNT, EBUSY, 0, 0, "",
	  "the kernel refused the mount on /mnt/t: Device or resource busy", FL_EX_MOUNT_FAILED },
	{ STAGE_TIMEOUT, ETIMEDOUT, 0, 0, "",
	  "server 'testfs' did not answer FUSE_INIT within 1.500 s (-t SECONDS to wait longer)", FL_EX_TIMEOUT },
	{ STAGE_CANCELLED, EINTR, 0, SIGINT, "",
	  "launch of 'testfs' cancelled by signal 2 (Interrupt)", FL_EX_CANCELLED },
	{ STAGE_CANCELLED, EINTR, 0, SIGTERM, "",
	  "launch of 'testfs' cancelled by signal 15 (Terminated)", FL_EX_CANCELLED },
	{ STAGE_INTERNAL, EMFILE, 0, 0, "pipe", "internal error: pipe: Too many open files",
	  FL_EX_SYSTEM },
	{ STAGE_FUSERMOUNT, 0, 0, 0, "fusermount3: option allow_other only allowed if 'user_allow_other' is set in /etc/fuse.conf",
	  "fusermount3 refused the mount on /mnt/t: fusermount3: option allow_other only allowed if 'user_allow_other' is set in /etc/fuse.conf",
	  FL_EX_MOUNT_FAILED },
	{ STAGE_FUSERMOUNT, EPERM, 0, 0, "",
	  "fusermount3 refused the mount on /mnt/t: Operation not permitted", FL_EX_MOUNT_FAILED },
	{ STAGE_PIDFILE, EROFS, 0, 0, "/run/t.pid",
	  "cannot write pidfile '/run/t.pid': Read-only file system", FL_EX_SYSTEM },
	{ STAGE_ELSEWHERE, 0, 0, 0, "mounted /srv, not /mnt/t: give its mountpoint with -m /srv",
	  "server 'testfs' mounted /srv, not /mnt/t: give its mountpoint with -m /srv",
	  FL_EX_USAGE },
	{ (enum launch_stage)99, EIO, 0, 0, "", "internal error: Input/output error", FL_EX_SYSTEM },
};

static void describe_every_stage(void)
{
	bool seen[STAGE_COUNT] = { false };
	char message[512];
	size_t i;
	int stage;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct launch_status s = {
			.stage = cases[i].stage,
			.error = cases[i].error,
			.wait_status = cases[i].wait_status,
			.signal = cases[i].signal,
		};

		snprintf(s.detail, sizeof(s.detail), "%s", cases[i].detail);
		launch_status_describe(&s, "testfs", "/mnt/t", 1500, message, sizeof(message));
		CHECK_STR(message, cases[i].message, "stage %u, %s: message", s.stage,
			  strerrorname_np(s.error) ? strerrorname_np(s.error) : "0");
		CHECK_INT(launch_status_exit_code(&s), cases[i].exit_code, "stage %u, %s: exit code",
			  s.stage, strerrorname_np(s.error) ? strerrorname_np(s.error) : "0");
		if ((unsigned int)cases[i].stage < STAGE_COUNT)
			seen[cases[i].stage] = true;
	}
	/* A stage added to the enum without a case here fails this. */
	for (stage = STAGE_MOUNTED; stage < STAGE_COUNT; stage++)
		CHECK(seen[stage], "stage %d has a message and an exit code checked", stage);

	{
		struct launch_status s = { .stage = STAGE_TIMEOUT };

		launch_status_describe(&s, "sshfs", "/m", 30000, message, sizeof(message));
		CHECK_STR(message, "server 'sshfs' did not answer FUSE_INIT within 30.000 s (-t SECONDS to wait longer)",
			  "the timeout is given in seconds, to the millisecond, with the option that changes it");
		launch_status_describe(&s, "sshfs", "/m", 7, message, sizeof(message));
		CHECK_STR(message, "server 'sshfs' did not answer FUSE_INIT within 0.007 s (-t SECONDS to wait longer)",
			  "a timeout under a second");
		log_init("mount.fuselaunch", false);
		launch_status_describe(&s, "sshfs", "/m", 20000, message, sizeof(message));
		CHECK_STR(message, "server 'sshfs' did not answer FUSE_INIT within 20.000 s (-o fuselaunch.timeout=SECONDS to wait longer)",
			  "mount.fuselaunch names its own option");
		log_init(NULL, false);
		launch_status_describe(&s, "sshfs", "/m", 7, message, 12);
		CHECK_STR(message, "server 'ssh", "a short buffer gets a truncated message");
	}
}

static void status_pipe(void)
{
	struct launch_status sent = { .stage = STAGE_SERVER_EXIT, .error = ECHILD,
				      .wait_status = 1 << 8, .signal = 15 };
	struct launch_status got;
	int fds[2];

	snprintf(sent.detail, sizeof(sent.detail), "after forking");
	CHECK(sizeof(struct launch_status) <= PIPE_BUF, "the record fits an atomic pipe write");
	if (pipe(fds) < 0)
		unit_bail("pipe");
	CHECK_INT(launch_status_send(fds[1], &sent), 0, "send a record");
	memset(&got, 0xff, sizeof(got));
	CHECK_INT(launch_status_receive(fds[0], &got), 0, "receive it");
	CHECK(!memcmp(&got, &sent, sizeof(got)), "it arrives unchanged");

	memset(sent.detail, 'x', sizeof(sent.detail));
	launch_status_send(fds[1], &sent);
	launch_status_receive(fds[0], &got);
	CHECK_INT(strlen(got.detail), sizeof(got.detail) - 1,
		  "an unterminated detail is terminated on receipt");

	CHECK_INT(write(fds[1], "short", 5), 5, "write a short record");
	CHECK_INT(launch_status_receive(fds[0], &got), -EIO, "a short record: EIO");
	close(fds[1]);
	CHECK_INT(launch_status_receive(fds[0], &got), -EPIPE, "the writer gone first: EPIPE");
	close(fds[0]);
	CHECK_INT(launch_status_send(fds[1], &sent), -EBADF, "send on a closed fd: -errno");
}

static void wait_status_words(void)
{
	char words[96];

	wait_status_describe(3 << 8, words, sizeof(words));
	CHECK_STR(words, "exited with status 3", "an exit");
	wait_status_describe(SIGKILL, words, sizeof(words));
	CHECK_STR(words, "was killed by signal 9 (Killed)", "a signal");
	wait_status_describe(SIGSEGV | 0x80, words, sizeof(words));
	CHECK_STR(words, "was killed by signal 11 (Segmentation fault), core dumped",
		  "a core dump");
}

static void record(void)
{
	struct launch_status s = { 0 };

	launch_status_record(&s, STAGE_FS_PARAM, -EINVAL, "max_read");
	CHECK_INT(s.stage, STAGE_FS_PARAM, "the stage is recorded");
	CHECK_INT(s.error, EINVAL, "a negative errno is recorded positive");
	CHECK_STR(s.detail, "max_read", "the detail is recorded");
	launch_status_record(&s, STAGE_TIMEOUT, ETIMEDOUT, NULL);
	CHECK_INT(s.error, ETIMEDOUT, "a positive errno stays");
	CHECK_STR(s.detail, "", "no detail clears the last one");
}

int main(void)
{
	describe_every_stage();
	status_pipe();
	wait_status_words();
	record();
	return unit_done();
}
