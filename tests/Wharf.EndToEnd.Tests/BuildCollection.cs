namespace Wharf.EndToEnd.Tests;

/// <summary>Dockerfile builds get their own wharfd (builds are slow; the other collections run alongside).</summary>
[CollectionDefinition(Name)]
public sealed class BuildCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "build";
}
