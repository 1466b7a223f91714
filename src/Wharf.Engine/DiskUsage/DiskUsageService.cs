using System.Globalization;
using Wharf.Api.Daemon;
using Wharf.Api.Volumes;
using Wharf.Engine.Build;
using Wharf.Engine.Containers;
using Wharf.Engine.Images;
using Wharf.Engine.Volumes;

namespace Wharf.Engine.DiskUsage;

/// <summary>
/// <c>GET /system/df</c> (moby daemon/disk_usage.go): images (Size, SharedSize, Containers), containers (SizeRw =
/// their writable layer, SizeRootFs = that plus the image), volumes (UsageData.Size and RefCount) and the build
/// step cache. Every size is a walk of the tree with hard-linked files counted once.
/// </summary>
public sealed class DiskUsageService(ImageService images, ContainerService containers, VolumeService volumes, BuildService? build)
{
    public static readonly string[] Types = ["container", "image", "volume", "build-cache"];

    /// <param name="types">Sections to compute (moby's type= values); empty means all.</param>
    public DiskUsageResponse Measure(IReadOnlyCollection<string> types)
    {
        ArgumentNullException.ThrowIfNull(types);
        foreach (var t in types)
            if (!Types.Contains(t)) throw Core.WharfException.Invalid($"invalid type: {t}");
        bool Want(string t) => types.Count == 0 || types.Contains(t);
        var response = new DiskUsageResponse();

        ImageDiskUsage? imageUsage = null;
        if (Want("image") || Want("container"))
        {
            imageUsage = images.DiskUsage();
            if (Want("image"))
            {
                response.Images = imageUsage.Images;
                response.LayersSize = imageUsage.LayersSize;
            }
        }
        if (Want("container"))
        {
            var imageSizes = imageUsage!.Images.ToDictionary(i => i.Id, i => i.Size, StringComparer.Ordinal);
            var list = containers.List(all: true).ToList();
            foreach (var c in list)
            {
                c.SizeRw = images.ContainerLayerSize(c.Id);
                c.SizeRootFs = c.SizeRw + (imageSizes.TryGetValue(c.ImageID, out var s) ? s : 0);
            }
            response.Containers = list;
        }
        if (Want("volume"))
        {
            var list = volumes.List(new Dictionary<string, List<string>>());
            foreach (var v in list)
            {
                v.UsageData = new VolumeUsageData
                {
                    Size = Wharf.Snapshots.DiskUsage.Of(v.Mountpoint),
                    RefCount = volumes.Usage?.ContainersUsingVolume(v.Name).Count ?? 0,
                };
            }
            response.Volumes = list;
        }
        if (Want("build-cache")) response.BuildCache = BuildCache();
        return response;
    }

    /// <summary>The legacy builder's step cache: one entry per cached step; its bytes belong to the image the step
    /// made (counted under Images), so the entry itself is size 0 and shared.</summary>
    private List<BuildCacheRecord> BuildCache()
    {
        var records = new List<BuildCacheRecord>();
        if (build is null || !Directory.Exists(build.Cache.Directory)) return records;
        foreach (var file in Directory.EnumerateFiles(build.Cache.Directory))
        {
            var info = new FileInfo(file);
            var imageId = build.Cache.Get(info.Name) ?? "";
            records.Add(new BuildCacheRecord
            {
                ID = info.Name[..Math.Min(25, info.Name.Length)],
                Type = "regular",
                Description = "step cache of image " + imageId,
                Shared = true,
                Size = 0,
                CreatedAt = info.CreationTimeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
                LastUsedAt = info.LastWriteTimeUtc.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
                UsageCount = 1,
            });
        }
        return records;
    }
}
