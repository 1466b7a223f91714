using Wharf.Core;
using Wharf.Engine.Images;
using Wharf.Oci.Image;
using Wharf.Snapshots;

namespace Wharf.Unit.Tests.Containers;

/// <summary>One image "busybox" with an empty rootfs (nothing to mount), for service tests without root.</summary>
internal sealed class FakeImages : IImageResolver
{
    public const string ImageId = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    public List<string> Removed { get; } = [];

    public ResolvedImage Resolve(string reference) => reference is "busybox" or "busybox:latest"
        ? new ResolvedImage(ImageId, new ImageConfigFile { Config = new ImageRunConfig { Cmd = ["sh"], Env = ["PATH=/bin"] } })
        : throw WharfException.NotFound("No such image: " + reference);

    public IReadOnlyList<Mount> PrepareContainerRootfs(string containerId, string imageId) => [];
    public IReadOnlyList<Mount> ContainerRootfsMounts(string containerId) => [];
    public void RemoveContainerRootfs(string containerId) => Removed.Add(containerId);
}
