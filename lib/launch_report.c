#include "config.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>

#include "launch_report.h"

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static const char unknown[] = ", \"mount-id\": null, \"pid\": null, \"supervisor\": null, "
	"\"mode\": null, \"init\": null, \"init-ms\": null}\n";

void launch_report_json_refused(FILE *out, int code, const char *mountpoint)
{
	fprintf(out, "{\"ok\": false, \"exit-code\": %d, \"stage\": \"request\", \"errno\": 0, "
		"\"message\": \"refused before starting anything (see standard error)\", "
		"\"mountpoint\": ", code);
	if (mountpoint)
		json_string(out, mountpoint);
	else
		fputs("null", out);
	fputs(unknown, out);
	fflush(out);
}

void launch_report_json(FILE *out, const struct launch_status *s, int code,
			const char *message, const char *mountpoint)
{
	bool ok = s->stage == STAGE_MOUNTED;

	fprintf(out, "{\"ok\": %s, \"exit-code\": %d, \"stage\": ", ok ? "true" : "false", code);
	json_string(out, launch_status_stage_name(s->stage));
	fprintf(out, ", \"errno\": %d, \"message\": ", (int)s->error);
	json_string(out, message);
	fputs(", \"mountpoint\": ", out);
	json_string(out, mountpoint);
	if (ok) {
		fprintf(out, ", \"mount-id\": %" PRIu64 ", \"pid\": %d, \"supervisor\": %d, "
			"\"mode\": \"%s\", \"init\": \"%s\", \"init-ms\": %u}\n",
			s->mount_id, (int)s->server_pid, (int)s->supervisor_pid,
			s->watch ? "watch" : "fd", s->sync_init ? "sync" : "classic", s->init_ms);
	} else {
		fputs(unknown, out);
	}
	fflush(out);
}
