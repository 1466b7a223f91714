using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Wharf.EndToEnd.Tests;

/// <summary>`wharf registry serve` (from the published artifacts) on a free loopback port with its own storage and,
/// optionally, htpasswd users behind basic or token auth. Stopped by pid and its directory removed on dispose.</summary>
public sealed class OwnRegistry : IAsyncDisposable
{
    private readonly Process _process;

    private OwnRegistry(string directory, int port, Process process)
    {
        Directory = directory;
        Port = port;
        _process = process;
    }

    public string Directory { get; }

    public int Port { get; }

    public string Host => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string LogFile => Path.Combine(Directory, "registry.log");

    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <param name="auth">"none", "basic" or "token"; the latter two need <paramref name="user"/>.</param>
    public static async Task<OwnRegistry> StartAsync(string parentDir, string auth = "none", (string Name, string Password)? user = null)
    {
        var dir = Path.Combine(parentDir, "own-registry-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            var port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            var args = new List<string> { "registry", "serve", "--addr", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), "--root", Path.Combine(dir, "root"), "--auth", auth };
            if (user is { } u)
            {
                var htpasswd = await ProcessRunner.RunAsync("htpasswd", ["-Bbn", u.Name, u.Password], new Dictionary<string, string?>());
                if (htpasswd.ExitCode != 0) throw new InvalidOperationException("htpasswd (apache2-utils) failed: " + htpasswd);
                var file = Path.Combine(dir, "htpasswd");
                File.WriteAllText(file, htpasswd.Stdout.Trim() + "\n");
                args.AddRange(["--htpasswd", file]);
            }

            var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
            psi.ArgumentList.Add("wharf-registry");
            psi.ArgumentList.Add(Path.Combine(dir, "registry.log"));
            psi.ArgumentList.Add(TestPaths.WharfCli);
            foreach (var a in args) psi.ArgumentList.Add(a);
            var registry = new OwnRegistry(dir, port, Process.Start(psi) ?? throw new InvalidOperationException("could not start wharf registry serve"));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                if (registry._process.HasExited)
                    throw new InvalidOperationException($"wharf registry serve exited with {registry._process.ExitCode}:\n{registry.Log()}");
                try
                {
                    using var response = await http.GetAsync($"http://{registry.Host}/v2/");
                    if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized) return registry;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100);
            }

            await registry.DisposeAsync();
            throw new TimeoutException($"wharf registry serve did not answer on {registry.Host}\n{registry.Log()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
