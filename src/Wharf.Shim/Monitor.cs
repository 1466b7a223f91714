using System.Globalization;
using System.Text;
using Wharf.Interop;
using Wharf.Runtime;
using Wharf.Runtime.Cgroups;

namespace Wharf.Shim;

/// <summary>
/// The monitor proper: runs <c>runc create</c> with the container's stdio, reports the result, then one
/// single-threaded poll loop owns everything — output pipes (or the pty master), the json-file log,
/// attach clients, the stdin pipe and the init's pidfd. No thread pool, no async: that keeps an idle
/// monitor at a few MiB and makes ordering (log before fan-out, output before exit notice) trivial.
/// </summary>
internal sealed class Monitor
{
    private const int StdinBacklogLimit = 256 * 1024;
    private const int DrainAfterExitMs = 2000;
    // An exec session nobody attached to (its wharfd went away) gives up on its held output after this.
    private const int UnclaimedExecMs = 60_000;

    private readonly ShimOptions _o;
    private readonly List<ClientConnection> _clients = new();
    private readonly List<(byte Type, byte[] Payload)> _frames = new();
    private readonly byte[] _readBuf = new byte[32 * 1024];
    private JsonLogWriter? _log;
    private int _listenFd = -1;
    private int _outFd = -1;   // stdout pipe or pty master (read side)
    private int _errFd = -1;   // stderr pipe (non-TTY)
    private int _inFd = -1;    // stdin pipe write end, or the pty master again
    private int _ptyMaster = -1;
    private int _pidFd = -1;
    private int _initPid;
    private int? _initStatus;
    private readonly Queue<byte[]> _stdinQueue = new();
    private int _stdinOffset;
    private long _stdinBacklog;
    private bool _closeStdinWhenFlushed;
    private string? _oomFile;
    private long _oomBaseline;
    // Exec sessions start before their client attaches: output stays in the pipe (or pty) until the first
    // attach, so nothing a fast process prints is lost; the kernel buffer's back-pressure pauses the process.
    private bool _holdOutput;
    private long _drainDeadline = long.MaxValue;

    public Monitor(ShimOptions options) => _o = options;

    public int Run()
    {
        Native.prctl(Native.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        Directory.CreateDirectory(_o.StateDir);
        var stateDir = Path.GetFullPath(_o.StateDir);
        // Relative socket names from here on: the state dir may be longer than sun_path allows.
        if (Native.chdir(stateDir) != 0) throw new IOException($"chdir {stateDir} failed");
        File.Delete(ShimProtocol.ExitFileName);
        File.Delete(ShimProtocol.PidFileName);

        _log = _o.LogPath.Length > 0 ? new JsonLogWriter(Path.GetFullPath(_o.LogPath), _o.LogMaxSize, _o.LogMaxFiles) : null;
        _holdOutput = _o.IsExec && !_o.Detach;
        _listenFd = UnixSocket.Listen(ShimProtocol.SocketName);

        int devNull = Native.open("/dev/null", Native.O_RDWR | Native.O_CLOEXEC, 0);
        var (runcErrRead, runcErrWrite) = Fd.Pipe();
        int childIn = devNull, childOut = devNull, childErr = runcErrWrite;
        int consoleListen = -1;
        string? consolePath = null;
        if (_o.Tty)
        {
            consolePath = Path.Combine(stateDir, "console.sock");
            if (Encoding.UTF8.GetByteCount(consolePath) > 100)
                consolePath = $"/proc/{Native.getpid()}/cwd/console.sock";
            consoleListen = UnixSocket.Listen("console.sock");
        }
        else
        {
            var (outR, outW) = Fd.Pipe();
            _outFd = outR;
            childOut = outW;
            _errFd = runcErrRead;
            if (_o.OpenStdin)
            {
                var (inR, inW) = Fd.Pipe();
                childIn = inR;
                _inFd = inW;
            }
        }

        var argv = new List<string>
        {
            _o.Runtime, "--root", _o.RuncRoot,
            "--log", Path.Combine(stateDir, ShimProtocol.RuncLogName), "--log-format", "json",
        };
        if (_o.IsExec)
            argv.AddRange(["exec", "--detach", "--process", Path.GetFullPath(_o.ExecProcess)]);
        else
            argv.AddRange(["create", "--bundle", _o.Bundle]);
        argv.AddRange(["--pid-file", Path.Combine(stateDir, ShimProtocol.PidFileName)]);
        if (consolePath != null) argv.AddRange(["--console-socket", consolePath]);
        argv.Add(_o.Id);

        int runcPid = PosixSpawn.Spawn(ResolveExecutable(_o.Runtime), argv, [(childIn, 0), (childOut, 1), (childErr, 2)], newSession: false);
        // The container holds its own copies now; keeping ours would hide EOF.
        if (childIn != devNull) Native.close(childIn);
        if (childOut != devNull) Native.close(childOut);
        Native.close(runcErrWrite);

        int status = WaitFor(runcPid);
        if (status != 0)
        {
            Fd.SetNonBlocking(runcErrRead);
            int n = Fd.Read(runcErrRead, _readBuf);
            var text = n > 0 ? Encoding.UTF8.GetString(_readBuf, 0, n).Trim() : $"runc {(_o.IsExec ? "exec" : "create")} exited with status {DescribeStatus(status)}";
            ReportAndDetach("error " + text.ReplaceLineEndings(" "), devNull);
            Cleanup(consoleListen);
            return 1;
        }

        _initPid = int.Parse(NativeFile.ReadAllText(ShimProtocol.PidFileName).Trim(), CultureInfo.InvariantCulture);
        _pidFd = Native.PidfdOpen(_initPid);
        if (_o.Tty)
        {
            _ptyMaster = ReceiveConsole(consoleListen);
            Native.close(consoleListen);
            Native.unlink("console.sock");
            consoleListen = -1;
            if (_ptyMaster < 0)
            {
                Native.kill(_initPid, Native.SIGKILL);
                ReportAndDetach("error runc did not send the console (pty master)", devNull);
                Cleanup(-1);
                return 1;
            }
            if (_o.Height > 0 && _o.Width > 0) SetWinSize(_o.Height, _o.Width);
            _outFd = _ptyMaster;
            if (_o.OpenStdin) _inFd = _ptyMaster;
            Native.close(runcErrRead);
        }
        SetupOomWatch();
        Fd.SetNonBlocking(_outFd);
        if (_errFd >= 0) Fd.SetNonBlocking(_errFd);
        if (_inFd >= 0 && _inFd != _ptyMaster) Fd.SetNonBlocking(_inFd);

        ReportAndDetach("ok " + _initPid.ToString(CultureInfo.InvariantCulture), devNull);
        Loop();
        return 0;
    }

    private static string ResolveExecutable(string name)
    {
        if (name.Contains('/')) return name;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return name;
    }

    /// <summary>Tells the launcher how creation went, then lets go of its pipes (it reads to EOF).</summary>
    private static void ReportAndDetach(string line, int devNull)
    {
        Fd.WriteLine(1, line);
        // The launcher reads until EOF, so every copy of its pipes must go — including dups the runtime
        // made of stdio (CoreCLR's PAL does when the shim runs under the JIT). Point them at /dev/null.
        // Everything this process has opened so far sits at a low number, so a bounded scan finds them all.
        if (Native.TryFdIdentity(1, out var stdout) | Native.TryFdIdentity(2, out var stderr))
            for (int fd = 3; fd < 256; fd++)
                if (fd != devNull && Native.TryFdIdentity(fd, out var id) && (id == stdout || id == stderr))
                    Native.dup2(devNull, fd);
        int log = Native.open(ShimProtocol.ShimLogName, Native.O_WRONLY | Native.O_CREAT | Native.O_APPEND | Native.O_CLOEXEC, Convert.ToInt32("640", 8));
        Native.dup2(devNull, 0);
        Native.dup2(devNull, 1);
        Native.dup2(log >= 0 ? log : devNull, 2);
        if (log >= 0) Native.close(log);
    }

    private void Cleanup(int consoleListen)
    {
        if (consoleListen >= 0)
        {
            Native.close(consoleListen);
            Native.unlink("console.sock");
        }
        Native.close(_listenFd);
        Native.unlink(ShimProtocol.SocketName);
        _log?.Dispose();
    }

    private static int WaitFor(int pid)
    {
        return Native.WaitPid(pid, out int status, 0) < 0 ? -1 : status;
    }

    private static string DescribeStatus(int status) =>
        (status & 0x7f) == 0 ? ((status >> 8) & 0xff).ToString(CultureInfo.InvariantCulture) : "signal " + (status & 0x7f).ToString(CultureInfo.InvariantCulture);

    private int ReceiveConsole(int listenFd)
    {
        // runc connected and sent the master before it exited; the connection waits in the backlog.
        Span<Native.PollFd> pfd = [new Native.PollFd { Fd = listenFd, Events = Native.POLLIN }];
        if (Native.Poll(pfd, 5000) <= 0) return -1;
        int conn = UnixSocket.Accept(listenFd);
        if (conn < 0) return -1;
        pfd[0] = new Native.PollFd { Fd = conn, Events = Native.POLLIN };
        Native.Poll(pfd, 5000);
        int fd = UnixSocket.ReceiveFd(conn);
        Native.close(conn);
        return fd;
    }

    private bool SetWinSize(int rows, int cols)
    {
        if (_ptyMaster < 0) return false;
        return Native.SetWindowSize(_ptyMaster, (ushort)rows, (ushort)cols);
    }

    private void Loop()
    {
        var pfds = new Native.PollFd[8];
        while (true)
        {
            if (_initStatus != null)
            {
                bool outputDone = _outFd < 0 && _errFd < 0;
                if (outputDone || Environment.TickCount64 >= _drainDeadline) break;
            }

            int count = 0;
            void Add(ref Native.PollFd[] arr, int fd, short events)
            {
                if (count == arr.Length) Array.Resize(ref arr, arr.Length * 2);
                arr[count++] = new Native.PollFd { Fd = fd, Events = events };
            }
            Add(ref pfds, _listenFd, Native.POLLIN);
            Add(ref pfds, _pidFd >= 0 && _initStatus == null ? _pidFd : -1, Native.POLLIN);
            Add(ref pfds, _holdOutput ? -1 : _outFd, Native.POLLIN);
            Add(ref pfds, _holdOutput ? -1 : _errFd, Native.POLLIN);
            Add(ref pfds, _stdinQueue.Count > 0 && _inFd != _ptyMaster ? _inFd : -1, Native.POLLOUT);
            int firstClient = count;
            bool acceptStdin = _stdinBacklog < StdinBacklogLimit;
            foreach (var c in _clients)
                Add(ref pfds, c.Fd, (short)((acceptStdin ? Native.POLLIN : 0) | (c.HasOutput ? Native.POLLOUT : 0)));

            int timeout = _initStatus != null ? (int)Math.Max(0, _drainDeadline - Environment.TickCount64)
                : _pidFd >= 0 ? 30_000 : 1000;
            int ready = Native.Poll(pfds.AsSpan(0, count), timeout);
            if (ready < 0 && ready != -Native.EINTR)
                throw new IOException($"poll: errno {-ready}");

            if (ready > 0)
            {
                if (pfds[2].REvents != 0) _outFd = Pump(_outFd, ShimProtocol.Stdout);
                if (pfds[3].REvents != 0) _errFd = Pump(_errFd, ShimProtocol.Stderr);
                if (pfds[4].REvents != 0) FlushStdin();
                for (int i = firstClient; i < count; i++)
                {
                    var c = _clients[i - firstClient];
                    short re = pfds[i].REvents;
                    if (re == 0 || c.Dead) continue;
                    if ((re & Native.POLLOUT) != 0) c.Flush();
                    if ((re & (Native.POLLIN | Native.POLLHUP | Native.POLLERR)) != 0 && !c.Dead) ReadClient(c);
                }
                if (pfds[0].REvents != 0) AcceptClients();
            }
            _clients.RemoveAll(c => c.Dead);

            if (_initStatus == null)
            {
                Reap();
                if (_initStatus != null) _drainDeadline = Environment.TickCount64 + (_holdOutput ? UnclaimedExecMs : DrainAfterExitMs);
            }
        }
        Finish();
    }

    /// <summary>Reads one chunk from an output fd into the log and the attached clients; returns the fd or -1 at EOF.</summary>
    private int Pump(int fd, byte stream)
    {
        int n = Fd.Read(fd, _readBuf);
        if (n == -Native.EAGAIN) return fd;
        if (n <= 0)
        {
            // EOF, or EIO on a pty master once every slave fd is closed.
            if (fd != _ptyMaster) Native.close(fd);
            return -1;
        }
        var data = _readBuf.AsSpan(0, n);
        _log?.Write(stream, data, Fd.NowUnixNanos());
        foreach (var c in _clients)
            if (c.Attached) c.Send(stream, data, droppable: true);
        return fd;
    }

    private void AcceptClients()
    {
        while (true)
        {
            int fd = UnixSocket.Accept(_listenFd);
            if (fd < 0) return;
            _clients.Add(new ClientConnection(fd));
        }
    }

    private void ReadClient(ClientConnection c)
    {
        _frames.Clear();
        bool open = c.Receive(_frames);
        foreach (var (type, payload) in _frames)
        {
            switch (type)
            {
                case ShimProtocol.Attach:
                    // The ack tells the driver the subscription is in place, so output after `runc start` reaches it.
                    c.Attached = true;
                    c.Send(ShimProtocol.Ok, default, droppable: false);
                    if (_holdOutput)
                    {
                        _holdOutput = false;
                        // The held output is still to be read: give it the usual drain time from now.
                        if (_initStatus != null) _drainDeadline = Environment.TickCount64 + DrainAfterExitMs;
                    }
                    break;
                case ShimProtocol.Wait:
                    c.Waiting = true;
                    break;
                case ShimProtocol.Stdin:
                    if (_inFd >= 0 && !_closeStdinWhenFlushed && payload.Length > 0)
                    {
                        _stdinQueue.Enqueue(payload);
                        _stdinBacklog += payload.Length;
                        FlushStdin();
                    }
                    break;
                case ShimProtocol.StdinClose:
                    if (_o.StdinOnce && _inFd >= 0 && _inFd != _ptyMaster)
                    {
                        _closeStdinWhenFlushed = true;
                        FlushStdin();
                    }
                    break;
                case ShimProtocol.Resize:
                    bool ok = payload.Length >= 4 && SetWinSize(
                        System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload),
                        System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2)));
                    if (ok) c.Send(ShimProtocol.Ok, default, droppable: false);
                    else c.Send(ShimProtocol.Error, _ptyMaster < 0 ? "container is not a TTY"u8 : "resize failed"u8, droppable: false);
                    break;
            }
        }
        if (!open) c.Close();
    }

    private void FlushStdin()
    {
        while (_stdinQueue.Count > 0 && _inFd >= 0)
        {
            var head = _stdinQueue.Peek();
            int n = Native.Write(_inFd, head.AsSpan(_stdinOffset));
            if (n < 0)
            {
                if (n == -Native.EAGAIN) return;
                // The reader is gone (EPIPE): nothing will ever consume stdin again.
                _stdinQueue.Clear();
                _stdinBacklog = 0;
                break;
            }
            _stdinOffset += n;
            _stdinBacklog -= n;
            if (_stdinOffset == head.Length)
            {
                _stdinQueue.Dequeue();
                _stdinOffset = 0;
            }
        }
        if (_closeStdinWhenFlushed && _stdinQueue.Count == 0 && _inFd >= 0 && _inFd != _ptyMaster)
        {
            Native.close(_inFd);
            _inFd = -1;
        }
    }

    /// <summary>Reaps every child (the init and anything re-parented to this subreaper).</summary>
    private void Reap()
    {
        while (true)
        {
            int pid = Native.WaitPid(-1, out int status, Native.WNOHANG);
            if (pid <= 0) return;
            if (pid == _initPid) _initStatus = status;
        }
    }

    private void SetupOomWatch()
    {
        try
        {
            // The same resolution wharfd uses for stats and `docker update` (Wharf.Runtime.Cgroups).
            var dirs = CgroupDirs.Resolve(CgroupMounts.Parse(NativeFile.ReadAllText("/proc/self/mountinfo")),
                NativeFile.ReadAllText($"/proc/{_initPid}/cgroup"));
            if (dirs.Dir("memory") is not { } dir) return;
            var file = dir + (dirs.Unified ? "/memory.events" : "/memory.oom_control");
            if (!File.Exists(file)) return;
            _oomFile = file;
            _oomBaseline = ReadOomKills(file);
        }
        catch (IOException)
        {
            // OOM reporting is best effort (Docker reports false when it cannot tell either).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long ReadOomKills(string file)
    {
        try
        {
            foreach (var line in NativeFile.ReadAllText(file).Split('\n'))
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                    return long.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private void Finish()
    {
        int st = _initStatus ?? 0;
        int code = (st & 0x7f) == 0 ? (st >> 8) & 0xff : 128 + (st & 0x7f);
        bool oom = _oomFile != null && ReadOomKills(_oomFile) > _oomBaseline;
        var record = new ExitRecord(code, DateTimeOffset.UtcNow, oom);
        var json = ExitRecordJson.Serialize(record);
        _log?.Dispose();
        // exit.json first: a client that sees the socket close can always find the record. Atomic (a wharfd that
        // restarts after its own crash reads all of it) but not fsynced: this is on the path from the container's
        // exit to `docker wait`/`run` returning, and only a host crash could lose it, which kills the container,
        // this monitor and the runc state beside it as well; wharfd then reports the exit as lost (255), as Docker
        // does for containers that were running at a host crash. (/run is usually tmpfs, where fsync is a no-op.)
        AtomicFile.WriteAllText(ShimProtocol.ExitFileName, json, durable: false);
        Native.close(_listenFd);
        Native.unlink(ShimProtocol.SocketName);

        var payload = Encoding.UTF8.GetBytes(json);
        foreach (var c in _clients)
        {
            if (c.Attached || c.Waiting) c.Send(ShimProtocol.Exit, payload, droppable: false);
            c.Closing = true;
            c.Flush();
        }
        // Give slow readers a moment to take the rest of their output, but never hang on them.
        long deadline = Environment.TickCount64 + 2000;
        while (Environment.TickCount64 < deadline)
        {
            _clients.RemoveAll(c => c.Dead);
            if (_clients.Count == 0) break;
            var pfds = new Native.PollFd[_clients.Count];
            for (int i = 0; i < pfds.Length; i++) pfds[i] = new Native.PollFd { Fd = _clients[i].Fd, Events = Native.POLLOUT };
            Native.Poll(pfds, 100);
            for (int i = 0; i < pfds.Length; i++)
            {
                if ((pfds[i].REvents & (Native.POLLERR | Native.POLLHUP)) != 0) _clients[i].Close();
                else _clients[i].Flush();
            }
        }
        foreach (var c in _clients) c.Close();
        if (_ptyMaster >= 0) Native.close(_ptyMaster);
    }
}
