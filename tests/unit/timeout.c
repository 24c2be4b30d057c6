/* -t and x-fuselaunch.timeout=: decimal seconds, millisecond resolution,
 * bounded, and a positive value never rounded down to "no timeout". */
#include "unit.h"

#include "launch.h"

int main(void)
{
	static const struct {
		const char *seconds;
		unsigned int ms;
	} good[] = {
		{ "30", 30000 },
		{ "0.5", 500 },
		{ "0", 0 },
		{ "0.0", 0 },
		{ "1.2346", 1235 },
		{ "0.0016", 2 },
		{ "0.0004", 1 },
		{ "1e-9", 1 },
		{ "1e3", 1000000 },
		{ "2592000", 2592000000u },
	};
	static const char *const bad[] = {
		"", "abc", "5s", "1 ", "-1", "-0.001", "2592000.001", "inf", "nan", "1e400", "0x",
	};
	struct launch l;
	const char *said;
	size_t i;

	launch_init(&l);
	CHECK_INT(l.timeout_ms, LAUNCH_DEFAULT_TIMEOUT_MS, "the default timeout");
	CHECK_INT(LAUNCH_DEFAULT_TIMEOUT_MS, 30000, "the default is 30 s, as documented");
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		l.timeout_ms = 42;
		CHECK_INT(launch_set_timeout(&l, good[i].seconds), 0, "'%s' is accepted",
			  good[i].seconds);
		CHECK_INT(l.timeout_ms, good[i].ms, "'%s' is %u ms", good[i].seconds, good[i].ms);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int rc;

		l.timeout_ms = 42;
		unit_capture_start();
		rc = launch_set_timeout(&l, bad[i]);
		said = unit_capture_end();
		CHECK_INT(rc, -EINVAL, "'%s' is refused", bad[i]);
		CHECK_INT(l.timeout_ms, 42, "'%s' leaves the timeout alone", bad[i]);
		CHECK_HAS(said, "invalid timeout", "'%s': the message says so", bad[i]);
	}
	launch_free(&l);
	return unit_done();
}
