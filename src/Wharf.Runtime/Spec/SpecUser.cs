namespace Wharf.Runtime.Spec;

/// <summary>OCI <c>process.user</c>: numeric ids only; names are resolved before (see <see cref="UserResolver"/>).</summary>
public sealed record SpecUser
{
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public List<uint>? AdditionalGids { get; init; }
}
