#include "config.h"

#include <string.h>

#include "common.h"
#include "network_server.h"

/* Those systemd knows as network file systems under fuse.*, and other
 * common FUSE clients of remote storage. */
static const char *const network_servers[] = {
	"sshfs", "s3fs", "rclone", "davfs2", "mount.davfs", "httpdirfs", "curlftpfs",
	"gcsfuse", "goofys", "geesefs", "blobfuse2", "glusterfs", "ceph-fuse",
};

bool network_server_is_known(const char *type)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(network_servers); i++)
		if (!strcmp(type, network_servers[i]))
			return true;
	return false;
}
