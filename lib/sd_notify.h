/* The sd_notify(3) protocol, for --foreground under systemd Type=notify:
 * one datagram to $NOTIFY_SOCKET, without linking libsystemd. */
#ifndef FUSELAUNCH_SD_NOTIFY_H
#define FUSELAUNCH_SD_NOTIFY_H

/* Send STATE ("READY=1", ...) when NOTIFY_SOCKET is set.  Returns 0 when
 * sent or not asked for, -errno otherwise. */
int sd_notify_send(const char *state);

#endif
