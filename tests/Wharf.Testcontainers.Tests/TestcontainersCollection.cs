using Wharf.EndToEnd.Tests;

namespace Wharf.Testcontainers.Tests;

/// <summary>One wharfd for the Testcontainers tests (the same fixture the end-to-end tests use).</summary>
[CollectionDefinition(Name)]
public sealed class TestcontainersCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "testcontainers";
}
