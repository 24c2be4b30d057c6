#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "status_line.h"

/* Below this, a launch is quick enough to need no word. */
#define STATUS_LINE_AFTER_MS 2000

static const char *server_name;
static unsigned int timeout;
static bool enabled;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void status_line_enable(const char *server, unsigned int timeout_ms)
{
	server_name = server;
	timeout = timeout_ms;
	enabled = isatty(STDERR_FILENO) == 1;
}

static void show(long long waited_ms)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "\r\033[K%s: waiting for %s to answer FUSE_INIT: %lld s",
		     log_program_name(), server_name, waited_ms / 1000);
	if (timeout && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - (size_t)n, " of %u s", timeout / 1000);
	/* One write: the server's own output may share the terminal. */
	if (write(STDERR_FILENO, line, strlen(line)) < 0)
		enabled = false;
}

void status_line_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long long start = now_ms(), next = start + STATUS_LINE_AFTER_MS;
	bool shown = false;
	int n;

	if (!enabled)
		return;
	for (;;) {
		long long now = now_ms();

		n = poll(&pfd, 1, next > now ? (int)(next - now) : 0);
		if (n > 0 || (n < 0 && errno != EINTR))
			break;
		now = now_ms();
		if (n == 0 && now >= next && enabled) {
			show(now - start);
			shown = true;
			next = now + 1000 - (now - start) % 1000;
		}
	}
	if (shown && write(STDERR_FILENO, "\r\033[K", 4) < 0)
		enabled = false;
}
