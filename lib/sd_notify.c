#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "sd_notify.h"

static char *notify_socket;

void sd_notify_take_socket(void)
{
	const char *path = getenv("NOTIFY_SOCKET");

	if (path && *path && !notify_socket)
		notify_socket = strdup(path);
	unsetenv("NOTIFY_SOCKET");
}

int sd_notify_send(const char *state)
{
	const char *path = notify_socket;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	socklen_t len;
	int fd, rc = 0;

	if (!path)
		return 0;
	if ((path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(addr.sun_path))
		return -EINVAL;
	memcpy(addr.sun_path, path, strlen(path));
	/* "@name" is a socket in the abstract namespace. */
	if (path[0] == '@')
		addr.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, len) < 0)
		rc = -errno;
	close(fd);
	return rc;
}
