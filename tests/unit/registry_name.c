/* The registry's entry names: one pid, one name (issue 23).  strtol took
 * "014.launch", " +14.launch" and thousands more for 14.launch. */
#include "unit.h"

#include "log.h"
#include "registry.h"

#define PID_MAX 4194304L

static const struct {
	const char *name;
	pid_t pid;
} cases[] = {
	{ "14.launch", 14 },
	{ "1.launch", 1 },
	{ "4194303.launch", 4194303 },
	{ "014.launch", 0 },
	{ "0014.launch", 0 },
	{ "0.launch", 0 },
	{ "+14.launch", 0 },
	{ "-14.launch", 0 },
	{ " 14.launch", 0 },
	{ " +14.launch", 0 },
	{ "\t14.launch", 0 },
	{ "\n14.launch", 0 },
	{ "14 .launch", 0 },
	{ "14.launch ", 0 },
	{ "14.launch\n", 0 },
	{ "14.launchx", 0 },
	{ "14.LAUNCH", 0 },
	{ "14.lau", 0 },
	{ "14", 0 },
	{ ".launch", 0 },
	{ "", 0 },
	{ "0x14.launch", 0 },
	{ "1e3.launch", 0 },
	{ "4194304.launch", 0 },
	{ "99999999999999999999.launch", 0 },
	{ "18446744073709551630.launch", 0 },
	{ "14.wait.3", 0 },
	{ ".14.123.tmp", 0 },
	{ "14.launch.launch", 0 },
};

int main(void)
{
	const char *end = NULL;
	char shown[128];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		log_escape(cases[i].name, shown, sizeof(shown));
		CHECK_INT(registry_entry_name_pid(cases[i].name, PID_MAX), cases[i].pid,
			  "entry name \"%s\"", shown);
	}
	/* Below the machine's own pid_max only. */
	CHECK_INT(registry_entry_name_pid("32767.launch", 32768), 32767, "32767 below pid_max 32768");
	CHECK_INT(registry_entry_name_pid("32768.launch", 32768), 0, "32768 is not below pid_max 32768");
	/* The numbers of other names (waiters, users) follow the same rule. */
	CHECK_INT(registry_canonical_number("4242", 4294967295ULL, &end), 4242, "uid 4242");
	CHECK_STR(end, "", "nothing after uid 4242");
	CHECK_INT(registry_canonical_number("04242", 4294967295ULL, &end), 0, "uid 04242");
	CHECK_INT(registry_canonical_number("4294967295", 4294967295ULL, &end), 0,
		  "uid (uid_t)-1 is no user");
	CHECK_INT(registry_canonical_number("12.wait.7", 100, &end), 12, "12 of 12.wait.7");
	CHECK_STR(end, ".wait.7", "the rest of 12.wait.7");
	return unit_done();
}
