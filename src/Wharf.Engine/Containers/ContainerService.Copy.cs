using System.Globalization;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Engine.Containers.Archive;
using Wharf.Interop;
using Wharf.Snapshots.Archive;

namespace Wharf.Engine.Containers;

/// <summary>`docker cp`: the /containers/{id}/archive endpoints, on running and stopped containers, with every
/// path resolved inside the container root (<see cref="ContainerRoot"/>).</summary>
public sealed partial class ContainerService
{
    /// <summary>HEAD /containers/{id}/archive: what is at <paramref name="path"/> (not following a final symlink).</summary>
    public Task<PathStat> StatPathAsync(string idOrName, string path, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        path = Absolute(path);
        return WithRootfsAsync(e, rootfs =>
        {
            using var root = new ContainerRoot(rootfs);
            using var parent = root.OpenParent(path, out var name, out _) ?? throw ContainerRoot.NotFound(path, idOrName);
            return Task.FromResult(Stat(root, parent, name, path, idOrName));
        }, cancellationToken);
    }

    /// <summary>GET /containers/{id}/archive: a tar of <paramref name="path"/>. <paramref name="startResponse"/>
    /// gets the path's stat once it is known to exist and returns the stream the tar goes to.</summary>
    public Task GetArchiveAsync(string idOrName, string path, Func<PathStat, Task<Stream>> startResponse, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(startResponse);
        var e = Lookup(idOrName);
        path = Absolute(path);
        return WithRootfsAsync(e, async rootfs =>
        {
            using var root = new ContainerRoot(rootfs);
            using var parent = root.OpenParent(path, out var name, out _) ?? throw ContainerRoot.NotFound(path, idOrName);
            var stat = Stat(root, parent, name, path, idOrName);
            var output = await startResponse(stat).ConfigureAwait(false);
            await Task.Run(() =>
            {
                var buffered = new BufferedStream(output, 1 << 16); // not disposed: the caller owns the response stream
                using (var writer = new TreeTarWriter(buffered))
                {
                    if (name.Length == 0) writer.WriteDirectory(parent, path.EndsWith("/.", StringComparison.Ordinal) ? "." : stat.Name, cancellationToken);
                    else writer.WriteChild(parent, name, stat.Name, cancellationToken);
                }
                buffered.Flush();
            }, cancellationToken).ConfigureAwait(false);
            return 0;
        }, cancellationToken);
    }

    /// <summary>PUT /containers/{id}/archive: extracts a tar into the directory at <paramref name="path"/>.</summary>
    public Task PutArchiveAsync(string idOrName, string path, Stream tar, bool noOverwriteDirNonDir, bool copyUidGid,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tar);
        var e = Lookup(idOrName);
        path = Absolute(path);
        string user;
        lock (e.Sync) user = e.Record.Config.User;
        return WithRootfsAsync(e, rootfs => Task.Run(() =>
        {
            using var root = new ContainerRoot(rootfs);
            using (var dir = root.OpenDirectory(path, out int errno))
            {
                if (dir is null)
                {
                    if (errno == Native.ENOTDIR) throw WharfException.Invalid("extraction point is not a directory");
                    throw ContainerRoot.NotFound(path, idOrName);
                }
            }
            var destination = root.Canonical(path) ?? throw ContainerRoot.NotFound(path, idOrName);
            var owner = copyUidGid ? NumericOwner(user) : null;
            new InRootExtractor(root, destination, noOverwriteDirNonDir, owner).Extract(tar, cancellationToken);
            return 0;
        }, cancellationToken), cancellationToken);
    }

    private static PathStat Stat(ContainerRoot root, Microsoft.Win32.SafeHandles.SafeFileHandle parent, string name, string path, string container)
    {
        if (!Native.TryStatAt(FdHandles.Fd(parent), name, out var st)) throw ContainerRoot.NotFound(path, container);
        var cleaned = path.TrimEnd('/');
        if (cleaned.EndsWith("/.", StringComparison.Ordinal)) cleaned = cleaned[..^2];
        var baseName = cleaned.Length == 0 ? "/" : cleaned[(cleaned.LastIndexOf('/') + 1)..];
        return new PathStat
        {
            Name = baseName,
            Size = st.Size,
            Mode = GoFileMode.From(st),
            Mtime = st.ModificationTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture),
            LinkTarget = st.IsSymlink ? root.Canonical(path) ?? "" : "",
        };
    }

    private static string Absolute(string path)
    {
        if (string.IsNullOrEmpty(path)) throw WharfException.Invalid("path is required");
        return path.StartsWith('/') ? path : "/" + path;
    }

    /// <summary>The container's user as numbers when it is given as "uid[:gid]"; names map to root (not looked up).</summary>
    private static (int, int)? NumericOwner(string user)
    {
        if (string.IsNullOrEmpty(user)) return (0, 0);
        var parts = user.Split(':');
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)) return (0, 0);
        int gid = parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int g) ? g : uid;
        return (uid, gid);
    }
}
