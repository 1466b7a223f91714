using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

/// <summary>A finished stage: its image (null only for an empty scratch stage).</summary>
internal sealed record StageResult(string? ImageId, ImageRunConfig Config);
