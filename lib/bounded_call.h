/* A call that may block on a FUSE server that does not answer (a stat,
 * realpath or open whose path walk crosses such a mount sleeps in D state,
 * DESIGN.md), run where the caller can stop waiting: in a thread, waited
 * for within a timeout and until a cancel signal. */
#ifndef FUSELAUNCH_BOUNDED_CALL_H
#define FUSELAUNCH_BOUNDED_CALL_H

#include <stdbool.h>
#include <stddef.h>

/* Run FN(ARG) in a thread and wait for it at most TIMEOUT_MS (0: for
 * ever), or until one of the cancel signals (cancel_signals.h, which the
 * caller has blocked) arrives.  Returns FN's result; -ETIMEDOUT; or
 * -ECANCELED with the signal in *SIGNAL.  After those two the thread is
 * still in its call, using ARG: the caller must end the process without
 * returning from the frame that owns ARG (_exit): a FUSE request's wait
 * is killable, so the process's exit ends the thread too. */
int bounded_call(int (*fn)(void *arg), void *arg, unsigned int timeout_ms, int *signal);

/* From within FN: PATH (copied) is what it looks at next, until it says
 * NULL; for the caller to name when the call does not end.  One for the
 * process: the launch's checks are its one such caller. */
void bounded_call_looking_at(const char *path);

/* What FN last said it looks at, into BUF: false when nothing (or BUF
 * is too small for it). */
bool bounded_call_looked_at(char *buf, size_t len);

#endif
