/* What both programs do at their edges, as util-linux's do: a write error
 * on stdout fails the program (--help > /dev/full), and a usage error ends
 * with one pointer to --help. */
#ifndef FUSELAUNCH_PROGRAM_H
#define FUSELAUNCH_PROGRAM_H

/* Register the check of stdout at exit: a program whose output was lost
 * exits with EXIT_CODE and says so. */
void program_check_stdout_at_exit(int exit_code);

/* --version: the program, the version and the licence on stdout, then
 * exit with EXIT_CODE. */
void __attribute__((noreturn)) program_exit_version(int exit_code);

/* "Try 'PROGRAM --help' for more information." on stderr, then exit. */
void __attribute__((noreturn)) program_exit_try_help(int exit_code);

#endif
