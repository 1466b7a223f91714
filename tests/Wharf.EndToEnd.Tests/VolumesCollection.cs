namespace Wharf.EndToEnd.Tests;

/// <summary>Volume tests get a daemon of their own: prune and "ls" see only what these tests made.</summary>
[CollectionDefinition(Name)]
public sealed class VolumesCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "volumes";
}
