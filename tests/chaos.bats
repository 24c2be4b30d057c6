#!/usr/bin/env bats
# A short seeded run of the fault-injection harness (tests/chaos/run): the
# same draws every time, so a failure here replays with the line it prints
# (make chaos SEED=.. ONLY=..).  tests/README.md says what it checks.

@test "chaos: seeded random launches, faults and races break no promise" {
	run timeout --kill-after=10 600 env N="${CHAOS_N:-24}" SEED="${CHAOS_SEED:-1}" \
		JOBS="${CHAOS_JOBS:-2}" ONLY= "$BATS_TEST_DIRNAME/chaos/run"
	# The failures and the summary, not the passing lines.
	grep -v '^ok ' <<<"$output"
	[ "$status" -eq 0 ]
}
