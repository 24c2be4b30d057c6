/* A process's or thread's /proc stat line: its state and parent. */
#ifndef FUSELAUNCH_PROC_STAT_H
#define FUSELAUNCH_PROC_STAT_H

#include <sys/types.h>

/* Read the stat file at PATH (/proc/PID/stat, /proc/self/task/TID/stat):
 * its state letter into *STATE and its parent's pid into *PPID, each when
 * not NULL.  Returns 0 or -errno (-EINVAL for a line that does not parse). */
int proc_stat_read(const char *path, char *state, pid_t *ppid);

/* When process PID started, in clock ticks since boot (field 22): with
 * its pid, what tells one process from a later one given the same pid. */
int proc_stat_start_time(pid_t pid, unsigned long long *start);

#endif
