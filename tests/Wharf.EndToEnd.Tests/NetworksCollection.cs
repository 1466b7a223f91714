namespace Wharf.EndToEnd.Tests;

/// <summary>Test classes sharing one wharfd (networks, published ports, DNS); its own default bridge and subnet.</summary>
[CollectionDefinition(Name)]
public sealed class NetworksCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "networks";
}
