using Wharf.Api.Containers;

namespace Wharf.Engine.Containers;

/// <summary>The query and body of POST /commit.</summary>
/// <param name="Repo">Repository to name the image, or null.</param>
/// <param name="Tag">Tag (with <paramref name="Repo"/>).</param>
/// <param name="Comment">`-m`.</param>
/// <param name="Author">`-a`.</param>
/// <param name="Pause">Freeze the container while its changes are read (Docker's default).</param>
/// <param name="Changes">`--change` Dockerfile instructions.</param>
/// <param name="Config">The request body: config fields that override the container's.</param>
public sealed record ContainerCommitOptions(
    string? Repo = null,
    string? Tag = null,
    string? Comment = null,
    string? Author = null,
    bool Pause = true,
    IReadOnlyList<string>? Changes = null,
    ContainerConfig? Config = null);
