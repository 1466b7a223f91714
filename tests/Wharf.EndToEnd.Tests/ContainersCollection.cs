namespace Wharf.EndToEnd.Tests;

/// <summary>Test classes sharing one wharfd (containers); each collection has its own daemon so collections run in parallel.</summary>
[CollectionDefinition(Name)]
public sealed class ContainersCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "containers";
}
