#include "config.h"

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

char **environment_with(const char *const assignments[])
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
		if (!replaced(environ[i], assignments) && !(env[k++] = strdup(environ[i])))
			goto fail;
	for (i = 0; i < more; i++)
		if (strchr(assignments[i], '=') && !(env[k++] = strdup(assignments[i])))
			goto fail;
	return env;
fail:
	environment_free(env);
	return NULL;
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
