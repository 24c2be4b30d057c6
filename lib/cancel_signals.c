#include "config.h"

#include <signal.h>

#include "cancel_signals.h"
#include "common.h"

static const int cancel_signals[] = { SIGINT, SIGTERM, SIGHUP };

void cancel_signals_set(sigset_t *set)
{
	signal_set_of(set, cancel_signals, ARRAY_SIZE(cancel_signals));
}

void cancel_signals_block(void)
{
	sigset_t set;

	cancel_signals_set(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
}
