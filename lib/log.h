/* Messages: every line starts with the program name; -v adds timed steps. */
#ifndef FUSELAUNCH_LOG_H
#define FUSELAUNCH_LOG_H

#include <stdbool.h>
#include <stddef.h>

void log_init(const char *program_name, bool verbose);
const char *log_program_name(void);

/* IN into OUT (SIZE bytes, always terminated), with control characters
 * shown as \xHH: C0 controls (newline, ESC, ...), DEL, and C1 controls
 * (U+0080-U+009F, or a lone byte 0x80-0x9f).  Other UTF-8 passes as it
 * is.  Returns the length written.  log_error() and log_step() apply it
 * to every message. */
size_t log_escape(const char *in, char *out, size_t size);

/* One-line error on stderr: "PROGRAM: MESSAGE", MESSAGE escaped. */
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* With -v: "PROGRAM: [  12.345 ms] MESSAGE", timed from log_init(). */
void log_step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
