namespace Wharf.EndToEnd.Tests;

/// <summary>Test classes sharing one wharfd (crash recovery); each collection has its own daemon so collections run in parallel.</summary>
[CollectionDefinition(Name)]
public sealed class CrashCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "crash recovery";
}
