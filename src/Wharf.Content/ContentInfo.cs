using Wharf.Oci;

namespace Wharf.Content;

/// <summary>What the store knows about one blob.</summary>
public sealed record ContentInfo(Digest Digest, long Size, DateTimeOffset CreatedAt);
