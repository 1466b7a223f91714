using System.Globalization;

namespace Wharf.EndToEnd.Tests;

/// <summary>Host network facts and cleanup for the tests: unique default bridges, leftover links and nft tables.</summary>
internal static class HostNetwork
{
    /// <summary>A bridge name and a 10.x.y.1/24 address that no host route overlaps, random per daemon.</summary>
    public static (string Name, string Address) UniqueDefaultBridge()
    {
        var name = "wh" + Guid.NewGuid().ToString("N")[..10];
        var routes = Routes();
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            var b = Random.Shared.Next(100, 250);
            var c = Random.Shared.Next(0, 256);
            var net = (10u << 24) | ((uint)b << 16) | ((uint)c << 8);
            if (routes.Any(r => Overlaps(r.Network, r.Prefix, net, 24)))
            {
                continue;
            }

            return (name, string.Create(CultureInfo.InvariantCulture, $"10.{b}.{c}.1/24"));
        }

        throw new InvalidOperationException("no free 10.x.y.0/24 for a test bridge");
    }

    public static bool LinkExists(string name) => Directory.Exists(Path.Combine("/sys/class/net", name));

    public static IReadOnlyList<string> Links() =>
        Directory.EnumerateDirectories("/sys/class/net").Select(Path.GetFileName).Select(n => n!).ToList();

    public static async Task<bool> NftTableExists(string table)
    {
        var r = await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table]);
        return r.ExitCode == 0;
    }

    public static async Task<string> NftTable(string table) =>
        (await ProcessRunner.RunAsync("nft", ["list", "table", "ip", table])).Stdout;

    /// <summary>Deletes what a stopped daemon leaves on the host: its nft table and its default bridge.</summary>
    public static async Task RemoveDaemonState(WharfDaemon daemon)
    {
        await ProcessRunner.RunAsync("nft", ["delete", "table", "ip", daemon.FirewallTable]);
        // The ip6 table exists only while an IPv6 network does; a test that failed half-way may leave one.
        await ProcessRunner.RunAsync("nft", ["delete", "table", "ip6", daemon.FirewallTable]);
        if (LinkExists(daemon.BridgeName))
        {
            (await ProcessRunner.RunAsync("ip", ["link", "del", daemon.BridgeName])).EnsureSuccess();
        }

        if (await NftTableExists(daemon.FirewallTable) || LinkExists(daemon.BridgeName))
        {
            throw new InvalidOperationException($"{daemon.BridgeName} or nft table {daemon.FirewallTable} is still there");
        }
    }

    private static List<(uint Network, int Prefix)> Routes()
    {
        var list = new List<(uint, int)>();
        foreach (var line in File.ReadAllLines("/proc/net/route").Skip(1))
        {
            var f = line.Split('\t', StringSplitOptions.TrimEntries);
            if (f.Length < 8)
            {
                continue;
            }

            var dst = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(uint.Parse(f[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var mask = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(uint.Parse(f[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            var prefix = System.Numerics.BitOperations.PopCount(mask);
            if (prefix > 0)
            {
                list.Add((dst, prefix));
            }
        }

        return list;
    }

    private static bool Overlaps(uint a, int pa, uint b, int pb)
    {
        var p = Math.Min(pa, pb);
        var m = p == 0 ? 0 : uint.MaxValue << (32 - p);
        return (a & m) == (b & m);
    }
}
