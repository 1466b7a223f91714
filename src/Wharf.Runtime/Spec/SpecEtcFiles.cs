namespace Wharf.Runtime.Spec;

/// <summary>Host paths of the files the daemon writes for a container and binds into /etc.</summary>
public sealed record SpecEtcFiles
{
    public string? HostsPath { get; init; }
    public string? HostnamePath { get; init; }
    public string? ResolvConfPath { get; init; }
}
