/* A call that may block on a FUSE server that does not answer (a stat,
 * realpath or open whose path walk crosses such a mount sleeps in D state,
 * DESIGN.md), run where the caller can stop waiting: in a thread, waited
 * for within a timeout and until a cancel signal. */
#ifndef FUSELAUNCH_BOUNDED_CALL_H
#define FUSELAUNCH_BOUNDED_CALL_H

/* Run FN(ARG) in a thread and wait for it at most TIMEOUT_MS (0: for
 * ever), or until one of the cancel signals (cancel_signals.h, which the
 * caller has blocked) arrives.  Returns FN's result; -ETIMEDOUT; or
 * -ECANCELED with the signal in *SIGNAL.  After those two the thread is
 * still in its call, using ARG: the caller must end the process without
 * returning from the frame that owns ARG (_exit): a FUSE request's wait
 * is killable, so the process's exit ends the thread too. */
int bounded_call(int (*fn)(void *arg), void *arg, unsigned int timeout_ms, int *signal);

#endif
