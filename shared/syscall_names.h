/* Generated from the kernel's syscall list; each entry guarded so that any
 * architecture builds.  Used for the SIGSYS report in debug mode. */
#ifdef __NR__sysctl
SC(_sysctl)
#endif
#ifdef __NR_accept
SC(accept)
#endif
#ifdef __NR_accept4
SC(accept4)
#endif
#ifdef __NR_access
SC(access)
#endif
#ifdef __NR_acct
SC(acct)
#endif
#ifdef __NR_add_key
SC(add_key)
#endif
#ifdef __NR_adjtimex
SC(adjtimex)
#endif
#ifdef __NR_afs_syscall
SC(afs_syscall)
#endif
#ifdef __NR_alarm
SC(alarm)
#endif
#ifdef __NR_arch_prctl
SC(arch_prctl)
#endif
#ifdef __NR_bind
SC(bind)
#endif
#ifdef __NR_bpf
SC(bpf)
#endif
#ifdef __NR_brk
SC(brk)
#endif
#ifdef __NR_capget
SC(capget)
#endif
#ifdef __NR_capset
SC(capset)
#endif
#ifdef __NR_chdir
SC(chdir)
#endif
#ifdef __NR_chmod
SC(chmod)
#endif
#ifdef __NR_chown
SC(chown)
#endif
#ifdef __NR_chroot
SC(chroot)
#endif
#ifdef __NR_clock_adjtime
SC(clock_adjtime)
#endif
#ifdef __NR_clock_getres
SC(clock_getres)
#endif
#ifdef __NR_clock_gettime
SC(clock_gettime)
#endif
#ifdef __NR_clock_nanosleep
SC(clock_nanosleep)
#endif
#ifdef __NR_clock_settime
SC(clock_settime)
#endif
#ifdef __NR_clone
SC(clone)
#endif
#ifdef __NR_clone3
SC(clone3)
#endif
#ifdef __NR_close
SC(close)
#endif
#ifdef __NR_close_range
SC(close_range)
#endif
#ifdef __NR_connect
SC(connect)
#endif
#ifdef __NR_copy_file_range
SC(copy_file_range)
#endif
#ifdef __NR_creat
SC(creat)
#endif
#ifdef __NR_create_module
SC(create_module)
#endif
#ifdef __NR_delete_module
SC(delete_module)
#endif
#ifdef __NR_dup
SC(dup)
#endif
#ifdef __NR_dup2
SC(dup2)
#endif
#ifdef __NR_dup3
SC(dup3)
#endif
#ifdef __NR_epoll_create
SC(epoll_create)
#endif
#ifdef __NR_epoll_create1
SC(epoll_create1)
#endif
#ifdef __NR_epoll_ctl
SC(epoll_ctl)
#endif
#ifdef __NR_epoll_ctl_old
SC(epoll_ctl_old)
#endif
#ifdef __NR_epoll_pwait
SC(epoll_pwait)
#endif
#ifdef __NR_epoll_pwait2
SC(epoll_pwait2)
#endif
#ifdef __NR_epoll_wait
SC(epoll_wait)
#endif
#ifdef __NR_epoll_wait_old
SC(epoll_wait_old)
#endif
#ifdef __NR_eventfd
SC(eventfd)
#endif
#ifdef __NR_eventfd2
SC(eventfd2)
#endif
#ifdef __NR_execve
SC(execve)
#endif
#ifdef __NR_execveat
SC(execveat)
#endif
#ifdef __NR_exit
SC(exit)
#endif
#ifdef __NR_exit_group
SC(exit_group)
#endif
#ifdef __NR_faccessat
SC(faccessat)
#endif
#ifdef __NR_faccessat2
SC(faccessat2)
#endif
#ifdef __NR_fadvise64
SC(fadvise64)
#endif
#ifdef __NR_fallocate
SC(fallocate)
#endif
#ifdef __NR_fanotify_init
SC(fanotify_init)
#endif
#ifdef __NR_fanotify_mark
SC(fanotify_mark)
#endif
#ifdef __NR_fchdir
SC(fchdir)
#endif
#ifdef __NR_fchmod
SC(fchmod)
#endif
#ifdef __NR_fchmodat
SC(fchmodat)
#endif
#ifdef __NR_fchown
SC(fchown)
#endif
#ifdef __NR_fchownat
SC(fchownat)
#endif
#ifdef __NR_fcntl
SC(fcntl)
#endif
#ifdef __NR_fdatasync
SC(fdatasync)
#endif
#ifdef __NR_fgetxattr
SC(fgetxattr)
#endif
#ifdef __NR_finit_module
SC(finit_module)
#endif
#ifdef __NR_flistxattr
SC(flistxattr)
#endif
#ifdef __NR_flock
SC(flock)
#endif
#ifdef __NR_fork
SC(fork)
#endif
#ifdef __NR_fremovexattr
SC(fremovexattr)
#endif
#ifdef __NR_fsconfig
SC(fsconfig)
#endif
#ifdef __NR_fsetxattr
SC(fsetxattr)
#endif
#ifdef __NR_fsmount
SC(fsmount)
#endif
#ifdef __NR_fsopen
SC(fsopen)
#endif
#ifdef __NR_fspick
SC(fspick)
#endif
#ifdef __NR_fstat
SC(fstat)
#endif
#ifdef __NR_fstatfs
SC(fstatfs)
#endif
#ifdef __NR_fsync
SC(fsync)
#endif
#ifdef __NR_ftruncate
SC(ftruncate)
#endif
#ifdef __NR_futex
SC(futex)
#endif
#ifdef __NR_futex_waitv
SC(futex_waitv)
#endif
#ifdef __NR_futimesat
SC(futimesat)
#endif
#ifdef __NR_get_kernel_syms
SC(get_kernel_syms)
#endif
#ifdef __NR_get_mempolicy
SC(get_mempolicy)
#endif
#ifdef __NR_get_robust_list
SC(get_robust_list)
#endif
#ifdef __NR_get_thread_area
SC(get_thread_area)
#endif
#ifdef __NR_getcpu
SC(getcpu)
#endif
#ifdef __NR_getcwd
SC(getcwd)
#endif
#ifdef __NR_getdents
SC(getdents)
#endif
#ifdef __NR_getdents64
SC(getdents64)
#endif
#ifdef __NR_getegid
SC(getegid)
#endif
#ifdef __NR_geteuid
SC(geteuid)
#endif
#ifdef __NR_getgid
SC(getgid)
#endif
#ifdef __NR_getgroups
SC(getgroups)
#endif
#ifdef __NR_getitimer
SC(getitimer)
#endif
#ifdef __NR_getpeername
SC(getpeername)
#endif
#ifdef __NR_getpgid
SC(getpgid)
#endif
#ifdef __NR_getpgrp
SC(getpgrp)
#endif
#ifdef __NR_getpid
SC(getpid)
#endif
#ifdef __NR_getpmsg
SC(getpmsg)
#endif
#ifdef __NR_getppid
SC(getppid)
#endif
#ifdef __NR_getpriority
SC(getpriority)
#endif
#ifdef __NR_getrandom
SC(getrandom)
#endif
#ifdef __NR_getresgid
SC(getresgid)
#endif
#ifdef __NR_getresuid
SC(getresuid)
#endif
#ifdef __NR_getrlimit
SC(getrlimit)
#endif
#ifdef __NR_getrusage
SC(getrusage)
#endif
#ifdef __NR_getsid
SC(getsid)
#endif
#ifdef __NR_getsockname
SC(getsockname)
#endif
#ifdef __NR_getsockopt
SC(getsockopt)
#endif
#ifdef __NR_gettid
SC(gettid)
#endif
#ifdef __NR_gettimeofday
SC(gettimeofday)
#endif
#ifdef __NR_getuid
SC(getuid)
#endif
#ifdef __NR_getxattr
SC(getxattr)
#endif
#ifdef __NR_init_module
SC(init_module)
#endif
#ifdef __NR_inotify_add_watch
SC(inotify_add_watch)
#endif
#ifdef __NR_inotify_init
SC(inotify_init)
#endif
#ifdef __NR_inotify_init1
SC(inotify_init1)
#endif
#ifdef __NR_inotify_rm_watch
SC(inotify_rm_watch)
#endif
#ifdef __NR_io_cancel
SC(io_cancel)
#endif
#ifdef __NR_io_destroy
SC(io_destroy)
#endif
#ifdef __NR_io_getevents
SC(io_getevents)
#endif
#ifdef __NR_io_pgetevents
SC(io_pgetevents)
#endif
#ifdef __NR_io_setup
SC(io_setup)
#endif
#ifdef __NR_io_submit
SC(io_submit)
#endif
#ifdef __NR_io_uring_enter
SC(io_uring_enter)
#endif
#ifdef __NR_io_uring_register
SC(io_uring_register)
#endif
#ifdef __NR_io_uring_setup
SC(io_uring_setup)
#endif
#ifdef __NR_ioctl
SC(ioctl)
#endif
#ifdef __NR_ioperm
SC(ioperm)
#endif
#ifdef __NR_iopl
SC(iopl)
#endif
#ifdef __NR_ioprio_get
SC(ioprio_get)
#endif
#ifdef __NR_ioprio_set
SC(ioprio_set)
#endif
#ifdef __NR_kcmp
SC(kcmp)
#endif
#ifdef __NR_kexec_file_load
SC(kexec_file_load)
#endif
#ifdef __NR_kexec_load
SC(kexec_load)
#endif
#ifdef __NR_keyctl
SC(keyctl)
#endif
#ifdef __NR_kill
SC(kill)
#endif
#ifdef __NR_landlock_add_rule
SC(landlock_add_rule)
#endif
#ifdef __NR_landlock_create_ruleset
SC(landlock_create_ruleset)
#endif
#ifdef __NR_landlock_restrict_self
SC(landlock_restrict_self)
#endif
#ifdef __NR_lchown
SC(lchown)
#endif
#ifdef __NR_lgetxattr
SC(lgetxattr)
#endif
#ifdef __NR_link
SC(link)
#endif
#ifdef __NR_linkat
SC(linkat)
#endif
#ifdef __NR_listen
SC(listen)
#endif
#ifdef __NR_listxattr
SC(listxattr)
#endif
#ifdef __NR_llistxattr
SC(llistxattr)
#endif
#ifdef __NR_lookup_dcookie
SC(lookup_dcookie)
#endif
#ifdef __NR_lremovexattr
SC(lremovexattr)
#endif
#ifdef __NR_lseek
SC(lseek)
#endif
#ifdef __NR_lsetxattr
SC(lsetxattr)
#endif
#ifdef __NR_lstat
SC(lstat)
#endif
#ifdef __NR_madvise
SC(madvise)
#endif
#ifdef __NR_mbind
SC(mbind)
#endif
#ifdef __NR_membarrier
SC(membarrier)
#endif
#ifdef __NR_memfd_create
SC(memfd_create)
#endif
#ifdef __NR_memfd_secret
SC(memfd_secret)
#endif
#ifdef __NR_migrate_pages
SC(migrate_pages)
#endif
#ifdef __NR_mincore
SC(mincore)
#endif
#ifdef __NR_mkdir
SC(mkdir)
#endif
#ifdef __NR_mkdirat
SC(mkdirat)
#endif
#ifdef __NR_mknod
SC(mknod)
#endif
#ifdef __NR_mknodat
SC(mknodat)
#endif
#ifdef __NR_mlock
SC(mlock)
#endif
#ifdef __NR_mlock2
SC(mlock2)
#endif
#ifdef __NR_mlockall
SC(mlockall)
#endif
#ifdef __NR_mmap
SC(mmap)
#endif
#ifdef __NR_modify_ldt
SC(modify_ldt)
#endif
#ifdef __NR_mount
SC(mount)
#endif
#ifdef __NR_mount_setattr
SC(mount_setattr)
#endif
#ifdef __NR_move_mount
SC(move_mount)
#endif
#ifdef __NR_move_pages
SC(move_pages)
#endif
#ifdef __NR_mprotect
SC(mprotect)
#endif
#ifdef __NR_mq_getsetattr
SC(mq_getsetattr)
#endif
#ifdef __NR_mq_notify
SC(mq_notify)
#endif
#ifdef __NR_mq_open
SC(mq_open)
#endif
#ifdef __NR_mq_timedreceive
SC(mq_timedreceive)
#endif
#ifdef __NR_mq_timedsend
SC(mq_timedsend)
#endif
#ifdef __NR_mq_unlink
SC(mq_unlink)
#endif
#ifdef __NR_mremap
SC(mremap)
#endif
#ifdef __NR_msgctl
SC(msgctl)
#endif
#ifdef __NR_msgget
SC(msgget)
#endif
#ifdef __NR_msgrcv
SC(msgrcv)
#endif
#ifdef __NR_msgsnd
SC(msgsnd)
#endif
#ifdef __NR_msync
SC(msync)
#endif
#ifdef __NR_munlock
SC(munlock)
#endif
#ifdef __NR_munlockall
SC(munlockall)
#endif
#ifdef __NR_munmap
SC(munmap)
#endif
#ifdef __NR_name_to_handle_at
SC(name_to_handle_at)
#endif
#ifdef __NR_nanosleep
SC(nanosleep)
#endif
#ifdef __NR_newfstatat
SC(newfstatat)
#endif
#ifdef __NR_nfsservctl
SC(nfsservctl)
#endif
#ifdef __NR_open
SC(open)
#endif
#ifdef __NR_open_by_handle_at
SC(open_by_handle_at)
#endif
#ifdef __NR_open_tree
SC(open_tree)
#endif
#ifdef __NR_openat
SC(openat)
#endif
#ifdef __NR_openat2
SC(openat2)
#endif
#ifdef __NR_pause
SC(pause)
#endif
#ifdef __NR_perf_event_open
SC(perf_event_open)
#endif
#ifdef __NR_personality
SC(personality)
#endif
#ifdef __NR_pidfd_getfd
SC(pidfd_getfd)
#endif
#ifdef __NR_pidfd_open
SC(pidfd_open)
#endif
#ifdef __NR_pidfd_send_signal
SC(pidfd_send_signal)
#endif
#ifdef __NR_pipe
SC(pipe)
#endif
#ifdef __NR_pipe2
SC(pipe2)
#endif
#ifdef __NR_pivot_root
SC(pivot_root)
#endif
#ifdef __NR_pkey_alloc
SC(pkey_alloc)
#endif
#ifdef __NR_pkey_free
SC(pkey_free)
#endif
#ifdef __NR_pkey_mprotect
SC(pkey_mprotect)
#endif
#ifdef __NR_poll
SC(poll)
#endif
#ifdef __NR_ppoll
SC(ppoll)
#endif
#ifdef __NR_prctl
SC(prctl)
#endif
#ifdef __NR_pread64
SC(pread64)
#endif
#ifdef __NR_preadv
SC(preadv)
#endif
#ifdef __NR_preadv2
SC(preadv2)
#endif
#ifdef __NR_prlimit64
SC(prlimit64)
#endif
#ifdef __NR_process_madvise
SC(process_madvise)
#endif
#ifdef __NR_process_mrelease
SC(process_mrelease)
#endif
#ifdef __NR_process_vm_readv
SC(process_vm_readv)
#endif
#ifdef __NR_process_vm_writev
SC(process_vm_writev)
#endif
#ifdef __NR_pselect6
SC(pselect6)
#endif
#ifdef __NR_ptrace
SC(ptrace)
#endif
#ifdef __NR_putpmsg
SC(putpmsg)
#endif
#ifdef __NR_pwrite64
SC(pwrite64)
#endif
#ifdef __NR_pwritev
SC(pwritev)
#endif
#ifdef __NR_pwritev2
SC(pwritev2)
#endif
#ifdef __NR_query_module
SC(query_module)
#endif
#ifdef __NR_quotactl
SC(quotactl)
#endif
#ifdef __NR_quotactl_fd
SC(quotactl_fd)
#endif
#ifdef __NR_read
SC(read)
#endif
#ifdef __NR_readahead
SC(readahead)
#endif
#ifdef __NR_readlink
SC(readlink)
#endif
#ifdef __NR_readlinkat
SC(readlinkat)
#endif
#ifdef __NR_readv
SC(readv)
#endif
#ifdef __NR_reboot
SC(reboot)
#endif
#ifdef __NR_recvfrom
SC(recvfrom)
#endif
#ifdef __NR_recvmmsg
SC(recvmmsg)
#endif
#ifdef __NR_recvmsg
SC(recvmsg)
#endif
#ifdef __NR_remap_file_pages
SC(remap_file_pages)
#endif
#ifdef __NR_removexattr
SC(removexattr)
#endif
#ifdef __NR_rename
SC(rename)
#endif
#ifdef __NR_renameat
SC(renameat)
#endif
#ifdef __NR_renameat2
SC(renameat2)
#endif
#ifdef __NR_request_key
SC(request_key)
#endif
#ifdef __NR_restart_syscall
SC(restart_syscall)
#endif
#ifdef __NR_rmdir
SC(rmdir)
#endif
#ifdef __NR_rseq
SC(rseq)
#endif
#ifdef __NR_rt_sigaction
SC(rt_sigaction)
#endif
#ifdef __NR_rt_sigpending
SC(rt_sigpending)
#endif
#ifdef __NR_rt_sigprocmask
SC(rt_sigprocmask)
#endif
#ifdef __NR_rt_sigqueueinfo
SC(rt_sigqueueinfo)
#endif
#ifdef __NR_rt_sigreturn
SC(rt_sigreturn)
#endif
#ifdef __NR_rt_sigsuspend
SC(rt_sigsuspend)
#endif
#ifdef __NR_rt_sigtimedwait
SC(rt_sigtimedwait)
#endif
#ifdef __NR_rt_tgsigqueueinfo
SC(rt_tgsigqueueinfo)
#endif
#ifdef __NR_sched_get_priority_max
SC(sched_get_priority_max)
#endif
#ifdef __NR_sched_get_priority_min
SC(sched_get_priority_min)
#endif
#ifdef __NR_sched_getaffinity
SC(sched_getaffinity)
#endif
#ifdef __NR_sched_getattr
SC(sched_getattr)
#endif
#ifdef __NR_sched_getparam
SC(sched_getparam)
#endif
#ifdef __NR_sched_getscheduler
SC(sched_getscheduler)
#endif
#ifdef __NR_sched_rr_get_interval
SC(sched_rr_get_interval)
#endif
#ifdef __NR_sched_setaffinity
SC(sched_setaffinity)
#endif
#ifdef __NR_sched_setattr
SC(sched_setattr)
#endif
#ifdef __NR_sched_setparam
SC(sched_setparam)
#endif
#ifdef __NR_sched_setscheduler
SC(sched_setscheduler)
#endif
#ifdef __NR_sched_yield
SC(sched_yield)
#endif
#ifdef __NR_seccomp
SC(seccomp)
#endif
#ifdef __NR_security
SC(security)
#endif
#ifdef __NR_select
SC(select)
#endif
#ifdef __NR_semctl
SC(semctl)
#endif
#ifdef __NR_semget
SC(semget)
#endif
#ifdef __NR_semop
SC(semop)
#endif
#ifdef __NR_semtimedop
SC(semtimedop)
#endif
#ifdef __NR_sendfile
SC(sendfile)
#endif
#ifdef __NR_sendmmsg
SC(sendmmsg)
#endif
#ifdef __NR_sendmsg
SC(sendmsg)
#endif
#ifdef __NR_sendto
SC(sendto)
#endif
#ifdef __NR_set_mempolicy
SC(set_mempolicy)
#endif
#ifdef __NR_set_mempolicy_home_node
SC(set_mempolicy_home_node)
#endif
#ifdef __NR_set_robust_list
SC(set_robust_list)
#endif
#ifdef __NR_set_thread_area
SC(set_thread_area)
#endif
#ifdef __NR_set_tid_address
SC(set_tid_address)
#endif
#ifdef __NR_setdomainname
SC(setdomainname)
#endif
#ifdef __NR_setfsgid
SC(setfsgid)
#endif
#ifdef __NR_setfsuid
SC(setfsuid)
#endif
#ifdef __NR_setgid
SC(setgid)
#endif
#ifdef __NR_setgroups
SC(setgroups)
#endif
#ifdef __NR_sethostname
SC(sethostname)
#endif
#ifdef __NR_setitimer
SC(setitimer)
#endif
#ifdef __NR_setns
SC(setns)
#endif
#ifdef __NR_setpgid
SC(setpgid)
#endif
#ifdef __NR_setpriority
SC(setpriority)
#endif
#ifdef __NR_setregid
SC(setregid)
#endif
#ifdef __NR_setresgid
SC(setresgid)
#endif
#ifdef __NR_setresuid
SC(setresuid)
#endif
#ifdef __NR_setreuid
SC(setreuid)
#endif
#ifdef __NR_setrlimit
SC(setrlimit)
#endif
#ifdef __NR_setsid
SC(setsid)
#endif
#ifdef __NR_setsockopt
SC(setsockopt)
#endif
#ifdef __NR_settimeofday
SC(settimeofday)
#endif
#ifdef __NR_setuid
SC(setuid)
#endif
#ifdef __NR_setxattr
SC(setxattr)
#endif
#ifdef __NR_shmat
SC(shmat)
#endif
#ifdef __NR_shmctl
SC(shmctl)
#endif
#ifdef __NR_shmdt
SC(shmdt)
#endif
#ifdef __NR_shmget
SC(shmget)
#endif
#ifdef __NR_shutdown
SC(shutdown)
#endif
#ifdef __NR_sigaltstack
SC(sigaltstack)
#endif
#ifdef __NR_signalfd
SC(signalfd)
#endif
#ifdef __NR_signalfd4
SC(signalfd4)
#endif
#ifdef __NR_socket
SC(socket)
#endif
#ifdef __NR_socketpair
SC(socketpair)
#endif
#ifdef __NR_splice
SC(splice)
#endif
#ifdef __NR_stat
SC(stat)
#endif
#ifdef __NR_statfs
SC(statfs)
#endif
#ifdef __NR_statx
SC(statx)
#endif
#ifdef __NR_swapoff
SC(swapoff)
#endif
#ifdef __NR_swapon
SC(swapon)
#endif
#ifdef __NR_symlink
SC(symlink)
#endif
#ifdef __NR_symlinkat
SC(symlinkat)
#endif
#ifdef __NR_sync
SC(sync)
#endif
#ifdef __NR_sync_file_range
SC(sync_file_range)
#endif
#ifdef __NR_syncfs
SC(syncfs)
#endif
#ifdef __NR_sysfs
SC(sysfs)
#endif
#ifdef __NR_sysinfo
SC(sysinfo)
#endif
#ifdef __NR_syslog
SC(syslog)
#endif
#ifdef __NR_tee
SC(tee)
#endif
#ifdef __NR_tgkill
SC(tgkill)
#endif
#ifdef __NR_time
SC(time)
#endif
#ifdef __NR_timer_create
SC(timer_create)
#endif
#ifdef __NR_timer_delete
SC(timer_delete)
#endif
#ifdef __NR_timer_getoverrun
SC(timer_getoverrun)
#endif
#ifdef __NR_timer_gettime
SC(timer_gettime)
#endif
#ifdef __NR_timer_settime
SC(timer_settime)
#endif
#ifdef __NR_timerfd_create
SC(timerfd_create)
#endif
#ifdef __NR_timerfd_gettime
SC(timerfd_gettime)
#endif
#ifdef __NR_timerfd_settime
SC(timerfd_settime)
#endif
#ifdef __NR_times
SC(times)
#endif
#ifdef __NR_tkill
SC(tkill)
#endif
#ifdef __NR_truncate
SC(truncate)
#endif
#ifdef __NR_tuxcall
SC(tuxcall)
#endif
#ifdef __NR_umask
SC(umask)
#endif
#ifdef __NR_umount2
SC(umount2)
#endif
#ifdef __NR_uname
SC(uname)
#endif
#ifdef __NR_unlink
SC(unlink)
#endif
#ifdef __NR_unlinkat
SC(unlinkat)
#endif
#ifdef __NR_unshare
SC(unshare)
#endif
#ifdef __NR_uselib
SC(uselib)
#endif
#ifdef __NR_userfaultfd
SC(userfaultfd)
#endif
#ifdef __NR_ustat
SC(ustat)
#endif
#ifdef __NR_utime
SC(utime)
#endif
#ifdef __NR_utimensat
SC(utimensat)
#endif
#ifdef __NR_utimes
SC(utimes)
#endif
#ifdef __NR_vfork
SC(vfork)
#endif
#ifdef __NR_vhangup
SC(vhangup)
#endif
#ifdef __NR_vmsplice
SC(vmsplice)
#endif
#ifdef __NR_vserver
SC(vserver)
#endif
#ifdef __NR_wait4
SC(wait4)
#endif
#ifdef __NR_waitid
SC(waitid)
#endif
#ifdef __NR_write
SC(write)
#endif
#ifdef __NR_writev
SC(writev)
#endif
