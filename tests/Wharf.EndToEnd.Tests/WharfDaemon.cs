using System.Diagnostics;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// One wharfd process with its own data root, socket and pid file under a test directory. It can be stopped,
/// killed and started again on the same data root, which is what the crash tests need.
/// </summary>
public sealed class WharfDaemon
{
    private Process? _process;

    public WharfDaemon(string directory)
    {
        Directory = directory;
        (BridgeName, BridgeAddress) = HostNetwork.UniqueDefaultBridge();
    }

    /// <summary>This daemon's default bridge (--bridge): unique per daemon so parallel daemons never share one.</summary>
    public string BridgeName { get; }

    /// <summary>The default bridge's address and prefix (--bip), a /24 of 10.0.0.0/8 no host route overlaps.</summary>
    public string BridgeAddress { get; }

    /// <summary>The nftables table holding all of this daemon's rules.</summary>
    public string FirewallTable => "wharf_" + BridgeName.Replace('-', '_');

    public string Directory { get; }

    public string DataRoot => Path.Combine(Directory, "root");

    /// <summary>Volatile state (runc root, monitor state); private so daemons never see each other's containers.</summary>
    public string ExecRoot => Path.Combine(Directory, "exec");

    public string SocketPath => Path.Combine(Directory, "wharf.sock");

    public string PidFile => Path.Combine(Directory, "wharfd.pid");

    public string LogFile => Path.Combine(Directory, "wharfd.log");

    public string Host => "unix://" + SocketPath;

    public int Pid => _process?.Id ?? throw new InvalidOperationException("wharfd is not started");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>More wharfd flags for the next starts (e.g. --config-file); empty by default.</summary>
    public IReadOnlyList<string> ExtraArgs { get; set; } = [];

    /// <param name="environment">Extra variables for this run of wharfd only (e.g. WHARF_TEST_CRASH_AT).</param>
    public async Task StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("wharfd is already running");
        }

        System.IO.Directory.CreateDirectory(Directory);
        File.AppendAllText(LogFile, $"--- test harness: starting wharfd at {DateTime.UtcNow:O}\n");
        // A shell that execs wharfd appends its log to a file: the pid stays wharfd's own, and the log survives the
        // test host, which matters when wharfd misbehaves.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" </dev/null >>\"$WHARF_E2E_LOG\" 2>&1");
        psi.ArgumentList.Add(TestPaths.Wharfd);
        foreach (var arg in new[]
                 {
                     "--data-root", DataRoot, "--exec-root", ExecRoot, "--host", Host, "--pidfile", PidFile, "--log-level", "debug",
                     "--bridge", BridgeName, "--bip", BridgeAddress,
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var arg in ExtraArgs)
        {
            psi.ArgumentList.Add(arg);
        }

        psi.Environment["WHARF_E2E_LOG"] = LogFile;
        // Tests never reach past this machine: every request wharfd would send to a host that is not loopback (a
        // pull from Docker Hub, ADD of a URL) goes to a proxy address on loopback where nothing listens, so no name
        // is looked up outside and no packet leaves. Loopback registries are reached directly.
        psi.Environment["HTTP_PROXY"] = psi.Environment["HTTPS_PROXY"] = "http://127.0.0.1:9";
        psi.Environment["NO_PROXY"] = "127.0.0.1,localhost,::1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[key] = value;
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start wharfd");

        var watch = Stopwatch.StartNew();
        using var http = UnixSocketHttp.Create(SocketPath, TimeSpan.FromSeconds(2));
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(
                    $"wharfd exited with code {_process.ExitCode} before answering /_ping\n{LogTail()}");
            }

            if (File.Exists(SocketPath))
            {
                try
                {
                    if (await http.GetStringAsync("/_ping") == "OK")
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    // Not listening yet.
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"wharfd did not answer /_ping on {SocketPath} within 30s\n{LogTail()}");
    }

    /// <summary>Sends SIGTERM (the documented clean shutdown) and waits for wharfd to exit.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var process = _process ?? throw new InvalidOperationException("wharfd is not started");
        if (!process.HasExited)
        {
            await ProcessRunner.RunAsync("/bin/kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                await process.WaitForExitAsync();
                throw new TimeoutException($"wharfd ignored SIGTERM; it was SIGKILLed\n{LogTail()}");
            }
        }

        return process.ExitCode;
    }

    /// <summary>SIGKILL: the daemon gets no chance to clean up, like a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        var process = _process ?? throw new InvalidOperationException("wharfd is not started");
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Waits for a wharfd that is expected to die on its own (a test crash hook); false if it lives on.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("wharfd is not started");
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string LogTail(int lines = 60)
    {
        if (!File.Exists(LogFile))
        {
            return "(no wharfd log)";
        }

        var all = File.ReadAllLines(LogFile);
        return $"--- last lines of {LogFile}:\n" + string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
