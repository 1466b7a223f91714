namespace Wharf.Runtime.Spec;

/// <summary>
/// Docker's default seccomp profile (moby profiles/seccomp default.json, the v28-era allow-list with the
/// io_uring calls removed and AF_ALG denied as in later profiles), kept as data and resolved per container
/// against the final bounding capabilities, the architecture and the kernel.
/// Unknown names on an older libseccomp are skipped by runc, so new syscalls can be listed safely.
/// </summary>
public static class DefaultSeccompProfile
{
    private const string Allow = "SCMP_ACT_ALLOW";
    private const string Errno = "SCMP_ACT_ERRNO";

    /// <summary>EPERM, the default errno for everything not allowed.</summary>
    public const uint DefaultErrnoRet = 1;

    /// <summary>CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET: clone may not create namespaces
    /// without CAP_SYS_ADMIN.</summary>
    public const ulong CloneNamespaceFlags = 0x7E020000;

    private static readonly string[] AllowList =
    [
        "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget", "capset",
        "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64", "clock_getres",
        "clock_getres_time64", "clock_gettime", "clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64",
        "close", "close_range", "connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
        "epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait",
        "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat",
        "faccessat2", "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
        "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr",
        "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
        "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64", "futex_wait",
        "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents", "getdents64", "getegid",
        "getegid32", "geteuid", "geteuid32", "getgid", "getgid32", "getgroups", "getgroups32", "getitimer",
        "getpeername", "getpgid", "getpgrp", "getpid", "getppid", "getpriority", "getrandom", "getresgid",
        "getresgid32", "getresuid", "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid",
        "getsockname", "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32",
        "getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch", "io_cancel",
        "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64", "ioprio_get",
        "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule", "landlock_create_ruleset",
        "landlock_restrict_self", "lchown", "lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr",
        "llistxattr", "_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
        "map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
        "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr", "mq_notify",
        "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64",
        "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall",
        "munmap", "name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat", "openat2",
        "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect",
        "poll", "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
        "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
        "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64",
        "recvmsg", "remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
        "rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
        "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo", "sched_getaffinity",
        "sched_getattr", "sched_getparam", "sched_get_priority_max", "sched_get_priority_min",
        "sched_getscheduler", "sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
        "sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl",
        "semget", "semop", "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg",
        "sendmsg", "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
        "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32", "setresgid",
        "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
        "setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32", "setxattr", "shmat",
        "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask",
        "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64", "statx",
        "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time",
        "timer_create", "timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
        "timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64", "timerfd_settime",
        "timerfd_settime64", "times", "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink",
        "unlinkat", "uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice", "wait4",
        "waitid", "waitpid", "write", "writev",
    ];

    private static SpecSyscallArg Arg(uint index, ulong value, string op) => new() { Index = index, Value = value, Op = op };

    private static SeccompRule Personality(ulong persona) =>
        new(["personality"]) { Args = [Arg(0, persona, "SCMP_CMP_EQ")] };

    private static SeccompRule CapGated(string cap, params string[] names) => new(names) { IncludeCaps = [cap] };

    /// <summary>The rules in profile order.</summary>
    internal static IReadOnlyList<SeccompRule> Rules { get; } =
    [
        new(AllowList),
        new(["process_vm_readv", "process_vm_writev", "ptrace"]) { MinKernel = (4, 8) },
        // socket: everything except AF_ALG (38) and AF_VSOCK (40). Args in one rule are ANDed, so the
        // three allowed ranges are three rules.
        new(["socket"]) { Args = [Arg(0, 38, "SCMP_CMP_LT")] },
        new(["socket"]) { Args = [Arg(0, 39, "SCMP_CMP_EQ")] },
        new(["socket"]) { Args = [Arg(0, 40, "SCMP_CMP_GT")] },
        Personality(0x0),
        Personality(0x8),
        Personality(0x20000),
        Personality(0x20008),
        Personality(0xffffffff),
        new(["sync_file_range2", "swapcontext"]) { IncludeArches = ["ppc64le"] },
        new(["arm_fadvise64_64", "arm_sync_file_range", "sync_file_range2", "breakpoint", "cacheflush", "set_tls"])
            { IncludeArches = ["arm", "arm64"] },
        new(["arch_prctl"]) { IncludeArches = ["amd64", "x32"] },
        new(["modify_ldt"]) { IncludeArches = ["amd64", "x32", "x86"] },
        new(["s390_pci_mmio_read", "s390_pci_mmio_write", "s390_runtime_instr"]) { IncludeArches = ["s390", "s390x"] },
        new(["riscv_flush_icache"]) { IncludeArches = ["riscv64"] },
        CapGated("CAP_DAC_READ_SEARCH", "open_by_handle_at"),
        CapGated("CAP_SYS_ADMIN",
            "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick", "lookup_dcookie",
            "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount", "mount_setattr", "move_mount",
            "open_tree", "perf_event_open", "quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns",
            "syslog", "umount", "umount2", "unshare"),
        new(["clone"])
        {
            Args = [Arg(0, CloneNamespaceFlags, "SCMP_CMP_MASKED_EQ")],
            ExcludeCaps = ["CAP_SYS_ADMIN"],
            ExcludeArches = ["s390", "s390x"],
        },
        new(["clone"])
        {
            // s390 passes the flags second.
            Args = [Arg(1, CloneNamespaceFlags, "SCMP_CMP_MASKED_EQ")],
            IncludeArches = ["s390", "s390x"],
            ExcludeCaps = ["CAP_SYS_ADMIN"],
        },
        // ENOSYS, not EPERM, so that libc falls back to clone, whose flags the filter can inspect.
        new(["clone3"], Errno) { ErrnoRet = 38, ExcludeCaps = ["CAP_SYS_ADMIN"] },
        CapGated("CAP_SYS_BOOT", "reboot"),
        CapGated("CAP_SYS_CHROOT", "chroot"),
        CapGated("CAP_SYS_MODULE", "delete_module", "init_module", "finit_module"),
        CapGated("CAP_SYS_PACCT", "acct"),
        CapGated("CAP_SYS_PTRACE", "kcmp", "pidfd_getfd", "process_madvise", "process_vm_readv", "process_vm_writev", "ptrace"),
        CapGated("CAP_SYS_RAWIO", "iopl", "ioperm"),
        CapGated("CAP_SYS_TIME", "settimeofday", "stime", "clock_settime", "clock_settime64"),
        CapGated("CAP_SYS_TTY_CONFIG", "vhangup"),
        CapGated("CAP_SYS_NICE", "get_mempolicy", "mbind", "set_mempolicy", "set_mempolicy_home_node"),
        CapGated("CAP_SYSLOG", "syslog"),
        CapGated("CAP_BPF", "bpf"),
        CapGated("CAP_PERFMON", "perf_event_open"),
    ];

    /// <summary>libseccomp architectures for a native architecture (the profile's archMap).</summary>
    public static List<string> Architectures(string arch) => arch switch
    {
        "amd64" => ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "arm64" => ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
        "s390x" => ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"],
        "riscv64" => ["SCMP_ARCH_RISCV64"],
        "loong64" => ["SCMP_ARCH_LOONGARCH64"],
        "386" => ["SCMP_ARCH_X86"],
        "arm" => ["SCMP_ARCH_ARM"],
        "ppc64le" => ["SCMP_ARCH_PPC64LE"],
        _ => [],
    };

    /// <summary>Resolves the profile for a container whose bounding set is <paramref name="boundingCaps"/>.</summary>
    public static SpecSeccomp Render(IReadOnlyCollection<string> boundingCaps, string arch, (int Major, int Minor) kernel)
    {
        var syscalls = new List<SpecSyscall>();
        foreach (var rule in Rules)
        {
            if (rule.IncludeCaps is { } inc && !inc.All(boundingCaps.Contains)) continue;
            if (rule.ExcludeCaps is { } exc && exc.Any(boundingCaps.Contains)) continue;
            if (rule.IncludeArches is { } ia && !ia.Contains(arch)) continue;
            if (rule.ExcludeArches is { } ea && ea.Contains(arch)) continue;
            if (rule.MinKernel is { } mk && kernel.CompareTo(mk) < 0) continue;
            syscalls.Add(new SpecSyscall
            {
                Names = [.. rule.Names],
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args is null ? null : [.. rule.Args],
            });
        }
        return new SpecSeccomp
        {
            DefaultAction = Errno,
            DefaultErrnoRet = DefaultErrnoRet,
            Architectures = Architectures(arch),
            Syscalls = syscalls,
        };
    }
}
