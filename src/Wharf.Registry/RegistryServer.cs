using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wharf.Core;

namespace Wharf.Registry;

/// <summary>A running <c>wharf registry serve</c>: Kestrel, the API, auth and the periodic collector.</summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private Task? _gcLoop;

    private RegistryServer(WebApplication app, RegistryStorage storage, RegistryOptions options)
    {
        _app = app;
        Storage = storage;
        Options = options;
    }

    public RegistryStorage Storage { get; }

    public RegistryOptions Options { get; }

    /// <summary>http(s)://host:port of the listener (the real port when 0 was asked for).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public static (IPAddress Address, int Port) ParseAddress(string addr)
    {
        var colon = addr.LastIndexOf(':');
        if (colon < 0 || !int.TryParse(addr[(colon + 1)..], out var port) || port is < 0 or > 65535)
            throw new ArgumentException($"invalid address {addr}: want host:port");
        var host = addr[..colon].Trim('[', ']');
        IPAddress ip = host.Length == 0 ? IPAddress.Any : host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed : throw new ArgumentException($"invalid address {addr}: host must be an IP address");
        return (ip, port);
    }

    public static async Task<RegistryServer> StartAsync(RegistryOptions options, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = new RegistryStorage(options.Root);
        var auth = new RegistryAuth(options, Path.Combine(storage.Root, "token.key"));
        var handler = new RegistryHandler(storage, options, auth);
        var (ip, port) = ParseAddress(options.Address);
        X509Certificate2? cert = null;
        if (options.TlsCertFile is not null || options.TlsKeyFile is not null)
        {
            if (options.TlsCertFile is null || options.TlsKeyFile is null) throw new ArgumentException("--tls-cert and --tls-key go together");
            cert = X509Certificate2.CreateFromPemFile(options.TlsCertFile, options.TlsKeyFile);
        }

        // No host defaults: no appsettings.json read (and watched by a FileSystemWatcher thread) from the working
        // directory, no ASPNETCORE_/DOTNET_ environment configuration; everything is set here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        if (cert is not null) builder.WebHost.UseKestrelHttpsConfiguration();
        // Larger transport blocks: fewer receives and pipe hand-offs per blob byte (see LargeBlockMemoryPool).
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Blobs are as large as layers are: no body limit (manifests have their own 4 MiB limit).
            k.Limits.MaxRequestBodySize = null;
            k.Listen(ip, port, l =>
            {
                if (cert is not null) l.UseHttps(cert);
            });
        });
        var app = builder.Build();
        var server = new RegistryServer(app, storage, options);
        app.Run(ctx => server.ServeAsync(ctx, handler, auth, log));
        await app.StartAsync().ConfigureAwait(false);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var u = new Uri(bound.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
        server.BaseAddress = new Uri($"{(cert is null ? "http" : "https")}://{(ip.Equals(IPAddress.Any) ? "127.0.0.1" : u.Host)}:{u.Port}");
        if (options.GcInterval is { } every) server._gcLoop = server.GcLoopAsync(every, log);
        return server;
    }

    private async Task ServeAsync(HttpContext ctx, RegistryHandler handler, RegistryAuth auth, Action<string>? log)
    {
        ctx.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        var path = ctx.Request.Path.Value ?? "/";
        try
        {
            if (path == "/token")
            {
                await auth.IssueTokenAsync(ctx).ConfigureAwait(false);
                return;
            }
            if (path != "/v2" && !path.StartsWith("/v2/", StringComparison.Ordinal)) throw new RegistryError("NOT_FOUND", "page not found");
            var rest = path.Length <= 4 ? "" : path[4..];
            var repository = rest.Length == 0 ? null : RegistryHandler.Route(rest)?.Name;
            if (auth.Authorize(ctx, repository) is { } denied)
            {
                await denied.WriteAsync(ctx.Response).ConfigureAwait(false);
                return;
            }
            await handler.HandleAsync(ctx, rest).ConfigureAwait(false);
        }
        catch (RegistryError e) when (!ctx.Response.HasStarted)
        {
            await e.WriteAsync(ctx.Response).ConfigureAwait(false);
        }
        catch (WharfException e) when (!ctx.Response.HasStarted && e.Kind == ErrorKind.NotFound)
        {
            await new RegistryError("BLOB_UNKNOWN", "blob unknown to registry", e.Message).WriteAsync(ctx.Response).ConfigureAwait(false);
        }
        catch (Exception e) when (!ctx.Response.HasStarted && e is not OperationCanceledException)
        {
            log?.Invoke($"{ctx.Request.Method} {path}: {e}");
            await new RegistryError("UNKNOWN", "unknown error", e.Message).WriteAsync(ctx.Response).ConfigureAwait(false);
        }
    }

    private async Task GcLoopAsync(TimeSpan every, Action<string>? log)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                try
                {
                    var r = await Task.Run(() => GarbageCollector.Collect(Storage, Options.GcGrace, dryRun: false, log), _stop.Token).ConfigureAwait(false);
                    log?.Invoke($"gc: {r.Swept.Count} of {r.Blobs} blobs deleted, {r.BytesFreed} bytes freed");
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    log?.Invoke("gc failed: " + e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Blocks until the host stops (SIGINT/SIGTERM).</summary>
    public Task WaitForShutdownAsync() => Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(_app);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_gcLoop is not null) await _gcLoop.ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
