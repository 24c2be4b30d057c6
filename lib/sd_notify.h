/* The sd_notify(3) protocol, for --foreground under systemd Type=notify:
 * one datagram to $NOTIFY_SOCKET, without linking libsystemd. */
#ifndef FUSELAUNCH_SD_NOTIFY_H
#define FUSELAUNCH_SD_NOTIFY_H

/* Take $NOTIFY_SOCKET out of our environment, for sd_notify_send() alone:
 * a server that inherited it would send systemd messages in our name
 * (rejected with NotifyAccess=main, taken for ours with =all).  Call
 * before building any environment for a child. */
void sd_notify_take_socket(void);

/* Send STATE ("READY=1", "STATUS=...", several separated by newlines)
 * when systemd gave a socket.  Returns 0 when sent or not asked for,
 * -errno otherwise. */
int sd_notify_send(const char *state);

#endif
