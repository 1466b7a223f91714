namespace Wharf.Runtime.Spec;

/// <summary>HostConfig.Devices entry (--device host[:container[:perms]]).</summary>
public sealed record SpecInputDevice(string PathOnHost, string PathInContainer, string CgroupPermissions);
