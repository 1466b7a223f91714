using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// A registry process on a free loopback port with its own storage and log under a temp dir: the reference
/// registry (/usr/bin/docker-registry, distribution 2.8) by default, or another binary that takes the same
/// `serve config.yml` (WHARF_TEST_REGISTRY_BIN), or Wharf's own `wharf registry serve` (<see cref="StartWharfAsync"/>).
/// Optional htpasswd basic (and, for Wharf's, token) auth. Stopped by pid, dir removed.
/// </summary>
public sealed class TestRegistry : IAsyncDisposable
{
    public const string DefaultBinary = "/usr/bin/docker-registry";

    private readonly Process _process;

    private TestRegistry(string directory, int port, Process process)
    {
        Directory = directory;
        Port = port;
        _process = process;
    }

    public string Directory { get; }

    public int Port { get; }

    /// <summary>host:port as image references use it.</summary>
    public string Host => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string StorageDir => Path.Combine(Directory, "storage");

    public string LogFile => Path.Combine(Directory, "registry.log");

    /// <summary>The stored file of a blob in distribution's filesystem layout.</summary>
    public string BlobFile(string digest)
    {
        var hex = digest["sha256:".Length..];
        return Path.Combine(StorageDir, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    public string Log() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "";

    /// <summary>How many GETs of this blob the registry has served so far (from its access log).</summary>
    public int BlobGets(string digest) =>
        Log().Split('\n').Count(l => l.Contains("\"GET /v2/", StringComparison.Ordinal) && l.Contains("/blobs/" + digest, StringComparison.Ordinal));

    public static async Task<TestRegistry> StartAsync(string parentDir, (string User, string Password)? basicAuth = null)
    {
        var binary = Environment.GetEnvironmentVariable("WHARF_TEST_REGISTRY_BIN") is { Length: > 0 } b ? b : DefaultBinary;
        if (!File.Exists(binary))
        {
            throw new InvalidOperationException($"registry binary {binary} is missing (apt-get install docker-registry)");
        }

        var dir = Path.Combine(parentDir, "registry-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(Path.Combine(dir, "storage"));
        var port = FreePort();
        var auth = "";
        if (basicAuth is { } a)
        {
            var file = await WriteHtpasswdAsync(dir, a.User, a.Password);
            auth = $"auth:\n  htpasswd:\n    realm: wharf-test\n    path: {file}\n";
        }

        var config = Path.Combine(dir, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {Path.Combine(dir, "storage")}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{port}
            {auth}
            """);
        return await LaunchAsync(dir, port, binary, ["serve", config]);
    }

    /// <summary>`wharf registry serve` from the published artifacts, with <paramref name="auth"/> none, basic or token
    /// (the latter two with <paramref name="user"/> in an htpasswd file).</summary>
    public static async Task<TestRegistry> StartWharfAsync(string parentDir, string auth = "none", (string Name, string Password)? user = null)
    {
        var dir = Path.Combine(parentDir, "wharf-registry-" + Guid.NewGuid().ToString("N")[..8]);
        System.IO.Directory.CreateDirectory(dir);
        var port = FreePort();
        List<string> args = ["registry", "serve", "--addr", "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture),
            "--root", Path.Combine(dir, "storage"), "--auth", auth];
        if (user is { } u)
        {
            args.AddRange(["--htpasswd", await WriteHtpasswdAsync(dir, u.Name, u.Password)]);
        }

        return await LaunchAsync(dir, port, TestPaths.WharfCli, args);
    }

    private static async Task<string> WriteHtpasswdAsync(string dir, string user, string password)
    {
        var htpasswd = await ProcessRunner.RunAsync("htpasswd", ["-Bbn", user, password], new Dictionary<string, string?>());
        if (htpasswd.ExitCode != 0)
        {
            throw new InvalidOperationException("htpasswd (apache2-utils) failed: " + htpasswd);
        }

        var file = Path.Combine(dir, "htpasswd");
        File.WriteAllText(file, htpasswd.Stdout.Trim() + "\n");
        return file;
    }

    /// <summary>Starts <paramref name="binary"/> with its output in registry.log and waits until /v2/ answers.</summary>
    private static async Task<TestRegistry> LaunchAsync(string dir, int port, string binary, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("log=$1; shift; exec \"$@\" </dev/null >>\"$log\" 2>&1");
        psi.ArgumentList.Add("registry");
        psi.ArgumentList.Add(Path.Combine(dir, "registry.log"));
        psi.ArgumentList.Add(binary);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + binary);
        var registry = new TestRegistry(dir, port, process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{binary} exited with {process.ExitCode}:\n{registry.Log()}");
            }

            try
            {
                using var response = await http.GetAsync($"http://{registry.Host}/v2/");
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return registry;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        await registry.DisposeAsync();
        throw new TimeoutException($"{binary} did not answer on {registry.Host}\n{registry.Log()}");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the fixture's temp dir goes away with it.
        }
    }
}
