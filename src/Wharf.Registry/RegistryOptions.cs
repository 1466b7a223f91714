namespace Wharf.Registry;

public enum RegistryAuthMode
{
    None,
    Basic,
    Token,
}

/// <summary>Settings of <c>wharf registry serve</c>.</summary>
public sealed class RegistryOptions
{
    /// <summary>host:port to listen on (default 127.0.0.1:5000; port 0 picks a free one).</summary>
    public string Address { get; set; } = "127.0.0.1:5000";

    /// <summary>Storage root (content store, repositories, uploads).</summary>
    public string Root { get; set; } = "/var/lib/wharf-registry";

    public RegistryAuthMode Auth { get; set; } = RegistryAuthMode.None;

    /// <summary>htpasswd file with bcrypt entries (required for basic and token auth).</summary>
    public string? HtpasswdFile { get; set; }

    public string? TlsCertFile { get; set; }

    public string? TlsKeyFile { get; set; }

    /// <summary>Run garbage collection this often while serving; null disables it.</summary>
    public TimeSpan? GcInterval { get; set; }

    /// <summary>Unreferenced blobs younger than this survive a collection (an upload or push may still need them).</summary>
    public TimeSpan GcGrace { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The token service name (the <c>service</c> of the Bearer challenge).</summary>
    public string TokenService { get; set; } = "wharf-registry";

    /// <summary>Largest page a tags list returns, whatever n asks for.</summary>
    public int MaxPageSize { get; set; } = 1000;
}
