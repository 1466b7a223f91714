using Wharf.Core;
using Wharf.Distribution;
using Wharf.Engine.Containers;
using Wharf.Engine.Images;
using Wharf.Oci;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;

namespace Wharf.Engine.Distribution;

/// <summary>
/// Pull, push and login for the API (engine-api.md §5, §8.3): the registry client of Wharf.Distribution over this
/// daemon's image store. Pulled images are registered (names last) only after every blob and layer verified.
/// Thread-safe; pulls of different images run in parallel, the store work serializes on the image lock.
/// </summary>
public sealed class DistributionService : IDisposable
{
    private readonly ImageService _images;
    private readonly RegistryClient _client;
    private readonly BlobSources _sources;

    public DistributionService(ImageService images, RegistryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        _images = images;
        _client = new RegistryClient(options);
        _sources = new BlobSources(Path.Combine(images.DataRoot, "distribution"));
    }

    /// <summary>Crash points of a pull (see <see cref="CrashPoints"/>): after a layer blob is committed, after a layer is unpacked.</summary>
    public static readonly IReadOnlyList<string> PullCrashPoints = ["pull-blob-committed", "pull-layer-unpacked"];

    /// <summary>
    /// POST /images/create?fromImage=&amp;tag=: parses the reference the way moby's image router does (the tag
    /// parameter may be a digest; fromImage may carry its own tag or digest), pulls and names the image.
    /// Errors before the first progress event surface as ordinary API errors.
    /// </summary>
    public async Task PullAsync(string fromImage, string? tag, string? platform, AuthConfig auth, IProgressSink progress, CancellationToken ct)
    {
        var reference = ParsePullReference(fromImage, tag);
        var want = string.IsNullOrEmpty(platform) ? null : PlatformSelector.Parse(platform);
        var puller = new ImagePuller(_client, _images.Store, _images.SyncRoot, _sources, CrashPoints.Hit);
        var pulled = await puller.PullAsync(reference, auth, want, progress, ct);
        var digestRef = reference.NameOnly().WithDigest(pulled.ResolvedDigest.ToString());
        var tagRef = reference.Digest is null ? reference.WithDefaultTag() : null;
        var (_, upToDate) = await Task.Run(() => _images.RegisterPulled(pulled.Registration, tagRef, digestRef, ct), ct);
        await progress.ReportAsync(new ProgressEvent(null, "Digest: " + pulled.ResolvedDigest, Detail: false));
        var shown = (tagRef ?? reference).FamiliarString;
        await progress.ReportAsync(new ProgressEvent(null,
            upToDate ? "Status: Image is up to date for " + shown : "Status: Downloaded newer image for " + shown, Detail: false));
    }

    /// <summary>The reference a pull request names (moby image_routes.go postImagesCreate).</summary>
    public static ImageReference ParsePullReference(string fromImage, string? tag)
    {
        var image = (fromImage ?? "").TrimEnd(':');
        var reference = ImageReference.Parse(image);
        if (!string.IsNullOrEmpty(tag))
        {
            if (Digest.TryParse(tag, out _)) reference = reference.NameOnly().WithDigest(tag);
            else if (ImageReference.IsValidTag(tag)) reference = reference.NameOnly().WithTag(tag);
            else throw WharfException.Invalid($"invalid reference format: tag \"{tag}\" is not valid");
        }
        return reference.WithDefaultTag();
    }

    /// <summary>
    /// POST /images/{name}/push?tag=: pushes name:tag, or every tag of the repository when no tag is given.
    /// Returns the results (the daemon writes each one's aux line).
    /// </summary>
    public async Task<IReadOnlyList<PushResult>> PushAsync(string name, string? tag, AuthConfig auth, IProgressSink progress,
        Func<PushResult, Task> pushed, CancellationToken ct)
    {
        var repo = ImageReference.Parse(name);
        if (repo.Digest is not null) throw WharfException.Invalid("cannot push a digest reference");
        var tags = !string.IsNullOrEmpty(tag) ? [tag] : repo.Tag is not null ? [repo.Tag] : _images.TagsOf(repo);
        if (tags.Count == 0) throw WharfException.NotFound("An image does not exist locally with the tag: " + repo.FamiliarName);
        var results = new List<PushResult>();
        var pusher = new ImagePusher(_client, _images.Content, _sources);
        await progress.ReportAsync(new ProgressEvent(null, $"The push refers to repository [{repo.NameOnly()}]", Detail: false));
        foreach (var t in tags)
        {
            var target = repo.NameOnly().WithTag(t);
            (string Id, Wharf.Images.ImageMeta Meta, byte[] Manifest, byte[] Config) local;
            try
            {
                local = _images.ForPush(target.ToString());
            }
            catch (WharfException e) when (e.Kind == ErrorKind.NotFound)
            {
                throw WharfException.NotFound("An image does not exist locally with the tag: " + target.NameOnly().FamiliarName);
            }
            var result = await pusher.PushAsync(target, new PushSource(local.Manifest, local.Config), auth, progress, ct);
            // Docker records name@digest after a push too (RepoDigests).
            await Task.Run(() => _images.RegisterPulled(new Wharf.Images.ImageRegistration(local.Config,
                ManifestLayers(local.Manifest), local.Manifest), null, target.NameOnly().WithDigest(result.Digest.ToString()), ct), ct);
            await pushed(result);
            results.Add(result);
        }
        return results;
    }

    private static IReadOnlyList<Descriptor> ManifestLayers(byte[] manifest) =>
        System.Text.Json.JsonSerializer.Deserialize(manifest, OciJsonContext.Default.ImageManifest)?.Layers ?? [];

    /// <summary>POST /auth: checks the credentials against the registry; returns the identity token the registry's
    /// token server issued for offline access, if any.</summary>
    public Task<string?> LoginAsync(AuthConfig auth, CancellationToken ct) => _client.LoginAsync(auth.ServerAddress ?? "", auth, ct);

    public void Dispose() => _client.Dispose();
}
