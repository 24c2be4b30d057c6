#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "environment.h"

extern char **environ;

/* Whether VARIABLE ("NAME=VALUE") is named in ASSIGNMENTS. */
static int replaced(const char *variable, const char *const assignments[])
{
	size_t name = strcspn(variable, "=");
	size_t i;

	for (i = 0; assignments[i]; i++)
		if (strcspn(assignments[i], "=") == name && !strncmp(variable, assignments[i], name))
			return 1;
	return 0;
}

/* Whether VARIABLE ("NAME=VALUE") is named by PATTERN, "NAME" or "PREFIX*". */
static bool named(const char *variable, const char *pattern)
{
	size_t name = strcspn(variable, "="), len = strlen(pattern);

	if (len > 0 && pattern[len - 1] == '*')
		return name >= len - 1 && !strncmp(variable, pattern, len - 1);
	return name == len && !strncmp(variable, pattern, len);
}

/* Whether VARIABLE is named in KEEP; NULL keeps every one. */
static bool kept(const char *variable, const char *const keep[])
{
	size_t i;

	for (i = 0; keep && keep[i]; i++)
		if (named(variable, keep[i]))
			return true;
	return !keep;
}

/* Each variable of ours that KEEP names and ASSIGNMENTS does not, then
 * each "NAME=VALUE" of ASSIGNMENTS. */
static char **environment_of(const char *const assignments[], const char *const keep[])
{
	size_t ours = 0, more = 0, k = 0, i;
	char **env;

	while (environ[ours])
		ours++;
	while (assignments[more])
		more++;
	env = calloc(ours + more + 1, sizeof(*env));
	if (!env)
		return NULL;
	for (i = 0; i < ours; i++)
		if (kept(environ[i], keep) && !replaced(environ[i], assignments) &&
		    !(env[k++] = strdup(environ[i])))
			goto fail;
	for (i = 0; i < more; i++)
		if (strchr(assignments[i], '=') && !(env[k++] = strdup(assignments[i])))
			goto fail;
	return env;
fail:
	environment_free(env);
	return NULL;
}

char **environment_with(const char *const assignments[])
{
	return environment_of(assignments, NULL);
}

char **environment_clean(const char *const assignments[], const char *const keep[])
{
	return environment_of(assignments, keep);
}

int environment_keep(char ***env, const char *name)
{
	size_t n = 0, i;
	char **grown, *copy = NULL;

	for (i = 0; environ[i] && !copy; i++)
		if (named(environ[i], name) && !(copy = strdup(environ[i])))
			return -ENOMEM;
	if (!copy)
		return 0;
	for (n = 0; (*env)[n]; n++)
		if (named((*env)[n], name)) {
			free((*env)[n]);
			(*env)[n] = copy;
			return 0;
		}
	grown = realloc(*env, (n + 2) * sizeof(*grown));
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	grown[n] = copy;
	grown[n + 1] = NULL;
	*env = grown;
	return 0;
}

void environment_free(char **env)
{
	size_t i;

	if (!env)
		return;
	for (i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}
