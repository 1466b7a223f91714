namespace Wharf.EndToEnd.Tests;

/// <summary>Test classes sharing one wharfd (images and API); each collection has its own daemon so collections run in parallel.</summary>
[CollectionDefinition(Name)]
public sealed class ImagesCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "images and API";
}
