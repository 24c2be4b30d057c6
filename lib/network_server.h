/* Servers of network file systems: systemd's fstab generator knows
 * fuse.sshfs as one, but not fuselaunch.sshfs, which only _netdev orders
 * after the network. */
#ifndef FUSELAUNCH_NETWORK_SERVER_H
#define FUSELAUNCH_NETWORK_SERVER_H

#include <stdbool.h>

/* TYPE (fstab's fuselaunch.TYPE, a server's name) is a known network one. */
bool network_server_is_known(const char *type);

#endif
