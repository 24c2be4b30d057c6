/* SIGINT, SIGTERM and SIGHUP cancel a launch, from the program's first
 * instruction on: blocked at once, so that one sent before there is
 * anything to cancel stays pending for whoever handles them next (the
 * preparation's wait, the daemon's pipe, the supervisor's signalfd)
 * rather than killing the program with 128+N. */
#ifndef FUSELAUNCH_CANCEL_SIGNALS_H
#define FUSELAUNCH_CANCEL_SIGNALS_H

#include <signal.h>

/* The set of signals that cancel a launch. */
void cancel_signals_set(sigset_t *set);

/* Block them in the calling thread (every thread started afterwards
 * inherits that). */
void cancel_signals_block(void);

#endif
