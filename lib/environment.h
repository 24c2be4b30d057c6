/* Environments for programs we exec, built before fork: between fork and
 * exec only async-signal-safe calls are allowed, and setenv() is not one. */
#ifndef FUSELAUNCH_ENVIRONMENT_H
#define FUSELAUNCH_ENVIRONMENT_H

/* A copy of ours with each "NAME=VALUE" of ASSIGNMENTS (NULL-terminated)
 * set, replacing any NAME we have; a bare "NAME" unsets it.  NULL when out
 * of memory. */
char **environment_with(const char *const assignments[]);

/* A fresh environment, not a copy of ours: each variable of ours that
 * KEEP (NULL-terminated) names, "NAME" or "PREFIX*", unless ASSIGNMENTS
 * names it, and each "NAME=VALUE" of ASSIGNMENTS.  NULL when out of
 * memory. */
char **environment_clean(const char *const assignments[], const char *const keep[]);

/* Set NAME in *ENV to its value in ours, replacing what *ENV has; nothing
 * when we do not have it.  Returns 0 or -ENOMEM. */
int environment_keep(char ***env, const char *name);

void environment_free(char **env);

#endif
