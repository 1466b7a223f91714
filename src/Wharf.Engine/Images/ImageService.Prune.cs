using System.Globalization;
using Wharf.Api.Images;
using Wharf.Core;

namespace Wharf.Engine.Images;

public sealed partial class ImageService
{
    private static readonly string[] PruneFilters = ["dangling", "until", "label", "label!"];

    /// <summary>
    /// POST /images/prune (moby daemon/images/image_prune.go): without <c>dangling=false</c> only dangling images
    /// (no names, no child images) go; with it (<c>docker image prune -a</c>) every image no container uses, its
    /// names removed one by one. Filters until=, label=, label!=. Images still needed (children, conflicts) are
    /// skipped, not errors. SpaceReclaimed is the unpacked size of the layers actually removed.
    /// </summary>
    public ImagePruneResponse Prune(IReadOnlyDictionary<string, IReadOnlyList<string>>? filters = null)
    {
        filters ??= new Dictionary<string, IReadOnlyList<string>>();
        foreach (var key in filters.Keys)
            if (!PruneFilters.Contains(key)) throw WharfException.Invalid($"invalid filter '{key}'");
        bool danglingOnly = true;
        if (filters.TryGetValue("dangling", out var dv) && dv.Count > 0)
        {
            danglingOnly = dv[0].ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw WharfException.Invalid($"invalid filter 'dangling={dv[0]}'"),
            };
        }
        DateTimeOffset? until = filters.TryGetValue("until", out var u) && u.Count > 0 ? ParseUntil(u[0]) : null;

        List<string> ids;
        lock (_lock) ids = [.. Store.Images.Select(m => m.Id)];
        // Asked outside the lock (see Remove); an image added meanwhile has no entry and is left alone.
        var users = ids.ToDictionary(i => i, i => Usage?.ContainersUsing(i) ?? [], StringComparer.Ordinal);

        var deleted = new List<ImageDeleteResponseItem>();
        ulong reclaimed = 0;
        lock (_lock)
        {
            _users = users;
            try
            {
                var parents = Store.Images.Where(m => m.Parent is not null).Select(m => m.Parent!).ToHashSet(StringComparer.Ordinal);
                var candidates = new List<string>();
                foreach (var meta in Store.Images)
                {
                    if (!users.TryGetValue(meta.Id, out var used) || used.Count > 0) continue;
                    var config = Store.GetConfig(meta.Id);
                    if (until is not null && (config.Created ?? DateTimeOffset.UnixEpoch) > until) continue;
                    var labels = config.Config?.Labels;
                    if (filters.TryGetValue("label", out var want) && !want.All(l => LabelMatches(labels, l))) continue;
                    if (filters.TryGetValue("label!", out var notWant) && notWant.Any(l => LabelMatches(labels, l))) continue;
                    if (danglingOnly && (Store.References(meta.Id).Count > 0 || parents.Contains(meta.Id))) continue;
                    candidates.Add(meta.Id);
                }
                // Children first, so their parents are childless by the time they come up.
                candidates.Sort((a, b) => parents.Contains(a).CompareTo(parents.Contains(b)));

                var chainSizes = new Dictionary<string, long>(StringComparer.Ordinal);
                foreach (var id in candidates)
                    foreach (var chain in Store.ChainIds(id))
                        if (!chainSizes.ContainsKey(chain)) chainSizes[chain] = Snapshots.LayerExists(chain) ? Wharf.Snapshots.DiskUsage.Of(Snapshots.LayerPath(chain)) : 0;

                foreach (var id in candidates)
                {
                    if (!Store.Exists(id)) continue; // went with a child, as its pruned parent
                    try
                    {
                        var refs = Store.References(id);
                        if (refs.Count == 0) deleted.AddRange(EmitRemovals(id, () => RemoveLocked(id, force: false, noprune: false)));
                        else
                            foreach (var r in refs)
                                deleted.AddRange(EmitRemovals(id, () => RemoveLocked(r.ToString(), force: false, noprune: false)));
                    }
                    catch (WharfException e) when (e.Kind is ErrorKind.Conflict)
                    {
                    }
                }
                foreach (var item in deleted)
                    if (item.Deleted is { } d && chainSizes.Remove(d, out var size)) reclaimed += (ulong)size;
            }
            finally
            {
                _users = null;
            }
        }
        // Kept bytes of downloads no pull came back for within a day (a long-running daemon never reopens its store).
        reclaimed += (ulong)Store.Content.PruneIngest(Wharf.Content.LocalContentStore.PartialMaxAge);
        Emit("prune", "", "", EmptyLabels, new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(CultureInfo.InvariantCulture) });
        return new ImagePruneResponse { ImagesDeleted = deleted.Count > 0 ? deleted : null, SpaceReclaimed = reclaimed };
    }
}
