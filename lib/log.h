/* Messages: every line starts with the program name; -v adds timed steps. */
#ifndef FUSELAUNCH_LOG_H
#define FUSELAUNCH_LOG_H

#include <stdbool.h>

void log_init(const char *program_name, bool verbose);
const char *log_program_name(void);

/* One-line error on stderr: "PROGRAM: MESSAGE". */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* With -v: "PROGRAM: [  12.345 ms] MESSAGE", timed from log_init(). */
void log_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
