/* Starting the server with exactly fds 0, 1, 2 and the device, and finding
 * every process it became (the launcher is their child subreaper). */
#ifndef FUSELAUNCH_SERVER_PROCESS_H
#define FUSELAUNCH_SERVER_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

struct server_identity;

struct server_stdio {
	int in;		/* becomes the server's fd 0 */
	int out;	/* fd 1 */
	int err;	/* fd 2 */
	bool own_group;	/* start it in a process group of its own */
	bool own_session;/* or in a session of its own, with no terminal */
	int terminal;	/* >= 0: make that group this terminal's foreground one */
};

/* vfork and exec PATH with ARGV as IDENTITY (NULL: as we are); the device
 * fd (if >= 0) is its only descriptor besides STDIO.  Returns 0 once exec
 * succeeded, or the -errno of becoming IDENTITY or of exec.  For a launch
 * with no mount attached yet: the exec's path walk must not wait on it. */
int server_spawn(const char *path, char *const argv[], int device_fd,
		 const struct server_stdio *stdio, const struct server_identity *identity,
		 pid_t *pid);

/* As server_spawn, for a launch whose mount is attached before the server
 * execs (the classic order): fork and exec EXE_FD, an O_PATH descriptor
 * of PATH opened before the mount was attached (a script is exec'd by
 * PATH).  Does not wait for the exec, which may block on that mount until
 * INIT is answered: returns 0 once the child runs, with *EXEC_STATUS_FD
 * (non-blocking, close-on-exec) to learn later how its exec went; or the
 * -errno of fork. */
int server_spawn_pinned(int exe_fd, const char *path, char *const argv[], int device_fd,
			const struct server_stdio *stdio,
			const struct server_identity *identity, pid_t *pid, int *exec_status_fd);

/* Once the child of server_spawn_pinned is gone: the -errno with which
 * becoming its identity or exec failed, or 0 (it exec'd). */
int server_exec_error(int exec_status_fd);

/* How many children this process has other than EXCEPT. */
int server_count_children_except(pid_t except);

/* Send SIG to every child of this process.  Returns how many there were. */
int server_signal_children(int sig);

/* The oldest child of this process, which the server started after it
 * (pid AFTER) forked and exited: the lowest pid above AFTER, else (pids
 * wrapped around) the lowest; 0 when there is none. */
pid_t server_first_child(pid_t after);

#endif
