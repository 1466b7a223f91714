using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

/// <summary>
/// What the builder needs from the engine: images, snapshots and containers. Implemented in Wharf.Engine (the
/// builder must not depend on it); tests can fake it.
/// </summary>
public interface IBuildBackend
{
    /// <summary>A local image by any reference form, or null when there is none.</summary>
    BaseImage? FindImage(string reference);

    /// <summary>Pulls <paramref name="reference"/> from its registry (FROM of a missing image, build --pull), writing
    /// progress lines to <paramref name="output"/>; returns the image, or null when this engine cannot pull.</summary>
    Task<BaseImage?> PullAsync(string reference, Func<string, Task> output, CancellationToken ct) => Task.FromResult<BaseImage?>(null);

    /// <summary>A config-only child image (history entry marked empty_layer); returns its id.</summary>
    string CommitEmpty(StepCommit commit);

    /// <summary>`--cache-from`: the image <paramref name="sourceId"/> was after its first <paramref name="historyCount"/>
    /// steps, on <paramref name="parentId"/>, with <paramref name="config"/>; returns its id.</summary>
    string CommitCachePrefix(string? parentId, string sourceId, int historyCount, ImageRunConfig config);

    /// <summary>Points <paramref name="name"/> at the image.</summary>
    void Tag(string imageId, string name);

    /// <summary>A writable snapshot over the image (null: empty root filesystem).</summary>
    IBuildSnapshot OpenSnapshot(string? imageId);

    /// <summary>Runs the step in a fresh container (<paramref name="created"/> gets its id before it starts), streaming
    /// its output; returns the container id and exit code. The container stays until <see cref="RemoveContainerAsync"/>.</summary>
    Task<(string ContainerId, int ExitCode)> RunAsync(RunStepRequest request, Func<string, Task> created, Func<string, Task> output, CancellationToken ct);

    /// <summary>Commits a finished RUN container's changes as a layer of a new image; returns its id.</summary>
    string CommitContainer(string containerId, StepCommit commit);

    Task RemoveContainerAsync(string containerId);
}
