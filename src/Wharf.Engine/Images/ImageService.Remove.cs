using Wharf.Api.Images;
using Wharf.Core;
using Wharf.Oci.Reference;

namespace Wharf.Engine.Images;

public sealed partial class ImageService
{
    [Flags]
    private enum ConflictKind
    {
        DependentChild = 1,
        RunningContainer = 2,
        ActiveReference = 4,
        StoppedContainer = 8,
        Hard = DependentChild | RunningContainer,
        Soft = ActiveReference | StoppedContainer,
    }

    private sealed record DeleteConflict(string ImageId, bool Hard, bool Used, string Message)
    {
        public WharfException ToException() => WharfException.Conflict(
            $"conflict: unable to delete {Ids.Short(ImageId)} ({(Hard ? "cannot be forced" : "must be forced")}) - {Message}");
    }

    /// <summary>
    /// DELETE /images/{name}, with Docker's rmi semantics (moby daemon/images/image_delete.go): a name is
    /// untagged (and the image deleted only when that was its last name); an ID deletes the image, refusing
    /// when it has several names unless forced; running containers always block deletion, stopped ones unless
    /// forced. Returns the Untagged/Deleted records in order.
    /// </summary>
    public IReadOnlyList<ImageDeleteResponseItem> Remove(string reference, bool force = false, bool noprune = false)
    {
        // Ask the container side who uses the image (and its parents, for pruning) before taking the lock:
        // the container service calls into this service under its own locks, so calling back under ours could deadlock.
        var chain = new List<string>();
        lock (_lock)
        {
            for (string? cur = ResolveId(reference, out _); cur is not null && !chain.Contains(cur); cur = Store.Get(cur)?.Parent)
                chain.Add(cur);
        }
        var users = chain.ToDictionary(i => i, i => Usage?.ContainersUsing(i) ?? [], StringComparer.Ordinal);
        lock (_lock)
        {
            _users = users;
            try
            {
                return EmitRemovals(chain[0], () => RemoveLocked(reference, force, noprune));
            }
            finally
            {
                _users = null;
            }
        }
    }

    /// <summary>Runs a removal and publishes its untag/delete events (labels read while the images still exist).</summary>
    /// <remarks>Every Untagged record of one removal names a tag of <paramref name="id"/> (parents are only pruned
    /// when they have no names), and moby's untag event carries the image id, not the tag.</remarks>
    private List<ImageDeleteResponseItem> EmitRemovals(string id, Func<List<ImageDeleteResponseItem>> remove)
    {
        var before = Store.Images.ToDictionary(m => m.Id, m => Store.GetConfig(m.Id).Config?.Labels, StringComparer.Ordinal);
        var records = remove();
        foreach (var r in records)
        {
            if (r.Untagged is not null) Emit("untag", id, id, before.GetValueOrDefault(id) ?? EmptyLabels);
            else if (r.Deleted is { } deleted && before.TryGetValue(deleted, out var labels)) Emit("delete", deleted, deleted, labels ?? EmptyLabels);
        }
        return records;
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyLabels = new Dictionary<string, string>();

    // Usage snapshot for the Remove in progress (only read under _lock).
    private Dictionary<string, IReadOnlyList<ImageUser>>? _users;

    private List<ImageDeleteResponseItem> RemoveLocked(string reference, bool force, bool noprune)
    {
        {
            var id = ResolveId(reference, out var named);
            var records = new List<ImageDeleteResponseItem>();
            var repoRefs = Store.References(id);
            bool removedRepositoryRef = false;

            if (!IsImageIdPrefix(id, reference) && named is not null)
            {
                if (!force && IsSingleReference(repoRefs) && Users(id).FirstOrDefault() is { } user)
                {
                    throw WharfException.Conflict(
                        $"conflict: unable to remove repository reference \"{reference}\" (must force) - container {Ids.Short(user.ContainerId)} is using its referenced image {Ids.Short(id)}");
                }
                var parsed = named.Digest is not null ? named.NameOnly().WithDigest(named.Digest) : named.WithDefaultTag();
                Store.RemoveReference(parsed);
                records.Add(new ImageDeleteResponseItem { Untagged = parsed.FamiliarString });
                repoRefs = Store.References(id);
                // Removing the last tag of a repository also removes that repository's digest references.
                if (parsed.Digest is null && !repoRefs.Any(r => r.Digest is null && r.Name == parsed.Name))
                {
                    foreach (var r in repoRefs.Where(r => r.Digest is not null && r.Name == parsed.Name).ToList())
                    {
                        Store.RemoveReference(r);
                        records.Add(new ImageDeleteResponseItem { Untagged = r.FamiliarString });
                    }
                    repoRefs = Store.References(id);
                }
                if (repoRefs.Count > 0) return records;
                removedRepositoryRef = true;
            }
            else if (IsSingleReference(repoRefs))
            {
                var mask = ConflictKind.Hard;
                if (!force) mask |= ConflictKind.Soft & ~ConflictKind.ActiveReference;
                if (CheckConflict(id, mask) is { } conflict) throw conflict.ToException();
                foreach (var r in repoRefs)
                {
                    Store.RemoveReference(r);
                    records.Add(new ImageDeleteResponseItem { Untagged = r.FamiliarString });
                }
            }
            DeleteHelper(id, records, force, prune: !noprune, quiet: removedRepositoryRef);
            return records;
        }
    }

    private void DeleteHelper(string id, List<ImageDeleteResponseItem> records, bool force, bool prune, bool quiet)
    {
        var mask = ConflictKind.Hard;
        if (!force) mask |= ConflictKind.Soft;
        if (CheckConflict(id, mask) is { } conflict)
        {
            // A quiet delete (after untagging, or pruning parents) stops silently unless the image is dangling and unused.
            if (quiet && (Store.References(id).Count > 0 || conflict.Used)) return;
            throw conflict.ToException();
        }
        var parent = Store.Get(id)?.Parent;
        foreach (var r in Store.References(id))
        {
            Store.RemoveReference(r);
            records.Add(new ImageDeleteResponseItem { Untagged = r.FamiliarString });
        }
        var removedLayers = Store.Delete(id);
        records.Add(new ImageDeleteResponseItem { Deleted = id });
        foreach (var chain in removedLayers) records.Add(new ImageDeleteResponseItem { Deleted = chain });
        if (!prune || parent is null || !Store.Exists(parent)) return;
        DeleteHelper(parent, records, force: false, prune: true, quiet: true);
    }

    private DeleteConflict? CheckConflict(string id, ConflictKind mask)
    {
        if ((mask & ConflictKind.DependentChild) != 0 && Store.Images.Any(m => m.Parent == id))
            return new DeleteConflict(id, Hard: true, Used: false, "image has dependent child images");
        var users = Users(id);
        if ((mask & ConflictKind.RunningContainer) != 0 && users.FirstOrDefault(u => u.Running) is { } running)
            return new DeleteConflict(id, Hard: true, Used: true, $"image is being used by running container {Ids.Short(running.ContainerId)}");
        if ((mask & ConflictKind.ActiveReference) != 0 && Store.References(id).Count > 0)
            return new DeleteConflict(id, Hard: false, Used: false, "image is referenced in multiple repositories");
        if ((mask & ConflictKind.StoppedContainer) != 0 && users.FirstOrDefault(u => !u.Running) is { } stopped)
            return new DeleteConflict(id, Hard: false, Used: true, $"image is being used by stopped container {Ids.Short(stopped.ContainerId)}");
        return null;
    }

    private IReadOnlyList<ImageUser> Users(string id) => _users?.GetValueOrDefault(id) ?? [];

    private static bool IsImageIdPrefix(string imageId, string possiblePrefix) =>
        imageId.StartsWith(possiblePrefix, StringComparison.Ordinal) ||
        imageId.AsSpan(7).StartsWith(possiblePrefix, StringComparison.Ordinal);

    /// <summary>True when the references are at most one tag plus digest references of that same repository
    /// (moby isSingleReference).</summary>
    private static bool IsSingleReference(IReadOnlyList<ImageReference> refs)
    {
        if (refs.Count <= 1) return refs.Count == 1;
        ImageReference? single = null;
        var canonicalNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var r in refs)
        {
            if (r.Digest is not null) canonicalNames.Add(r.Name);
            else if (single is null) single = r;
            else return false;
        }
        single ??= refs[0];
        return canonicalNames.Count == 1 && canonicalNames.Contains(single.Name);
    }
}
