/*
 * Privilege drop and sandboxes: one checked step to the target user, then
 * PR_SET_NO_NEW_PRIVS, a Landlock ruleset and a seccomp-bpf allow-list of
 * the program's own (doc/design.md §1, invariants 2, 4 and 5).
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "landlock_compat.h"
#include "log.h"
#include "evil.h"
#include "sandbox.h"
#include "util.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH	AUDIT_ARCH_AARCH64
#else
#error "usmbd's seccomp filter knows x86_64 and aarch64 only"
#endif

static const char	*sandbox_prog = "?";
static char		 sandbox_state[256] = "no sandbox";
/*
 * The ids the privilege drop kept: a session worker's own and the one
 * other identity its shares need.  seccomp lets it switch its effective
 * ids among these and nothing else.
 */
static struct {
	uid_t	uid[2];
	gid_t	gid[2];
	int	set;
} sandbox_ids;

/* Names of system calls, for the SIGSYS report in debug mode. */
#define SC(n)	{ __NR_##n, #n },
static const struct {
	long		 nr;
	const char	*name;
} sandbox_names[] = {
#include "syscall_names.h"
};
#undef SC

const char *
sandbox_syscall_name(long nr)
{
	size_t i;

	for (i = 0; i < nitems(sandbox_names); i++)
		if (sandbox_names[i].nr == nr)
			return sandbox_names[i].name;
	return "unknown";
}

const char *
sandbox_describe(void)
{
	return sandbox_state;
}

int
sandbox_user_lookup(const char *name, struct sandbox_user *su)
{
	struct passwd *pw;
	int n = 16;

	memset(su, 0, sizeof(*su));
	su->saved_uid = (uid_t)-1;
	su->saved_gid = (gid_t)-1;
	if ((pw = getpwnam(name)) == NULL) {
		log_warnx("user %s does not exist", name);
		return -1;
	}
	su->name = xstrdup(pw->pw_name);
	su->uid = pw->pw_uid;
	su->gid = pw->pw_gid;
	su->home = xstrdup(pw->pw_dir);
	su->groups = xcalloc((size_t)n, sizeof(gid_t));
	while (getgrouplist(pw->pw_name, pw->pw_gid, su->groups, &n) == -1) {
		if (n > 4096) {
			log_warnx("user %s: too many groups", name);
			sandbox_user_free(su);
			return -1;
		}
		su->groups = xreallocarray(su->groups, (size_t)n,
		    sizeof(gid_t));
	}
	su->ngroups = n;
	return 0;
}

void
sandbox_user_free(struct sandbox_user *su)
{
	free(su->name);
	free(su->groups);
	free(su->home);
	memset(su, 0, sizeof(*su));
}

/*
 * One step, one check: groups, gid, uid; then verify that every id is
 * what it should be and that root cannot be regained.
 */
void
sandbox_drop_privs(const struct sandbox_user *su)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	uid_t su_s = su->saved_uid != (uid_t)-1 ? su->saved_uid : su->uid;
	gid_t sg_s = su->saved_gid != (gid_t)-1 ? su->saved_gid : su->gid;

	if (su->uid == 0 || su_s == 0)
		fatalx("refusing to run as root after the privilege drop");
	if (su->gid == 0 || sg_s == 0)
		fatalx("refusing to run as group 0 after the privilege drop");
	if (setgroups((size_t)su->ngroups, su->groups) == -1 ||
	    setresgid(su->gid, su->gid, sg_s) == -1 ||
	    setresuid(su->uid, su->uid, su_s) == -1)
		fatal("cannot drop privileges to %s (uid %u)",
		    su->name != NULL ? su->name : "?", su->uid);
	if (getresuid(&r, &e, &s) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    r != su->uid || e != su->uid || s != su_s ||
	    rg != su->gid || eg != su->gid || sg != sg_s)
		fatalx("privilege drop did not take");
	sandbox_ids.uid[0] = su->uid;
	sandbox_ids.uid[1] = su_s;
	sandbox_ids.gid[0] = su->gid;
	sandbox_ids.gid[1] = sg_s;
	sandbox_ids.set = su_s != su->uid || sg_s != su->gid;
	if (setuid(0) != -1 || seteuid(0) != -1)
		fatalx("root could be regained after the privilege drop");
	if (prctl(PR_SET_DUMPABLE, 0) == -1)
		fatal("PR_SET_DUMPABLE");
}

void
sandbox_as_user(const struct sandbox_user *su)
{
	if (setgroups((size_t)su->ngroups, su->groups) == -1 ||
	    setresgid(-1, su->gid, -1) == -1 ||
	    setresuid(-1, su->uid, -1) == -1)
		fatal("cannot act as %s", su->name != NULL ? su->name : "?");
}

void
sandbox_as_root(void)
{
	if (setresuid(-1, 0, -1) == -1 || setresgid(-1, 0, -1) == -1 ||
	    setgroups(0, NULL) == -1)
		fatal("cannot return to root");
}

/*
 * Resource limits.  RLIMIT_NPROC is per user, and the preauth user is
 * shared by every preauth process, so it cannot be set to 0 without
 * refusing the next connection's process: seccomp forbids fork instead.
 * RLIMIT_FSIZE stays: in the foreground, stderr may be a log file.
 */
void
sandbox_limits(enum usmbd_prog prog, rlim_t nofile)
{
	struct rlimit rl;

	rl.rlim_cur = rl.rlim_max = 0;
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("RLIMIT_CORE");
	if (nofile == 0)
		return;
	rl.rlim_cur = rl.rlim_max = nofile;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return;
	/*
	 * Without CAP_SYS_RESOURCE the hard limit cannot grow: take what
	 * there is.  An ordinary limit, so only the debug log says so.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("RLIMIT_NOFILE");
	if (rl.rlim_max < nofile)
		log_debug("open files limited to %llu (wanted %llu)",
		    (unsigned long long)rl.rlim_max,
		    (unsigned long long)nofile);
	rl.rlim_cur = rl.rlim_max < nofile ? rl.rlim_max : nofile;
	rl.rlim_max = rl.rlim_cur > rl.rlim_max ? rl.rlim_cur : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("RLIMIT_NOFILE");
}

static int	sandbox_landlock_required;

void
sandbox_require_landlock(int yes)
{
	sandbox_landlock_required = yes;
}

int
sandbox_landlock_abi(void)
{
	long abi;

	abi = syscall(__NR_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return abi < 0 ? 0 : (int)abi;
}

static uint64_t
sandbox_fs_rights(int abi)
{
	uint64_t r = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE |
	    LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
	    LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
	    LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
	    LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK |
	    LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK |
	    LANDLOCK_ACCESS_FS_MAKE_SYM;

	if (abi >= 2)
		r |= LANDLOCK_ACCESS_FS_REFER;
	if (abi >= 3)
		r |= LANDLOCK_ACCESS_FS_TRUNCATE;
	if (abi >= 5)
		r |= LANDLOCK_ACCESS_FS_IOCTL_DEV;
	return r;
}

/*
 * Landlock: every file right the kernel knows is handled, so whatever is
 * not granted below is denied; TCP bind/connect are denied outright
 * (ABI 4), and signals and abstract sockets are scoped to the process
 * (ABI 6).
 */
static void
sandbox_landlock(enum usmbd_prog prog, const struct sandbox_path *paths)
{
	struct landlock_ruleset_attr attr;
	struct landlock_path_beneath_attr pb;
	size_t attrsize;
	uint64_t all, grant;
	int abi, rfd, fd, i;

	if ((abi = sandbox_landlock_abi()) == 0) {
		/* A worker's file confinement is Landlock: never fail open. */
		if (prog == PROG_SESSION && sandbox_landlock_required)
			fatalx("Landlock is not available in this kernel; a "
			    "session worker does not run without a file system "
			    "sandbox (require landlock = no allows it)");
		log_warnx("Landlock is not available in this kernel; %s runs "
		    "without a file system sandbox", sandbox_prog);
		snprintf(sandbox_state, sizeof(sandbox_state),
		    "seccomp; no Landlock");
		return;
	}
	memset(&attr, 0, sizeof(attr));
	all = sandbox_fs_rights(abi);
	attr.handled_access_fs = all;
	attrsize = offsetof(struct landlock_ruleset_attr, handled_access_net);
	if (abi >= 4) {
		attr.handled_access_net = LANDLOCK_ACCESS_NET_BIND_TCP |
		    LANDLOCK_ACCESS_NET_CONNECT_TCP;
		attrsize = offsetof(struct landlock_ruleset_attr, scoped);
	}
	if (abi >= 6) {
		attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
		    LANDLOCK_SCOPE_SIGNAL;
		attrsize = sizeof(attr);
	}
	if ((rfd = (int)syscall(__NR_landlock_create_ruleset, &attr,
	    attrsize, 0)) == -1)
		fatal("landlock_create_ruleset");
	if (prog == PROG_SESSION)
		grant = all & ~(LANDLOCK_ACCESS_FS_EXECUTE |
		    LANDLOCK_ACCESS_FS_MAKE_CHAR |
		    LANDLOCK_ACCESS_FS_MAKE_BLOCK |
		    LANDLOCK_ACCESS_FS_MAKE_SOCK |
		    LANDLOCK_ACCESS_FS_MAKE_FIFO |
		    LANDLOCK_ACCESS_FS_IOCTL_DEV);
	else
		grant = LANDLOCK_ACCESS_FS_READ_FILE |
		    LANDLOCK_ACCESS_FS_READ_DIR;
	for (i = 0; paths != NULL && paths[i].path != NULL; i++) {
		if (paths[i].fd != -1)
			fd = paths[i].fd;
		else if ((fd = open(paths[i].path, O_PATH | O_CLOEXEC)) == -1) {
			log_warn("sandbox: %s", paths[i].path);
			continue;
		}
		memset(&pb, 0, sizeof(pb));
		pb.parent_fd = fd;
		pb.allowed_access = grant;
		/* A read-only share is read-only to the kernel too. */
		if (!paths[i].write)
			pb.allowed_access &= LANDLOCK_ACCESS_FS_READ_FILE |
			    LANDLOCK_ACCESS_FS_READ_DIR;
		/* Directory-only rights cannot be granted on a file. */
		{
			struct stat st;

			if (fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode))
				pb.allowed_access &= LANDLOCK_ACCESS_FS_READ_FILE |
				    LANDLOCK_ACCESS_FS_WRITE_FILE |
				    LANDLOCK_ACCESS_FS_TRUNCATE;
		}
		if (syscall(__NR_landlock_add_rule, rfd,
		    LANDLOCK_RULE_PATH_BENEATH, &pb, 0) == -1)
			fatal("landlock_add_rule %s", paths[i].path);
		if (fd != paths[i].fd)
			close(fd);
	}
	if (syscall(__NR_landlock_restrict_self, rfd, 0) == -1)
		fatal("landlock_restrict_self");
	close(rfd);
	snprintf(sandbox_state, sizeof(sandbox_state),
	    "seccomp; Landlock ABI %d, %d path%s", abi, i, i == 1 ? "" : "s");
}

/* Building a filter: a growing array of instructions. */
struct bpf_prog {
	struct sock_filter	ins[1024];
	size_t			n;
};

static void
bpf_add(struct bpf_prog *p, struct sock_filter f)
{
	if (p->n >= nitems(p->ins))
		fatalx("seccomp filter too long");
	p->ins[p->n++] = f;
}

#define LD_NR()		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			    offsetof(struct seccomp_data, nr))
#define LD_ARG(i)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, \
			    offsetof(struct seccomp_data, args[i]))
#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))

static void
bpf_allow(struct bpf_prog *p, long nr)
{
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    (uint32_t)nr, 0, 1));
	bpf_add(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
}

static void
bpf_ret(struct bpf_prog *p, long nr, uint32_t action)
{
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    (uint32_t)nr, 0, 1));
	bpf_add(p, (struct sock_filter)RET(action));
}

/*
 * Allow nr only when the low 32 bits of args[arg] equal value, else take
 * action.  Leaves the accumulator holding the argument.
 */
static void
bpf_allow_if_eq(struct bpf_prog *p, long nr, int arg, uint32_t value,
    uint32_t action)
{
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    (uint32_t)nr, 0, 4));
	bpf_add(p, (struct sock_filter)LD_ARG(arg));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    value, 1, 0));
	bpf_add(p, (struct sock_filter)RET(action));
	bpf_add(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
}

/* Allow nr only when (args[arg] & mask) == 0, else take action. */
static void
bpf_allow_unless(struct bpf_prog *p, long nr, int arg, uint32_t mask,
    uint32_t action)
{
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    (uint32_t)nr, 0, 4));
	bpf_add(p, (struct sock_filter)LD_ARG(arg));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
	    mask, 0, 1));
	bpf_add(p, (struct sock_filter)RET(action));
	bpf_add(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
}

/*
 * Allow nr (setresuid or setresgid) only as (-1, id, -1) with id one of
 * a and b: the effective id changes, to one the drop kept.  Anything
 * else takes action.  Leaves the accumulator holding the number again.
 */
static void
bpf_allow_setres(struct bpf_prog *p, long nr, uint32_t a, uint32_t b,
    uint32_t action)
{
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    (uint32_t)nr, 0, 9));
	bpf_add(p, (struct sock_filter)LD_ARG(0));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    UINT32_MAX, 0, 6));
	bpf_add(p, (struct sock_filter)LD_ARG(2));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    UINT32_MAX, 0, 4));
	bpf_add(p, (struct sock_filter)LD_ARG(1));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    a, 1, 0));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    b, 0, 1));
	bpf_add(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
	bpf_add(p, (struct sock_filter)RET(action));
	bpf_add(p, (struct sock_filter)LD_NR());
}

/* What every sandboxed usmbd program needs: memory, time, IPC, events. */
static const long sandbox_common[] = {
	__NR_read, __NR_write, __NR_readv, __NR_writev, __NR_close,
	__NR_recvmsg, __NR_sendmsg, __NR_recvfrom, __NR_sendto,
	__NR_shutdown, __NR_getsockopt, __NR_setsockopt, __NR_getpeername,
	__NR_getsockname,
	__NR_epoll_create1, __NR_epoll_ctl, __NR_epoll_pwait,
#ifdef __NR_epoll_wait
	__NR_epoll_wait,
#endif
#ifdef __NR_poll
	__NR_poll,
#endif
	__NR_ppoll,
	__NR_brk, __NR_munmap, __NR_mremap, __NR_madvise,
	__NR_futex, __NR_clock_gettime, __NR_gettimeofday,
	__NR_getpid, __NR_gettid, __NR_getuid, __NR_geteuid, __NR_getgid,
	__NR_getegid, __NR_getresuid, __NR_getresgid,
	__NR_rt_sigreturn, __NR_rt_sigprocmask, __NR_rt_sigaction,
	__NR_sigaltstack,
	__NR_exit, __NR_exit_group, __NR_restart_syscall, __NR_sched_yield,
	__NR_getrandom, __NR_nanosleep, __NR_clock_nanosleep,
	__NR_lseek, __NR_fstat, __NR_newfstatat, __NR_fcntl, __NR_dup,
	__NR_dup3, __NR_pipe2, __NR_eventfd2, __NR_tgkill, __NR_getrlimit,
	__NR_rseq, __NR_set_robust_list, __NR_uname,
	__NR_sched_getaffinity, __NR_getcwd,
#ifdef __NR_time
	__NR_time,
#endif
#ifdef __NR_dup2
	__NR_dup2,
#endif
};

/* And what the session worker needs to serve files. */
static const long sandbox_files[] = {
	__NR_openat, __NR_openat2, __NR_pread64, __NR_pwrite64,
	__NR_preadv, __NR_pwritev, __NR_preadv2, __NR_pwritev2,
	__NR_statx, __NR_getdents64, __NR_mkdirat, __NR_unlinkat,
	__NR_renameat2, __NR_linkat, __NR_readlinkat,
#ifdef __NR_renameat
	__NR_renameat,
#endif
	__NR_fchmod, __NR_fchown,
	__NR_utimensat, __NR_fsync, __NR_fdatasync, __NR_sync_file_range,
	__NR_ftruncate, __NR_fallocate, __NR_fadvise64,
	/* IO threads bring a zero-copy READ's data into the page cache. */
	__NR_readahead,
	__NR_copy_file_range, __NR_sendfile, __NR_splice, __NR_tee,
	__NR_fgetxattr, __NR_fsetxattr, __NR_flistxattr, __NR_fremovexattr,
	__NR_fstatfs, __NR_flock,
	__NR_inotify_init1, __NR_inotify_add_watch, __NR_inotify_rm_watch,
	/* A watch is added as "." in the directory (smb2_notify.c). */
	__NR_fchdir, __NR_chdir,
	__NR_faccessat, __NR_faccessat2, __NR_memfd_create,
	__NR_set_tid_address,
	/*
	 * An O_PATH copy of an open for lockd (lockd_client.c); with a path
	 * it is an O_PATH open, which openat already allows.
	 */
	__NR_open_tree,
	/* The older x86_64 entry points some libc functions still use. */
#ifdef __NR_access
	__NR_access,
#endif
#ifdef __NR_open
	__NR_open,
#endif
#ifdef __NR_unlink
	__NR_unlink, __NR_rmdir, __NR_mkdir, __NR_rename, __NR_link,
	__NR_readlink, __NR_stat, __NR_lstat,
#endif
};

/* Never, in any sandboxed program: these always kill. */
static const long sandbox_never[] = {
	__NR_socket, __NR_socketpair, __NR_connect, __NR_bind, __NR_listen,
	__NR_accept, __NR_accept4, __NR_execve, __NR_execveat, __NR_ptrace,
	__NR_process_vm_readv, __NR_process_vm_writev, __NR_kill,
	__NR_mount, __NR_umount2, __NR_unshare, __NR_setns, __NR_bpf,
	__NR_perf_event_open, __NR_keyctl, __NR_add_key, __NR_request_key,
	__NR_setuid, __NR_setgid, __NR_setreuid, __NR_setregid,
	__NR_setresuid, __NR_setresgid, __NR_setgroups, __NR_chroot,
	__NR_pivot_root, __NR_init_module, __NR_finit_module,
	__NR_delete_module, __NR_reboot, __NR_kexec_load,
	/*
	 * A ring runs its operations in kernel threads that seccomp does
	 * not see: through one, a worker could create and connect sockets.
	 */
	__NR_io_uring_setup, __NR_io_uring_enter, __NR_io_uring_register,
	/*
	 * Metadata by path: Landlock does not cover it, so a path outside
	 * the shares would reach any file of the user.  The worker changes
	 * metadata only through descriptors it opened below a share root
	 * (fchmod, fchown, fsetxattr, ...), and makes no symlinks.
	 */
	__NR_fchmodat, __NR_fchownat, __NR_setxattr, __NR_lsetxattr,
	__NR_removexattr, __NR_lremovexattr, __NR_getxattr, __NR_lgetxattr,
	__NR_listxattr, __NR_llistxattr, __NR_symlinkat, __NR_statfs,
#ifdef __NR_fchmodat2
	__NR_fchmodat2,
#endif
#ifdef __NR_chmod
	__NR_chmod, __NR_chown, __NR_lchown, __NR_symlink, __NR_utimes,
#endif
#ifdef __NR_fork
	__NR_fork,
#endif
#ifdef __NR_vfork
	__NR_vfork,
#endif
};

static void
sandbox_sigsys(int sig, siginfo_t *si, void *ctx)
{
	char buf[160];
	const char *name = sandbox_syscall_name(si->si_syscall);
	int n;

	/* Only async-signal-safe calls from here on. */
	n = snprintf(buf, sizeof(buf), "sandbox violation: syscall %s (%d) "
	    "in %s\n", name, si->si_syscall, sandbox_prog);
	if (n > 0)
		if (write(STDERR_FILENO, buf, (size_t)n) == -1)
			n = 0;
	/* Die by the same signal (the handler was reset), so the master
	 * logs SIGSYS. */
	raise(SIGSYS);
	_exit(128 + SIGSYS);
}

static void
sandbox_seccomp(enum usmbd_prog prog, int debug)
{
	struct bpf_prog *p;
	struct sock_fprog fp;
	uint32_t deny, unknown;
	size_t i;

	p = xcalloc(1, sizeof(*p));
	deny = debug ? SECCOMP_RET_TRAP : SECCOMP_RET_KILL_PROCESS;
#ifdef USMBD_SANITIZERS
	/*
	 * The sanitizer runtimes make system calls of their own; in such a
	 * build an unlisted call fails instead of killing, while the calls
	 * that must never happen still kill.
	 */
	unknown = SECCOMP_RET_ERRNO | ENOSYS;
#else
	unknown = deny;
#endif

	bpf_add(p, (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch)));
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    SANDBOX_ARCH, 1, 0));
	bpf_add(p, (struct sock_filter)RET(SECCOMP_RET_KILL_PROCESS));
	bpf_add(p, (struct sock_filter)LD_NR());
#ifdef __x86_64__
	/* x32 system calls carry bit 30 and are never ours. */
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    0x40000000, 0, 1));
	bpf_add(p, (struct sock_filter)RET(deny));
#endif
	/*
	 * A session worker with a forced identity switches between its own
	 * ids and that one (smbd/session/session_ident.c); otherwise these
	 * calls are among those that always kill.
	 */
	if (prog == PROG_SESSION && sandbox_ids.set) {
		bpf_allow_setres(p, __NR_setresuid, sandbox_ids.uid[0],
		    sandbox_ids.uid[1], deny);
		bpf_allow_setres(p, __NR_setresgid, sandbox_ids.gid[0],
		    sandbox_ids.gid[1], deny);
	}
	for (i = 0; i < nitems(sandbox_never); i++)
		bpf_ret(p, sandbox_never[i], deny);
	for (i = 0; i < nitems(sandbox_common); i++)
		bpf_allow(p, sandbox_common[i]);
	/* Memory may be mapped, but never made executable. */
	bpf_allow_unless(p, __NR_mmap, 2, PROT_EXEC, deny);
	bpf_add(p, (struct sock_filter)LD_NR());
	bpf_allow_unless(p, __NR_mprotect, 2, PROT_EXEC, deny);
	bpf_add(p, (struct sock_filter)LD_NR());
	/*
	 * Resource limits of this process only (pid 0, as libc's getrlimit
	 * and setrlimit pass it): every preauth process is the same user,
	 * and one must not set another's limits.
	 */
	bpf_allow_if_eq(p, __NR_prlimit64, 0, 0, SECCOMP_RET_ERRNO | EPERM);
	bpf_add(p, (struct sock_filter)LD_NR());
	/* Terminal probing by stdio fails quietly. */
	bpf_ret(p, __NR_ioctl, SECCOMP_RET_ERRNO | ENOTTY);
	bpf_ret(p, __NR_prctl, SECCOMP_RET_ERRNO | EPERM);
	/* glibc falls back from clone3 to clone, whose flags we can see. */
	bpf_ret(p, __NR_clone3, SECCOMP_RET_ERRNO | ENOSYS);

	switch (prog) {
	case PROG_SESSION:
		for (i = 0; i < nitems(sandbox_files); i++)
			bpf_allow(p, sandbox_files[i]);
		/* Threads, yes; new processes, no. */
		bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ |
		    BPF_K, __NR_clone, 0, 4));
		bpf_add(p, (struct sock_filter)LD_ARG(0));
		bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET |
		    BPF_K, CLONE_THREAD, 0, 1));
		bpf_add(p, (struct sock_filter)RET(SECCOMP_RET_ALLOW));
		bpf_add(p, (struct sock_filter)RET(deny));
		break;
	case PROG_AUTHD:
		/* Reading the user database: opens for reading only. */
		bpf_allow_unless(p, __NR_openat, 2, O_WRONLY | O_RDWR |
		    O_CREAT | O_TRUNC | O_APPEND, SECCOMP_RET_ERRNO | EACCES);
		bpf_add(p, (struct sock_filter)LD_NR());
		bpf_allow(p, __NR_statx);
		bpf_allow(p, __NR_getdents64);
		bpf_allow(p, __NR_pread64);
		break;
	default:
		/* preauth and lockd: no file access at all. */
		bpf_ret(p, __NR_openat, SECCOMP_RET_ERRNO | EACCES);
		bpf_ret(p, __NR_openat2, SECCOMP_RET_ERRNO | EACCES);
#ifdef __NR_open
		bpf_ret(p, __NR_open, SECCOMP_RET_ERRNO | EACCES);
#endif
		break;
	}
	bpf_add(p, (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    __NR_clone, 0, 1));
	bpf_add(p, (struct sock_filter)RET(deny));
	bpf_add(p, (struct sock_filter)RET(unknown));

	if (debug) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sandbox_sigsys;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER | SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSYS, &sa, NULL) == -1)
			fatal("sigaction SIGSYS");
	}
	fp.len = (unsigned short)p->n;
	fp.filter = p->ins;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fp) == -1)
		fatal("seccomp filter");
	free(p);
}

#ifdef USMBD_SANITIZERS
/*
 * LeakSanitizer checks at exit from a thread it clones without
 * CLONE_THREAD, which the sandbox kills (it would be a new process).  A
 * sandboxed process therefore skips the leak check; the master and the
 * unit tests still have it.  The runtime asks this hook.
 */
static volatile int sandbox_entered;

int	__lsan_is_turned_off(void);

int
__lsan_is_turned_off(void)
{
	return sandbox_entered;
}
#endif

void
sandbox_enter(enum usmbd_prog prog, const struct sandbox_path *paths,
    int debug)
{
	static const char *const names[PROG_MAX] = {
		"master", "preauth", "session", "authd", "lockd"
	};

	sandbox_prog = (int)prog >= 0 && prog < PROG_MAX ? names[prog] : "?";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
	sandbox_landlock(prog, paths);
#ifdef USMBD_SANITIZERS
	sandbox_entered = 1;
#endif
	sandbox_seccomp(prog, debug);
	log_debug("sandbox: %s", sandbox_state);
	/* Tests: an attack from inside the sandbox (shared/evil.h). */
	evil_run();
}

#ifdef USMBD_REGRESS_HOOKS
void
sandbox_regress_violate(void)
{
	/* No sandboxed program may create a socket. */
	(void)syscall(__NR_socket, AF_INET, SOCK_STREAM, 0);
}
#endif
