using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Wharf.Core;

namespace Wharf.Distribution;

/// <summary>
/// Which registries may be spoken to over plain HTTP and which mirrors to try first: the "insecure-registries" and
/// "registry-mirrors" keys of dockerd's daemon.json. Unlike dockerd, mirrors apply to every registry (not only
/// Docker Hub): a pull of host/repo asks each mirror for repo first, then host itself. Pushes never use mirrors.
/// As in Docker, 127.0.0.0/8 (and ::1) is insecure without being listed.
/// </summary>
public sealed class RegistryOptions
{
    private readonly List<(IPAddress Network, int Prefix)> _insecureNets = [];
    private readonly HashSet<string> _insecureHosts = new(StringComparer.OrdinalIgnoreCase);

    public RegistryOptions(IEnumerable<string>? insecureRegistries = null, IEnumerable<string>? mirrors = null)
    {
        _insecureNets.Add((IPAddress.Parse("127.0.0.0"), 8));
        _insecureNets.Add((IPAddress.IPv6Loopback, 128));
        foreach (var entry in insecureRegistries ?? [])
        {
            var e = entry.Trim();
            if (e.Contains("://", StringComparison.Ordinal))
                throw WharfException.Invalid($"insecure registry {e} should not contain '://'");
            int slash = e.IndexOf('/', StringComparison.Ordinal);
            if (slash > 0 && IPAddress.TryParse(e[..slash], out var net) && int.TryParse(e[(slash + 1)..], out var prefix))
                _insecureNets.Add((net, prefix));
            else
                _insecureHosts.Add(e);
        }
        Mirrors = [.. (mirrors ?? []).Select(ValidateMirror)];
    }

    /// <summary>Mirror base URLs (scheme://host[:port]), in order.</summary>
    public IReadOnlyList<Uri> Mirrors { get; }

    public static readonly RegistryOptions Default = new();

    /// <summary>Reads daemon.json (JSON object; unknown keys are ignored, as other subsystems own them).</summary>
    public static RegistryOptions FromDaemonJson(string json)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        if (doc.RootElement.ValueKind != JsonValueKind.Object) throw WharfException.Invalid("daemon config must be a JSON object");
        List<string> Strings(string key)
        {
            if (!doc.RootElement.TryGetProperty(key, out var v) || v.ValueKind == JsonValueKind.Null) return [];
            if (v.ValueKind != JsonValueKind.Array) throw WharfException.Invalid($"{key} must be a list of strings");
            return [.. v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw WharfException.Invalid($"{key} must be a list of strings"))];
        }
        return new RegistryOptions(Strings("insecure-registries"), Strings("registry-mirrors"));
    }

    private static Uri ValidateMirror(string value)
    {
        if (!Uri.TryCreate(value.Trim().TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw WharfException.Invalid($"invalid mirror: unsupported scheme or not a URL: {value}");
        if (uri.AbsolutePath is not ("/" or ""))
            throw WharfException.Invalid($"invalid mirror: path is not supported: {value}");
        return new Uri(uri.GetLeftPart(UriPartial.Authority));
    }

    /// <summary>The host to dial for a reference domain: Docker Hub's API lives on registry-1.docker.io.</summary>
    public static string ApiHost(string domain) => domain == "docker.io" ? "registry-1.docker.io" : domain;

    /// <summary>True when plain HTTP (and unverified TLS) is allowed for this registry host[:port].</summary>
    public bool IsInsecure(string hostPort)
    {
        if (_insecureHosts.Contains(hostPort)) return true;
        var host = HostOf(hostPort);
        if (_insecureHosts.Contains(host)) return true;
        IEnumerable<IPAddress> addresses;
        if (IPAddress.TryParse(host.Trim('[', ']'), out var ip)) addresses = [ip];
        else if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) addresses = [IPAddress.Loopback];
        else
        {
            // Docker resolves names to check them against CIDRs; a name that does not resolve is secure.
            try { addresses = Dns.GetHostAddresses(host); }
            catch (SocketException) { return false; }
        }
        return addresses.Any(a => _insecureNets.Any(n => InNetwork(a, n.Network, n.Prefix)));
    }

    internal static string HostOf(string hostPort)
    {
        if (hostPort.StartsWith('['))
        {
            int end = hostPort.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? hostPort[..(end + 1)] : hostPort;
        }
        int colon = hostPort.LastIndexOf(':');
        return colon > 0 ? hostPort[..colon] : hostPort;
    }

    private static bool InNetwork(IPAddress address, IPAddress network, int prefix)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length) return false;
        for (int bit = 0; bit < prefix; bit++)
        {
            int mask = 0x80 >> (bit % 8);
            if ((a[bit / 8] & mask) != (n[bit / 8] & mask)) return false;
        }
        return true;
    }
}
