namespace Wharf.EndToEnd.Tests;

/// <summary>save/load, prune, system df and base images get a daemon of their own: prune -a and df see only what
/// these tests made.</summary>
[CollectionDefinition(Name)]
public sealed class LocalImagesCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "local-images";
}
