/*
 * ttythief SERVER [ARGS...]: a hostile server's first moves, then the
 * server.  On each of fds 0, 1 and 2 and on /dev/tty it tries to type a
 * command into the terminal (TIOCSTI) and to make its own process group
 * the terminal's foreground one; it says on stderr what worked, then execs
 * SERVER with ARGS.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static const char typed[] = "echo typed-by-ttythief\n";

static int try_terminal(int fd, const char *name)
{
	int taken = 0;
	size_t i;

	for (i = 0; i < sizeof(typed) - 1; i++)
		if (ioctl(fd, TIOCSTI, &typed[i]) < 0)
			break;
	if (i == sizeof(typed) - 1) {
		fprintf(stderr, "ttythief: typed into %s\n", name);
		taken = 1;
	}
	if (tcsetpgrp(fd, getpgrp()) == 0) {
		fprintf(stderr, "ttythief: took the foreground of %s\n", name);
		taken = 1;
	}
	return taken;
}

int main(int argc, char **argv)
{
	char name[16];
	int fd, taken = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: ttythief SERVER [ARGS...]\n");
		return 2;
	}
	for (fd = 0; fd <= 2; fd++) {
		snprintf(name, sizeof(name), "fd %d", fd);
		taken |= try_terminal(fd, name);
	}
	fd = open("/dev/tty", O_RDWR | O_NOCTTY);
	if (fd >= 0) {
		taken |= try_terminal(fd, "/dev/tty");
		close(fd);
	}
	if (!taken)
		fprintf(stderr, "ttythief: no terminal taken\n");
	execv(argv[1], argv + 1);
	fprintf(stderr, "ttythief: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
