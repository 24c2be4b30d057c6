#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"
#include "exit_codes.h"
#include "launch_list.h"
#include "libsmartcols_lazy.h"
#include "log.h"
#include "registry.h"

enum column_id {
	COL_MOUNTPOINT, COL_SOURCE, COL_FSTYPE, COL_SERVER, COL_PID, COL_SUPERVISOR,
	COL_MODE, COL_INIT, COL_SINCE, COL_INIT_MS, COL_STATE, COL_MOUNT_ID,
	COL_CONNECTION, COL_COUNT
};

struct column {
	const char *name;	/* its JSON name is this in lower case */
	double width;		/* libsmartcols' width hint */
	int flags;
	int json_type;
};

static const struct column columns[COL_COUNT] = {
	[COL_MOUNTPOINT] = { "MOUNTPOINT", 0.2, 0, SCOLS_JSON_STRING },
	[COL_SOURCE] = { "SOURCE", 0.15, 0, SCOLS_JSON_STRING },
	[COL_FSTYPE] = { "FSTYPE", 0.1, 0, SCOLS_JSON_STRING },
	[COL_SERVER] = { "SERVER", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING },
	[COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[COL_SUPERVISOR] = { "SUPERVISOR", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[COL_MODE] = { "MODE", 5, 0, SCOLS_JSON_STRING },
	[COL_INIT] = { "INIT", 7, 0, SCOLS_JSON_STRING },
	[COL_SINCE] = { "SINCE", 24, 0, SCOLS_JSON_STRING },
	[COL_INIT_MS] = { "INIT-MS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[COL_STATE] = { "STATE", 11, 0, SCOLS_JSON_STRING },
	[COL_MOUNT_ID] = { "MOUNT-ID", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[COL_CONNECTION] = { "CONNECTION", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
};

static const enum column_id default_columns[] = {
	COL_MOUNTPOINT, COL_SOURCE, COL_FSTYPE, COL_SERVER, COL_PID, COL_SUPERVISOR,
	COL_MODE, COL_INIT, COL_SINCE, COL_INIT_MS, COL_STATE,
};

struct listing {
	struct libscols_table *table;
	enum column_id shown[COL_COUNT * 4];
	size_t n_shown;
	bool since_valid;	/* since_text holds SINCE for since */
	long long since;
	char since_text[64];
};

const char *launch_list_columns(void)
{
	return "MOUNTPOINT,SOURCE,FSTYPE,SERVER,PID,SUPERVISOR,MODE,INIT,SINCE,INIT-MS,STATE,"
	       "MOUNT-ID,CONNECTION";
}

static int parse_columns(const char *list, struct listing *l)
{
	const char *p = list;

	while (*p) {
		size_t len = strcspn(p, ",");
		size_t i;

		for (i = 0; i < COL_COUNT; i++)
			if (strlen(columns[i].name) == len && !strncasecmp(columns[i].name, p, len))
				break;
		if (i == COL_COUNT || l->n_shown == ARRAY_SIZE(l->shown)) {
			log_error("unknown column '%.*s' in --output: use %s", (int)len, p,
				  launch_list_columns());
			return -EINVAL;
		}
		l->shown[l->n_shown++] = (enum column_id)i;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!l->n_shown) {
		log_error("no column in --output");
		return -EINVAL;
	}
	return 0;
}

static const char *state_of(const struct registry_record *r)
{
	if (r->unmounting)
		return "unmounting";
	return r->server_gone ? "server gone" : "answering";
}

/* SINCE as text: launches started together share it, and localtime_r()
 * with strftime() is a good part of a row's cost. */
static const char *since_text(struct listing *l, long long since)
{
	time_t t = (time_t)since;
	struct tm tm;

	if (l->since_valid && l->since == since)
		return l->since_text;
	if (!localtime_r(&t, &tm) ||
	    !strftime(l->since_text, sizeof(l->since_text), "%Y-%m-%dT%H:%M:%S%z", &tm))
		snprintf(l->since_text, sizeof(l->since_text), "%lld", since);
	l->since = since;
	l->since_valid = true;
	return l->since_text;
}

/* The text of a cell: the record's own string, or BUF. */
static const char *cell_text(struct listing *l, const struct registry_record *r,
			     enum column_id id, char *buf, size_t len)
{
	switch (id) {
	case COL_MOUNTPOINT: return r->mountpoint;
	case COL_SOURCE: return r->source;
	case COL_FSTYPE: return r->fstype;
	case COL_SERVER: return r->server;
	case COL_PID: snprintf(buf, len, "%d", (int)r->pid); break;
	case COL_SUPERVISOR: snprintf(buf, len, "%d", (int)r->supervisor); break;
	case COL_MODE: return r->watch ? "watch" : "fd";
	case COL_INIT: return r->sync_init ? "sync" : "classic";
	case COL_SINCE: return since_text(l, r->since);
	case COL_INIT_MS: snprintf(buf, len, "%u", r->init_ms); break;
	case COL_STATE: return state_of(r);
	case COL_MOUNT_ID: snprintf(buf, len, "%" PRIu64, r->mount_id); break;
	case COL_CONNECTION: snprintf(buf, len, "%u", r->connection); break;
	case COL_COUNT: return "";
	}
	return buf;
}

static int add_row(const struct registry_record *r, void *arg)
{
	struct listing *l = arg;
	struct libscols_line *line = sym_scols_table_new_line(l->table, NULL);
	char number[32];
	size_t i;

	if (!line)
		return -ENOMEM;
	for (i = 0; i < l->n_shown; i++)
		if (sym_scols_line_set_data(line, i, cell_text(l, r, l->shown[i], number,
							      sizeof(number))) < 0)
			return -ENOMEM;
	return 0;
}

static int make_table(const struct launch_list_format *f, struct listing *l,
		      struct libscols_column **sort_by)
{
	size_t i;

	l->table = sym_scols_new_table();
	if (!l->table)
		return -ENOMEM;
	sym_scols_table_enable_json(l->table, f->json);
	sym_scols_table_enable_raw(l->table, f->raw);
	sym_scols_table_enable_noheadings(l->table, f->noheadings);
	sym_scols_table_set_name(l->table, "launches");
	for (i = 0; i < l->n_shown; i++) {
		const struct column *c = &columns[l->shown[i]];
		struct libscols_column *cl = sym_scols_table_new_column(l->table, c->name,
									c->width, c->flags);

		if (!cl)
			return -ENOMEM;
		sym_scols_column_set_json_type(cl, c->json_type);
		if (l->shown[i] == COL_MOUNTPOINT && !*sort_by) {
			sym_scols_column_set_cmpfunc(cl, sym_scols_cmpstr_cells, NULL);
			*sort_by = cl;
		}
	}
	return 0;
}

int launch_list_print(const struct launch_list_format *f)
{
	struct libscols_column *sort_by = NULL;
	struct listing l = { 0 };
	int rc, code = FL_EX_OK;

	if (f->columns) {
		if (parse_columns(f->columns, &l) < 0)
			return FL_EX_USAGE;
	} else {
		memcpy(l.shown, default_columns, sizeof(default_columns));
		l.n_shown = ARRAY_SIZE(default_columns);
	}
	if (libsmartcols_load() < 0)
		return FL_EX_SYSTEM;
	rc = make_table(f, &l, &sort_by);
	if (rc == 0)
		rc = registry_scan(add_row, &l);
	if (rc == 0 && sort_by)
		sym_scols_sort_table(l.table, sort_by);
	if (rc == 0)
		rc = sym_scols_print_table(l.table);
	if (rc < 0) {
		log_error("cannot list the launches: %s", strerror(-rc));
		code = FL_EX_SYSTEM;
	}
	sym_scols_unref_table(l.table);
	return code;
}
