using System.Runtime.InteropServices;
using System.Text;

namespace Wharf.Interop;

/// <summary>
/// Starts a program with posix_spawn: the caller chooses exactly which fds the child gets (as fd 0, 1, 2…),
/// signal dispositions and mask are reset to defaults (the .NET runtime ignores SIGPIPE, and ignored
/// signals survive exec — a container must not inherit that), and nothing waits for the child: the caller
/// reaps it with waitpid. Used by wharf-shim, which must own its children's exit statuses.
/// </summary>
public static unsafe class PosixSpawn
{
    // glibc: posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128; over-allocate.
    private const int OpaqueSize = 1024;

    /// <param name="fdMap">Pairs (source fd, target fd in the child). Every other fd is closed in the child.</param>
    /// <returns>The child's pid.</returns>
    public static int Spawn(string path, IReadOnlyList<string> argv, IReadOnlyList<(int Source, int Target)> fdMap,
        bool newSession, IReadOnlyDictionary<string, string>? extraEnv = null)
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            var key = (string)e.Key;
            if (extraEnv != null && extraEnv.ContainsKey(key)) continue;
            env.Add(key + "=" + (string?)e.Value);
        }
        if (extraEnv != null)
            foreach (var kv in extraEnv) env.Add(kv.Key + "=" + kv.Value);

        var allocations = new List<nint>();
        void* actions = NativeMemory.AllocZeroed(OpaqueSize);
        void* attr = NativeMemory.AllocZeroed(OpaqueSize);
        void* sigs = NativeMemory.AllocZeroed(OpaqueSize);
        try
        {
            byte* pathZ = Utf8Z(path, allocations);
            byte** argvZ = StringArray(argv, allocations);
            byte** envZ = StringArray(env, allocations);

            Native.posix_spawn_file_actions_init(actions);
            // Sources must not be another mapping's target (callers map fds >= 3 onto 0..2).
            foreach (var (src, dst) in fdMap)
            {
                if (src == dst)
                {
                    // dup2(fd, fd) is a no-op that leaves FD_CLOEXEC set; clear it so the child inherits it.
                    Native.fcntl(src, Native.F_SETFD, 0);
                    continue;
                }
                Check(Native.posix_spawn_file_actions_adddup2(actions, src, dst), "posix_spawn_file_actions_adddup2");
            }
            // Whatever the parent leaked without O_CLOEXEC (a caller's pipes) must not keep pipes open in the child.
            int maxTarget = 2;
            foreach (var (_, dst) in fdMap) maxTarget = Math.Max(maxTarget, dst);
            Check(Native.posix_spawn_file_actions_addclosefrom_np(actions, maxTarget + 1), "posix_spawn_file_actions_addclosefrom_np");

            Native.posix_spawnattr_init(attr);
            short flags = Native.POSIX_SPAWN_SETSIGDEF | Native.POSIX_SPAWN_SETSIGMASK;
            if (newSession) flags |= Native.POSIX_SPAWN_SETSID;
            Check(Native.posix_spawnattr_setflags(attr, flags), "posix_spawnattr_setflags");
            Native.sigemptyset(sigs);
            Check(Native.posix_spawnattr_setsigmask(attr, sigs), "posix_spawnattr_setsigmask");
            Native.sigfillset(sigs);
            Check(Native.posix_spawnattr_setsigdefault(attr, sigs), "posix_spawnattr_setsigdefault");

            int pid;
            int rc = Native.posix_spawn(&pid, pathZ, actions, attr, argvZ, envZ);
            if (rc != 0)
                throw new Wharf.Core.WharfException(Wharf.Core.ErrorKind.Internal,
                    $"posix_spawn {path}: {Marshal.GetPInvokeErrorMessage(rc)}");
            return pid;
        }
        finally
        {
            Native.posix_spawn_file_actions_destroy(actions);
            Native.posix_spawnattr_destroy(attr);
            NativeMemory.Free(actions);
            NativeMemory.Free(attr);
            NativeMemory.Free(sigs);
            foreach (var p in allocations) NativeMemory.Free((void*)p);
        }
    }

    private static void Check(int rc, string what)
    {
        if (rc != 0)
            throw new Wharf.Core.WharfException(Wharf.Core.ErrorKind.Internal, $"{what}: {Marshal.GetPInvokeErrorMessage(rc)}");
    }

    private static byte* Utf8Z(string s, List<nint> allocations)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        allocations.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    private static byte** StringArray(IReadOnlyList<string> items, List<nint> allocations)
    {
        byte** arr = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(nint));
        allocations.Add((nint)arr);
        for (int i = 0; i < items.Count; i++) arr[i] = Utf8Z(items[i], allocations);
        return arr;
    }
}
