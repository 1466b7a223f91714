namespace Wharf.Build.Execution;

/// <summary>Where the build's progress goes: text lines ("stream") and the final image id ("aux").</summary>
public interface IBuildOutput
{
    Task StreamAsync(string text);

    Task AuxAsync(string imageId);
}
