namespace Wharf.EndToEnd.Tests;

/// <summary>Pull, push and login against a real registry; its own daemon, which the crash tests kill and restart.</summary>
[CollectionDefinition(Name)]
public sealed class DistributionCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "distribution";
}
