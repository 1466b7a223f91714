using Wharf.EndToEnd.Tests;

namespace Wharf.DockerDotNet.Tests;

/// <summary>One wharfd for the Docker.DotNet tests (the same fixture the end-to-end tests use).</summary>
[CollectionDefinition(Name)]
public sealed class DockerDotNetCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "docker-dotnet";
}
