using System.Diagnostics;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// A network namespace a test creates: a veth pair with one end in the namespace (address .2) and one on the
/// host (address .1) on a free 10.x.y.0/24, and no default route inside — so a container can reach a server
/// in it only through masquerade. Disposal kills what runs inside and removes namespace and links.
/// </summary>
internal sealed class TestNetns : IAsyncDisposable
{
    private readonly List<Process> _processes = [];

    private TestNetns(string name, string hostIf, string hostAddress, string innerAddress)
    {
        Name = name;
        HostInterface = hostIf;
        HostAddress = hostAddress;
        InnerAddress = innerAddress;
    }

    public string Name { get; }

    public string HostInterface { get; }

    public string HostAddress { get; }

    public string InnerAddress { get; }

    /// <summary>With <c>CreateAsync(ipv6Prefix: "fdxx:…:")</c>: the inner end's IPv6 address (prefix::2/64; the host
    /// end has prefix::1), also without a route back.</summary>
    public string? InnerAddress6 { get; private set; }

    public static async Task<TestNetns> CreateAsync(string? ipv6Prefix = null)
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var (_, bridgeAddress) = HostNetwork.UniqueDefaultBridge();
        var prefix = bridgeAddress[..bridgeAddress.LastIndexOf('.')];
        var ns = new TestNetns("wtest-" + id, "wt" + id, prefix + ".1", prefix + ".2");
        try
        {
            (await ProcessRunner.RunAsync("ip", ["netns", "add", ns.Name])).EnsureSuccess();
            (await ProcessRunner.RunAsync("ip", ["link", "add", ns.HostInterface, "type", "veth", "peer", "name", "wi" + id, "netns", ns.Name])).EnsureSuccess();
            (await ProcessRunner.RunAsync("ip", ["addr", "add", ns.HostAddress + "/24", "dev", ns.HostInterface])).EnsureSuccess();
            (await ProcessRunner.RunAsync("ip", ["link", "set", ns.HostInterface, "up"])).EnsureSuccess();
            (await ns.Exec("ip", "addr", "add", ns.InnerAddress + "/24", "dev", "wi" + id)).EnsureSuccess();
            (await ns.Exec("ip", "link", "set", "wi" + id, "up")).EnsureSuccess();
            (await ns.Exec("ip", "link", "set", "lo", "up")).EnsureSuccess();
            if (ipv6Prefix is not null)
            {
                (await ProcessRunner.RunAsync("ip", ["-6", "addr", "add", ipv6Prefix + ":1/64", "dev", ns.HostInterface, "nodad"])).EnsureSuccess();
                (await ns.Exec("ip", "-6", "addr", "add", ipv6Prefix + ":2/64", "dev", "wi" + id, "nodad")).EnsureSuccess();
                ns.InnerAddress6 = ipv6Prefix + ":2";
            }
        }
        catch
        {
            await ns.DisposeAsync();
            throw;
        }

        return ns;
    }

    public Task<CommandResult> Exec(params string[] args) => ProcessRunner.RunAsync("ip", ["netns", "exec", Name, .. args]);

    /// <summary>Starts a long-running program inside the namespace; it is killed on disposal.</summary>
    public Process Start(params string[] args)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "netns", "exec", Name }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + string.Join(' ', args));
        _processes.Add(p);
        return p;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                await p.WaitForExitAsync();
            }

            p.Dispose();
        }

        await ProcessRunner.RunAsync("ip", ["link", "del", HostInterface]);
        await ProcessRunner.RunAsync("ip", ["netns", "del", Name]);
    }
}
