/*
 * The CPU time of the server under test, when it runs on this machine
 * (-X pid): the user and system time of the process and of every process
 * below it, read from /proc at the start and the end of the timed
 * window.  usmbd and Samba both serve a connection from a child of their
 * master, so the tree under the master's pid is the server.  A child
 * that ended within the window is in its parent's cutime and cstime.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#include "loadgen.h"

struct proc_ent {
	long		 pid;
	long		 ppid;
	unsigned long long ticks;	/* utime + stime + cutime + cstime */
	int		 member;	/* root or below it */
};

/* One /proc/PID/stat: the parent and the ticks, or -1. */
static int
proc_read(long pid, struct proc_ent *e)
{
	char path[64], line[1024], *p;
	unsigned long long ut, st, cut, cst;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	/* The command name may hold spaces and parentheses: skip past it. */
	if (p == NULL || (p = strrchr(line, ')')) == NULL)
		return -1;
	n = sscanf(p + 1, " %*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %llu %llu", &e->ppid, &ut, &st, &cut, &cst);
	if (n != 5)
		return -1;
	e->pid = pid;
	e->member = 0;
	e->ticks = ut + st + cut + cst;
	return 0;
}

/* Seconds of CPU used so far by root and everything below it. */
double
lg_proc_cpu(long root)
{
	struct proc_ent *v = NULL;
	struct dirent *d;
	unsigned long long sum = 0;
	size_t n = 0, cap = 0, i, j;
	long pid, hz;
	char *end;
	DIR *dir;
	int changed;

	if ((dir = opendir("/proc")) == NULL)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		pid = strtol(d->d_name, &end, 10);
		if (*end != '\0' || pid <= 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		if (proc_read(pid, &v[n]) == 0)
			n++;
	}
	closedir(dir);
	/* Mark the tree, a generation a pass, until nothing changes. */
	for (i = 0; i < n; i++)
		v[i].member = v[i].pid == root;
	do {
		changed = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < n && !v[i].member; j++)
				if (v[j].member && v[j].pid == v[i].ppid) {
					v[i].member = 1;
					changed = 1;
				}
	} while (changed);
	for (i = 0; i < n; i++)
		if (v[i].member)
			sum += v[i].ticks;
	free(v);
	if ((hz = sysconf(_SC_CLK_TCK)) <= 0)
		hz = 100;
	return (double)sum / (double)hz;
}
