using System.Runtime.InteropServices;

namespace Wharf.Interop;

/// <summary>
/// Declarations the per-container monitor (wharf-shim) and the runc driver need: process spawning
/// without .NET's Process class (which would reap children the monitor must waitpid itself), pipes,
/// poll, unix sockets with SCM_RIGHTS, pty sizing and pidfds. x86_64/arm64 Linux glibc layouts.
/// </summary>
public static unsafe partial class Native
{
    public const int O_APPEND = 0x400;
    public const int EINTR = 4;
    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const int ECHILD = 10;
    public const int EPIPE = 32;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETFD = 2;
    public const int FD_CLOEXEC = 1;

    public const short POLLIN = 0x1;
    public const short POLLOUT = 0x4;
    public const short POLLERR = 0x8;
    public const short POLLHUP = 0x10;
    public const short POLLNVAL = 0x20;

    public const int WNOHANG = 1;

    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int PR_SET_PDEATHSIG = 1;

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_NONBLOCK = 0x800;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SOL_SOCKET = 1;
    public const int SCM_RIGHTS = 1;
    public const int MSG_CMSG_CLOEXEC = 0x40000000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int SHUT_WR = 1;

    public const nuint TIOCSWINSZ = 0x5414;

    public const short POSIX_SPAWN_SETSIGDEF = 0x04;
    public const short POSIX_SPAWN_SETSIGMASK = 0x08;
    public const short POSIX_SPAWN_SETSID = 0x80;

    public const int CLOCK_REALTIME = 0;
    public const int SYS_pidfd_open_x64 = 434;
    public const int SIGKILL = 9;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Row;
        public ushort Col;
        public ushort XPixel;
        public ushort YPixel;
    }

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nint count, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int setsid();

    [LibraryImport(Libc)]
    public static partial int getpid();

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int bind(int fd, byte* addr, uint len);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int listen(int fd, int backlog);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int accept4(int fd, void* addr, void* len, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int ioctl(int fd, nuint request, void* arg);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint syscall(nint number, nint arg1, nint arg2);

    [LibraryImport(Libc, EntryPoint = "unlink", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int unlink(string path);

    [LibraryImport(Libc, EntryPoint = "chdir", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int clock_gettime(int clock, Timespec* ts);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newfd);

    /// <summary>glibc 2.34+: close every fd >= <paramref name="from"/> in the child (after the dup2 actions).</summary>
    [LibraryImport(Libc)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigset);

    [LibraryImport(Libc)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigset);

    [LibraryImport(Libc)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Libc)]
    public static partial int sigfillset(void* set);

    /// <summary>pidfd_open(2): an fd that polls readable when <paramref name="pid"/> exits (Linux 5.3+).</summary>
    public static int PidfdOpen(int pid)
    {
        int nr = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? 434 : SYS_pidfd_open_x64;
        return (int)syscall(nr, pid, 0);
    }
}
