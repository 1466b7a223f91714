using System.Text;
using Wharf.Core;
using Wharf.Runtime;

namespace Wharf.Unit.Tests.Runtime;

/// <summary>Real runc + wharf-shim, as root. Every test deletes its container and temp dirs.</summary>
public sealed class RuncRuntimeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static async Task<(string Stdout, string Stderr)> DrainAsync(IAttachSession session, CancellationToken ct)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        while (await session.ReadAsync(ct) is { } chunk)
            (chunk.Stream == 2 ? stderr : stdout).Append(Encoding.UTF8.GetString(chunk.Data.Span));
        return (stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Output_goes_to_json_log_and_attach_with_stream_numbers()
    {
        await using var c = new RuncTestContainer("sh", "-c", "echo out; echo err >&2; echo -n partial");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        int pid = await rt.CreateAsync(c.Options(), cts.Token);
        Assert.True(pid > 0);
        Assert.Equal(RuntimeStatus.Created, (await rt.GetStateAsync(c.Id, c.StateDir, cts.Token)).Status);
        await using var session = await rt.AttachAsync(c.Id, c.StateDir, cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        var (stdout, stderr) = await DrainAsync(session, cts.Token);
        Assert.Equal("out\npartial", stdout);
        Assert.Equal("err\n", stderr);
        var exit = await rt.WaitAsync(c.Id, c.StateDir, cts.Token);
        Assert.Equal(0, exit.ExitCode);

        var lines = File.ReadAllLines(c.LogPath);
        Assert.Contains(lines, l => l.StartsWith("{\"log\":\"out\\n\",\"stream\":\"stdout\",\"time\":\"", StringComparison.Ordinal) && l.EndsWith("Z\"}", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("{\"log\":\"partial\",\"stream\":\"stdout\"", StringComparison.Ordinal));
        var state = await rt.GetStateAsync(c.Id, c.StateDir, cts.Token);
        Assert.Equal(RuntimeStatus.Stopped, state.Status);
        Assert.Equal(0, state.Exit!.ExitCode);
    }

    [Fact]
    public async Task Stdin_from_attach_reaches_cat_and_stdin_once_closes_it()
    {
        await using var c = new RuncTestContainer("cat");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options(stdin: true, stdinOnce: true), cts.Token);
        await using var session = await rt.AttachAsync(c.Id, c.StateDir, cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        await session.WriteStdinAsync("ping\n"u8.ToArray(), cts.Token);
        await session.CloseStdinAsync(cts.Token);
        var (stdout, _) = await DrainAsync(session, cts.Token);
        Assert.Equal("ping\n", stdout);
        Assert.Equal(0, (await rt.WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
    }

    [Fact]
    public async Task Exit_code_is_recorded()
    {
        await using var c = new RuncTestContainer("sh", "-c", "exit 3");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options(), cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        var exit = await rt.WaitAsync(c.Id, c.StateDir, cts.Token);
        Assert.Equal(3, exit.ExitCode);
        Assert.True(File.Exists(Path.Combine(c.StateDir, "exit.json")));
    }

    [Fact]
    public async Task The_monitor_maps_no_shared_libc()
    {
        // docs/monitor.md "Memory": wharf-shim is linked statically. A shared libc in it costs every container about
        // 1.5 MiB of resident memory, and a second glibc dlopen'ed beside the linked one (a P/Invoke not bound
        // directly) would break the runtime's waits.
        await using var c = new RuncTestContainer("sleep", "100");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        int init = await rt.CreateAsync(c.Options(), cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        // The monitor is a child subreaper: runc's init is re-parented to it.
        var ppid = File.ReadAllLines($"/proc/{init}/status").Single(l => l.StartsWith("PPid:", StringComparison.Ordinal));
        int monitor = int.Parse(ppid["PPid:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.EndsWith("wharf-shim", File.ReadAllText($"/proc/{monitor}/comm").Trim());
        var libraries = File.ReadAllLines($"/proc/{monitor}/maps").Where(l => l.Contains(".so", StringComparison.Ordinal)).ToList();
        Assert.Empty(libraries);
        await rt.KillAsync(c.Id, c.StateDir, 9, all: false, cts.Token);
        Assert.Equal(137, (await rt.WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
    }

    [Fact]
    public async Task Kill_9_gives_137_and_a_fresh_runtime_still_sees_the_exit()
    {
        await using var c = new RuncTestContainer("sleep", "100");
        using var cts = new CancellationTokenSource(Timeout);
        await c.NewRuntime().CreateAsync(c.Options(), cts.Token);
        await c.NewRuntime().StartAsync(c.Id, c.StateDir, cts.Token);

        // The launcher of the monitor exited when CreateAsync returned; a new driver instance (as after a
        // wharfd restart) finds the running container and its monitor from the state dir alone.
        var fresh = c.NewRuntime();
        var state = await fresh.GetStateAsync(c.Id, c.StateDir, cts.Token);
        Assert.Equal(RuntimeStatus.Running, state.Status);
        var wait = fresh.WaitAsync(c.Id, c.StateDir, cts.Token);
        await Task.Delay(200, cts.Token);
        Assert.False(wait.IsCompleted);
        await c.NewRuntime().KillAsync(c.Id, c.StateDir, 9, all: false, cts.Token);
        Assert.Equal(137, (await wait).ExitCode);
        Assert.Equal(137, (await c.NewRuntime().WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
    }

    [Fact]
    public async Task Tty_gives_raw_output_on_one_stream_and_resizes()
    {
        await using var c = new RuncTestContainer(tty: true, "sh", "-c", "sleep 0.5; echo tty; stty size");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options(tty: true), cts.Token);
        await using var session = await rt.AttachAsync(c.Id, c.StateDir, cts.Token);
        await rt.ResizeAsync(c.Id, c.StateDir, 30, 100, cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        var (stdout, stderr) = await DrainAsync(session, cts.Token);
        Assert.Equal("", stderr);
        Assert.Contains("tty\r\n", stdout, StringComparison.Ordinal);
        Assert.Contains("30 100", stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await rt.WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
    }

    [Fact]
    public async Task Missing_executable_is_an_invalid_argument_with_runcs_words()
    {
        await using var c = new RuncTestContainer("nope-not-here");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        var ex = await Assert.ThrowsAsync<WharfException>(async () =>
        {
            await rt.CreateAsync(c.Options(), cts.Token);
            await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        });
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("executable file not found", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Non_executable_file_is_an_invalid_argument_with_permission_denied()
    {
        await using var c = new RuncTestContainer("/bin/data");
        File.WriteAllText(Path.Combine(c.Bundle, "rootfs", "bin", "data"), "not a program");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        var ex = await Assert.ThrowsAsync<WharfException>(async () =>
        {
            await rt.CreateAsync(c.Options(), cts.Token);
            await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        });
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        Assert.Contains("permission denied", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_log_rotates_at_max_size_keeping_max_files()
    {
        await using var c = new RuncTestContainer("sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx; i=$((i+1)); done");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options() with { LogMaxSize = 2048, LogMaxFiles = 3 }, cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        Assert.Equal(0, (await rt.WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
        Assert.True(File.Exists(c.LogPath + ".1"));
        Assert.True(File.Exists(c.LogPath + ".2"));
        Assert.False(File.Exists(c.LogPath + ".3"));
        var live = File.ReadAllLines(c.LogPath);
        Assert.Contains(live, l => l.Contains("line-199-", StringComparison.Ordinal));
        Assert.True(new FileInfo(c.LogPath + ".1").Length >= 2048);
        Assert.True(new FileInfo(c.LogPath + ".1").Length < 2048 + 4096);
    }

    [Fact]
    public async Task Long_state_dir_beyond_sun_path_works_for_tty_attach_and_resize()
    {
        await using var c = new RuncTestContainer(tty: true, "sh", "-c", "sleep 0.5; stty size");
        var stateDir = Path.Combine(c.Root, new string('d', 90), new string('e', 40), "state");
        Assert.True(stateDir.Length > 108);
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options(tty: true) with { StateDir = stateDir }, cts.Token);
        await using var session = await rt.AttachAsync(c.Id, stateDir, cts.Token);
        await rt.ResizeAsync(c.Id, stateDir, 33, 77, cts.Token);
        await rt.StartAsync(c.Id, stateDir, cts.Token);
        var (stdout, _) = await DrainAsync(session, cts.Token);
        Assert.Contains("33 77", stdout, StringComparison.Ordinal);
        Assert.Equal(0, (await rt.WaitAsync(c.Id, stateDir, cts.Token)).ExitCode);
        await rt.DeleteAsync(c.Id, stateDir, cts.Token);
    }

    [Fact]
    public async Task Several_attach_clients_all_get_the_output_and_an_idle_one_does_not_block_them()
    {
        await using var c = new RuncTestContainer("sh", "-c", "sleep 0.3; echo one; echo two >&2");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options(), cts.Token);
        await using var a = await rt.AttachAsync(c.Id, c.StateDir, cts.Token);
        await using var b = await rt.AttachAsync(c.Id, c.StateDir, cts.Token);
        await using var idle = await rt.AttachAsync(c.Id, c.StateDir, cts.Token); // never read
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        var ra = DrainAsync(a, cts.Token);
        var rb = DrainAsync(b, cts.Token);
        Assert.Equal(("one\n", "two\n"), await ra);
        Assert.Equal(("one\n", "two\n"), await rb);
        Assert.Equal(0, (await rt.WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
    }

    [Fact]
    public async Task Delete_is_idempotent_and_keeps_the_log()
    {
        await using var c = new RuncTestContainer("sleep", "100");
        using var cts = new CancellationTokenSource(Timeout);
        var rt = c.NewRuntime();
        await rt.CreateAsync(c.Options(), cts.Token);
        await rt.StartAsync(c.Id, c.StateDir, cts.Token);
        await rt.DeleteAsync(c.Id, c.StateDir, cts.Token);
        await rt.DeleteAsync(c.Id, c.StateDir, cts.Token);
        Assert.True(File.Exists(c.LogPath));
        Assert.False(File.Exists(Path.Combine(c.StateDir, "shim.sock")));
        Assert.Equal(RuntimeStatus.Unknown, (await rt.GetStateAsync(c.Id, c.StateDir, cts.Token)).Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{\"ExitCode\":0,\"Exi")]
    public async Task A_torn_exit_record_reads_as_a_lost_exit(string content)
    {
        // The monitor writes exit.json atomically but without fsync; after a host crash it may be empty or cut.
        var stateDir = Directory.CreateTempSubdirectory("wharf-torn-exit-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(stateDir, ShimProtocol.ExitFileName), content);
            var rt = new RuncRuntime("runc", Path.Combine(stateDir, "runc-root"));
            var exit = await rt.WaitAsync("torn", stateDir, CancellationToken.None);
            Assert.Equal(255, exit.ExitCode);
            Assert.Contains("without recording", exit.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(stateDir, recursive: true);
        }
    }

    private static string CmdLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static int ParentOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Spare monitors of this process, waiting for their flags.</summary>
    private static List<int> Spares() =>
        [.. Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && CmdLine(pid).EndsWith("wharf-shim monitor --args-on-stdin", StringComparison.Ordinal))
            .Where(pid => { try { return ParentOf(pid) == Environment.ProcessId; } catch (IOException) { return false; } })];

    [Fact]
    public async Task A_start_hands_its_flags_to_a_monitor_started_ahead()
    {
        using var cts = new CancellationTokenSource(Timeout);
        // After a start, a spare monitor waits for the next one. Other test classes start containers in parallel and
        // may take it first, so a few starts are tried; one must be served by a spare.
        bool servedBySpare = false;
        for (int attempt = 0; attempt < 5 && !servedBySpare; attempt++)
        {
            await using var c = new RuncTestContainer("sh", "-c", "echo served");
            var rt = c.NewRuntime();
            while (Spares().Count == 0)
            {
                // The first start of this process has nothing to take; it leaves a spare behind.
                await using (var first = new RuncTestContainer("true"))
                {
                    var frt = first.NewRuntime();
                    await frt.CreateAsync(first.Options(), cts.Token);
                    await frt.StartAsync(first.Id, first.StateDir, cts.Token);
                    await frt.WaitAsync(first.Id, first.StateDir, cts.Token);
                }
                for (int i = 0; i < 100 && Spares().Count == 0; i++) await Task.Delay(20, cts.Token);
            }
            int pid = await rt.CreateAsync(c.Options(), cts.Token);
            // The init is re-parented to its monitor (a child subreaper).
            servedBySpare = CmdLine(ParentOf(pid)).EndsWith("--args-on-stdin", StringComparison.Ordinal);
            await using var session = await rt.AttachAsync(c.Id, c.StateDir, cts.Token);
            await rt.StartAsync(c.Id, c.StateDir, cts.Token);
            var (stdout, _) = await DrainAsync(session, cts.Token);
            Assert.Equal("served\n", stdout);
            Assert.Equal(0, (await rt.WaitAsync(c.Id, c.StateDir, cts.Token)).ExitCode);
            Assert.StartsWith("{\"log\":\"served\\n\",\"stream\":\"stdout\"", File.ReadAllText(c.LogPath), StringComparison.Ordinal);
        }
        Assert.True(servedBySpare, "no start was served by a spare monitor");
    }

    [Theory]
    [InlineData("ok 42\n", true)]
    [InlineData("some warning\nok 42\n", true)]
    [InlineData("ok 42", false)]
    [InlineData("error runc create failed\n", false)]
    [InlineData("ok 42\nerror later\n", false)]
    [InlineData("", false)]
    public void The_launcher_stops_reading_at_a_whole_ok_line(string output, bool done) =>
        Assert.Equal(done, MonitorLauncher.EndsWithOkLine(System.Text.Encoding.UTF8.GetBytes(output)));
}
