/* Environments for programs we exec, built before fork: between fork and
 * exec only async-signal-safe calls are allowed, and setenv() is not one. */
#ifndef FUSELAUNCH_ENVIRONMENT_H
#define FUSELAUNCH_ENVIRONMENT_H

/* A copy of ours with each "NAME=VALUE" of ASSIGNMENTS (NULL-terminated)
 * set, replacing any NAME we have; a bare "NAME" unsets it.  NULL when out
 * of memory. */
char **environment_with(const char *const assignments[]);
void environment_free(char **env);

#endif
