/* Whether FUSE_INIT went unanswered, once every server process is gone,
 * from what can be seen of it: the rule, apart from the looking (pure, so
 * that each case of it is tested: tests/unit/init_verdict.c). */
#ifndef FUSELAUNCH_INIT_VERDICT_H
#define FUSELAUNCH_INIT_VERDICT_H

#include <stdbool.h>

/* How long an asleep waiter must stay asleep, where nothing else tells,
 * for its INIT to count as unanswered. */
#define INIT_ASLEEP_FOR_GOOD_MS 200

/* One look, in the order taken. */
struct init_look {
	bool done;		/* the blocking call has returned */
	bool connected;		/* our device has a connection (INIT sent) */
	bool asleep;		/* its waiter sleeps (S or D) */
	int count_rc;		/* reading fusectl's count: 0, -ENOENT (gone), -errno */
	unsigned int waiting;	/* that count, when read */
	bool aborted;		/* our device polled POLLERR, after the count */
};

enum init_verdict {
	INIT_ANSWERED,		/* or not pending any more: the call's result tells */
	INIT_UNANSWERED,
	INIT_LOOK_AGAIN,
};

/* The verdict of LOOK, the waiter having been asleep for *ASLEEP_MS before
 * it (updated; looks are RETRY_MS apart). */
enum init_verdict init_verdict(const struct init_look *look, unsigned int *asleep_ms,
			       unsigned int retry_ms);

#endif
