/* The rule (mounter.c takes each look in the order it relies on):
 *
 * Until the init thread has made the connection, INIT has not been sent,
 * so it cannot have been answered.  Then INIT is pending while its
 * request is in flight and its waiter sleeps on it.  An answer wakes the
 * waiter, but the request counts as in flight until the waiter has run
 * and dropped it, which on a busy machine may be after the server is
 * reaped: no request in flight, or a waiter awake, is a look again.
 *
 * The waiter is seen asleep before the request is counted, never after:
 * having taken a refusal it sleeps again while the failed superblock is
 * torn down, and a count read before that sleep would make the refusal
 * look unanswered.  The server is gone, so once the waiter sleeps the
 * count of our connection can only fall.
 *
 * But the number read may no longer be our connection's: the teardown
 * aborts the connection, then gives its number up, and another launch's
 * connection may take it at once with its own INIT in flight.  Our device
 * polls POLLERR from the abort on: looked at after the count, not aborted
 * means the count was ours; aborted means nothing of ours is pending.
 *
 * Where the count cannot be read (a user, fusectl not mounted): a waiter
 * woken by an answer sleeps again only briefly, one waiting for an answer
 * that will never come sleeps for good. */
#include "config.h"

#include <errno.h>

#include "init_verdict.h"

enum init_verdict init_verdict(const struct init_look *look, unsigned int *asleep_ms,
			       unsigned int retry_ms)
{
	if (look->done)
		return INIT_ANSWERED;
	if (!look->connected)
		return INIT_UNANSWERED;
	if (look->count_rc == -ENOENT || look->aborted)
		return INIT_ANSWERED;
	if (look->count_rc < 0) {
		*asleep_ms = look->asleep ? *asleep_ms + retry_ms : 0;
		return *asleep_ms > INIT_ASLEEP_FOR_GOOD_MS ? INIT_UNANSWERED : INIT_LOOK_AGAIN;
	}
	return look->asleep && look->waiting > 0 ? INIT_UNANSWERED : INIT_LOOK_AGAIN;
}
