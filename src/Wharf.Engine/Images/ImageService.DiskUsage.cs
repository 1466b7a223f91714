using Wharf.Api.Images;

namespace Wharf.Engine.Images;

/// <summary>The image part of <c>GET /system/df</c>.</summary>
/// <param name="Images">Top-level images with Size, SharedSize (bytes in layers another image also uses) and
/// Containers (how many containers use it).</param>
/// <param name="LayersSize">Bytes of every distinct layer of every image, counted once.</param>
public sealed record ImageDiskUsage(List<ImageSummary> Images, long LayersSize);

public sealed partial class ImageService
{
    /// <summary>Measures every layer once (hard-linked files counted once per layer, as Docker's
    /// directory.Size); an image's Size is the sum of its layers, so UniqueSize = Size - SharedSize adds up.</summary>
    public ImageDiskUsage DiskUsage()
    {
        var list = List(all: false);
        var containers = list.ToDictionary(i => i.Id, i => (long)(Usage?.ContainersUsing(i.Id).Count ?? 0), StringComparer.Ordinal);
        lock (_lock)
        {
            var chainsOf = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var users = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var m in Store.Images)
            {
                var chains = Store.ChainIds(m.Id);
                chainsOf[m.Id] = chains;
                foreach (var c in chains.Distinct()) users[c] = users.GetValueOrDefault(c) + 1;
            }
            var sizes = users.Keys.ToDictionary(c => c, c => Snapshots.LayerExists(c) ? Wharf.Snapshots.DiskUsage.Of(Snapshots.LayerPath(c)) : 0, StringComparer.Ordinal);
            foreach (var image in list)
            {
                if (!chainsOf.TryGetValue(image.Id, out var chains)) continue;
                image.Size = chains.Distinct().Sum(c => sizes[c]);
                image.SharedSize = chains.Distinct().Where(c => users[c] > 1).Sum(c => sizes[c]);
                image.Containers = containers.GetValueOrDefault(image.Id);
            }
            return new ImageDiskUsage([.. list], sizes.Values.Sum());
        }
    }

    /// <summary>Bytes in a container's writable layer (its upper dir), hard links counted once.</summary>
    public long ContainerLayerSize(string containerId) =>
        Snapshots.ContainerExists(containerId) ? Wharf.Snapshots.DiskUsage.Of(Snapshots.ContainerUpperDir(containerId)) : 0;
}
