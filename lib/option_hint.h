/* A hint for a newcomer's mistake: fuselaunch's own options written after
 * the server's name, where they belong to the server. */
#ifndef FUSELAUNCH_OPTION_HINT_H
#define FUSELAUNCH_OPTION_HINT_H

/* The first of the server's arguments ARGV[1..ARGC-1] that is one of
 * fuselaunch's options servers seldom take ("-t", "--mode=fd"), or NULL. */
const char *option_hint_misplaced(int argc, char *const argv[]);

#endif
