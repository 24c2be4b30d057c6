/* A process's or thread's /proc stat line: its state, parent, start. */
#ifndef FUSELAUNCH_PROC_STAT_H
#define FUSELAUNCH_PROC_STAT_H

#include <sys/types.h>

/* Whether process or thread TID sleeps (state S or D): 1 if so, 0 if not,
 * -errno when its stat line cannot be read (gone, say): what that means
 * is the caller's to say. */
int proc_asleep(pid_t tid);

/* When process PID started, in clock ticks since boot (field 22): with
 * its pid, what tells one process from a later one given the same pid. */
int proc_stat_start_time(pid_t pid, unsigned long long *start);

/* The real and saved user ids of process PID (whom a process of that
 * user may signal): 0 or -errno. */
int proc_uids(pid_t pid, uid_t *real, uid_t *saved);

/* The parent of process PID, or -1 when it cannot be read (gone). */
pid_t proc_parent_of(pid_t pid);

/* Call FN(PID, ARG) for every process whose pid is FROM or above (1: all),
 * in /proc's order, until FN returns non-zero.  Returns that value, 0
 * when every process was seen, or -errno when /proc cannot be read. */
int proc_for_each_process(pid_t from, int (*fn)(pid_t pid, void *arg), void *arg);

/* Call FN(CHILD, ARG) for every child of PARENT whose pid is FROM or above
 * (the parent of a pid below FROM is not read: on a busy machine that is
 * most of a scan).  This kernel has no /proc/PID/task/TID/children.
 * Returns the number of children, or -errno. */
int proc_for_each_child_of(pid_t parent, pid_t from, void (*fn)(pid_t child, void *arg),
			   void *arg);

/* Send SIG to every child of PARENT.  Returns how many there were, or
 * -errno. */
int proc_signal_children_of(pid_t parent, int sig);

#endif
