using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Wharf.EndToEnd.Tests;

/// <summary>Detaching from a TTY container or exec with the detach keys: the attach ends, the container (or exec) keeps running.</summary>
[Collection(ContainersCollection.Name)]
public sealed class DetachKeysTests(DaemonFixture wharf)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<string> StartShell()
    {
        var name = wharf.UniqueName("detach");
        (await wharf.Docker("run", "-dit", "--name", name, "busybox", "sh")).EnsureSuccess();
        return name;
    }

    private async Task AssertRunning(string name)
    {
        var state = (await wharf.Docker("inspect", "-f", "{{.State.Running}}", name)).EnsureSuccess();
        Assert.Equal("true\n", state.Stdout);
    }

    [Fact]
    public async Task Docker_attach_detaches_with_ctrl_p_ctrl_q_and_the_container_keeps_running()
    {
        var name = await StartShell();
        try
        {
            using var terminal = Terminal.Start(wharf, $"attach {name}");
            // Only the shell's answer contains 42; once it shows, the CLI is attached with its terminal raw.
            await terminal.Type("echo $((6*7))\r");
            await terminal.WaitFor("42");
            await terminal.Type("\x10\x11");
            // The CLI leaves (printing "read escape sequence"); what matters is that it returns.
            await terminal.Exit();
            await AssertRunning(name);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Custom_detach_keys_over_the_api_end_the_attach()
    {
        var name = await StartShell();
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(wharf.Daemon.SocketPath));
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            var request = $"POST /containers/{name}/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x,x HTTP/1.1\r\n"
                + "Host: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var seen = new StringBuilder();
            await ReadUntil(stream, seen, "\r\n\r\n");
            Assert.StartsWith("HTTP/1.1 101", seen.ToString(), StringComparison.Ordinal);

            await stream.WriteAsync("echo $((6*7))\n"u8.ToArray());
            await ReadUntil(stream, seen, "42");
            await stream.WriteAsync(new byte[] { 0x18, (byte)'x' });
            // The daemon ends the stream: reads reach EOF.
            using var deadline = new CancellationTokenSource(Patience);
            var buffer = new byte[4096];
            while (await stream.ReadAsync(buffer, deadline.Token) > 0) { }
            await AssertRunning(name);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Docker_exec_it_detaches_with_its_own_keys_and_the_exec_process_runs_on()
    {
        var name = await StartShell();
        try
        {
            using var terminal = Terminal.Start(wharf, $"exec -it --detach-keys ctrl-x,x {name} sh");
            // The typed line must not contain "42" itself: the terminal echoes it before the shell answers.
            await terminal.Type("echo $((6*7)); exec sleep 9753\r");
            await terminal.WaitFor("42");
            await terminal.Type("\x18x");
            await terminal.Exit();

            // The exec's process was not ended by the detach: its sleep is (or very soon is: the shell execs it
            // right after printing 42) in the container, and stays.
            var watch = Stopwatch.StartNew();
            string ps;
            while (!(ps = (await wharf.Docker("exec", name, "ps", "-o", "args")).EnsureSuccess().Stdout).Contains("sleep 9753", StringComparison.Ordinal)
                   && watch.Elapsed < TimeSpan.FromSeconds(5))
                await Task.Delay(100);
            Assert.Contains("sleep 9753", ps, StringComparison.Ordinal);

            var bad = await wharf.Docker("exec", "--detach-keys", "ctrl-", name, "true");
            Assert.NotEqual(0, bad.ExitCode);
            Assert.Contains("Invalid detach keys", bad.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    [Fact]
    public async Task Invalid_detach_keys_are_a_400()
    {
        var name = await StartShell();
        try
        {
            using var http = wharf.Http();
            var response = await http.PostAsync($"/containers/{name}/attach?stream=1&stdout=1&detachKeys=ctrl-1", null);
            Assert.Equal(400, (int)response.StatusCode);
            Assert.Contains("Invalid detach keys (ctrl-1) provided", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
        }
    }

    private static async Task ReadUntil(Stream stream, StringBuilder seen, string marker)
    {
        using var deadline = new CancellationTokenSource(Patience);
        var buffer = new byte[4096];
        while (!seen.ToString().Contains(marker, StringComparison.Ordinal))
        {
            int n = await stream.ReadAsync(buffer, deadline.Token);
            if (n == 0) throw new Xunit.Sdk.XunitException($"stream ended before \"{marker}\"; got: {seen}");
            seen.Append(Encoding.Latin1.GetString(buffer, 0, n));
        }
    }

    /// <summary>A docker command in a pseudo-terminal (util-linux script) that the test types into.</summary>
    private sealed class Terminal : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();
        private readonly Task _reader;

        private Terminal(Process process)
        {
            _process = process;
            _reader = Task.Run(async () =>
            {
                var buffer = new char[1024];
                int n;
                while ((n = await process.StandardOutput.ReadAsync(buffer)) > 0)
                    lock (_output) _output.Append(buffer, 0, n);
            });
        }

        public static Terminal Start(DaemonFixture wharf, string arguments)
        {
            var psi = new ProcessStartInfo("script")
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            foreach (var a in new[] { "-qec", $"{TestPaths.DockerCli} {arguments}", "/dev/null" }) psi.ArgumentList.Add(a);
            foreach (var (k, v) in wharf.ClientEnvironment)
            {
                if (v is null) psi.Environment.Remove(k);
                else psi.Environment[k] = v;
            }
            return new Terminal(Process.Start(psi) ?? throw new InvalidOperationException("could not start script"));
        }

        public async Task Type(string text)
        {
            await _process.StandardInput.WriteAsync(text);
            await _process.StandardInput.FlushAsync();
        }

        public async Task WaitFor(string text)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                lock (_output)
                    if (_output.ToString().Contains(text, StringComparison.Ordinal)) return;
                if (watch.Elapsed > Patience || _process.HasExited)
                    throw new Xunit.Sdk.XunitException($"\"{text}\" never appeared; output: {Output}");
                await Task.Delay(50);
            }
        }

        public async Task<int> Exit()
        {
            using var deadline = new CancellationTokenSource(Patience);
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new Xunit.Sdk.XunitException($"the client did not detach; output: {Output}");
            }
            return _process.ExitCode;
        }

        private string Output
        {
            get { lock (_output) return _output.ToString(); }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                try { _process.Kill(entireProcessTree: true); }
                catch (InvalidOperationException) { }
                _process.WaitForExit();
            }
            _reader.Wait(TimeSpan.FromSeconds(5));
            _process.Dispose();
        }
    }
}
