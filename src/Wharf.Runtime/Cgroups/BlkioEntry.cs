namespace Wharf.Runtime.Cgroups;

/// <summary>One block-device counter: device major:minor, operation ("Read", "Write", ... on v1; "read"/"write" on v2).</summary>
public sealed record BlkioEntry(ulong Major, ulong Minor, string Op, ulong Value);
