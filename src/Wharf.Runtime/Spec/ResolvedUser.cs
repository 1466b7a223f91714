namespace Wharf.Runtime.Spec;

/// <summary>A container user resolved to ids from the image's /etc/passwd and /etc/group.</summary>
public sealed record ResolvedUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home = "/")
{
    public static ResolvedUser Root { get; } = new(0, 0, []);
}
