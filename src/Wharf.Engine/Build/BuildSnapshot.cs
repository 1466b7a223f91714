using Wharf.Build.Execution;
using Wharf.Engine.Images;
using Wharf.Images;
using Wharf.Snapshots;

namespace Wharf.Engine.Build;

/// <summary>A builder-owned writable snapshot mounted on a private directory (COPY/ADD targets, --from sources).
/// It lives in the snapshotter's container area, so layers under it count as in use.</summary>
internal sealed class BuildSnapshot : IBuildSnapshot
{
    private readonly ImageService _images;
    private readonly string _id;
    private bool _mounted;

    public BuildSnapshot(ImageService images, string mountParent, string? imageId)
    {
        _images = images;
        _id = "build-" + Guid.NewGuid().ToString("N");
        Root = Path.Combine(mountParent, _id);
        IReadOnlyList<Mount> mounts;
        lock (images.SyncRoot)
        {
            var chains = imageId is null ? [] : images.Store.ChainIds(imageId);
            mounts = images.Snapshots.PrepareContainer(_id, chains);
        }
        try
        {
            Directory.CreateDirectory(Root);
            MountHelper.MountAll(mounts, Root);
            _mounted = true;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Root { get; }

    public string Commit(StepCommit commit)
    {
        Unmount();
        var temp = Path.Combine(Path.GetDirectoryName(Root)!, _id + ".tar");
        try
        {
            using (var f = File.Create(temp)) _images.WriteContainerDiff(_id, f);
            using var layer = File.OpenRead(temp);
            return _images.Commit(new ImageCommitRequest(commit.ParentId, commit.Config, layer, commit.CreatedBy, Author: commit.Author));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private void Unmount()
    {
        if (!_mounted) return;
        MountHelper.Unmount(Root);
        _mounted = false;
    }

    public void Dispose()
    {
        try { Unmount(); }
        finally
        {
            lock (_images.SyncRoot) _images.Snapshots.RemoveContainer(_id);
            try { Directory.Delete(Root); } catch (IOException) { }
        }
    }
}
