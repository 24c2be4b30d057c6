/* Whether FUSE_INIT went unanswered once the server is gone: each case of
 * the rule (lib/init_verdict.c), as the looks of a launch would see it. */
#include "unit.h"

#include "init_verdict.h"

#define RETRY_MS 10

static const char *const verdicts[] = { "answered", "unanswered", "look again" };

/* The verdict of LOOK after ASLEEP_MS of sleep seen before it. */
static const char *verdict_of(struct init_look look, unsigned int asleep_ms)
{
	return verdicts[init_verdict(&look, &asleep_ms, RETRY_MS)];
}

int main(void)
{
	struct init_look pending = { .connected = true, .asleep = true, .waiting = 1 };
	struct init_look look;
	unsigned int asleep_ms = 0;
	int i;

	CHECK_STR(verdict_of((struct init_look){ .done = true }, 0), "answered",
		  "the blocking call returned: its result tells");
	CHECK_STR(verdict_of((struct init_look){ .connected = false }, 0), "unanswered",
		  "no connection on our device yet: INIT was never sent");
	CHECK_STR(verdict_of(pending, 0), "unanswered",
		  "the waiter asleep, INIT counted in flight: unanswered");

	look = pending;
	look.aborted = true;
	CHECK_STR(verdict_of(look, 0), "answered",
		  "counted in flight, but our connection is aborted: the number is another connection's now");
	look = pending;
	look.asleep = false;
	CHECK_STR(verdict_of(look, 0), "look again",
		  "counted in flight, the waiter awake: it may be taking the answer");
	look = pending;
	look.waiting = 0;
	CHECK_STR(verdict_of(look, 0), "look again",
		  "nothing in flight, the waiter asleep: about to send, or tearing down");
	look = pending;
	look.count_rc = -ENOENT;
	CHECK_STR(verdict_of(look, 0), "answered", "the connection is gone from fusectl");

	/* A user, fusectl not mounted: only the sleep tells. */
	look = pending;
	look.count_rc = -EPERM;
	for (i = 0; i < INIT_ASLEEP_FOR_GOOD_MS / RETRY_MS; i++)
		if (init_verdict(&look, &asleep_ms, RETRY_MS) != INIT_LOOK_AGAIN)
			break;
	CHECK_INT(i, INIT_ASLEEP_FOR_GOOD_MS / RETRY_MS,
		  "asleep up to %d ms, fusectl unreadable: look again", INIT_ASLEEP_FOR_GOOD_MS);
	CHECK_STR(verdicts[init_verdict(&look, &asleep_ms, RETRY_MS)], "unanswered",
		  "asleep throughout more than %d ms: unanswered", INIT_ASLEEP_FOR_GOOD_MS);
	look.asleep = false;
	asleep_ms = INIT_ASLEEP_FOR_GOOD_MS;
	CHECK_STR(verdicts[init_verdict(&look, &asleep_ms, RETRY_MS)], "look again",
		  "awake once: the sleep counts again from nothing");
	CHECK_INT(asleep_ms, 0, "... and its length is reset");
	look.asleep = true;
	look.aborted = true;
	CHECK_STR(verdict_of(look, 10 * INIT_ASLEEP_FOR_GOOD_MS), "answered",
		  "a long sleep in an aborted connection's teardown is not a wait for INIT");
	return unit_done();
}
