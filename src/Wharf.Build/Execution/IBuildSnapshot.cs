namespace Wharf.Build.Execution;

/// <summary>A writable, mounted root filesystem over an image (COPY and ADD write into it, COPY --from reads from
/// it). Disposing unmounts and deletes it.</summary>
public interface IBuildSnapshot : IDisposable
{
    /// <summary>The host directory where the root filesystem is mounted.</summary>
    string Root { get; }

    /// <summary>Commits the changes made under <see cref="Root"/> as a layer of a new image; returns its id.</summary>
    string Commit(StepCommit commit);
}
