using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

/// <summary>What a build step turns into: a child image of <paramref name="ParentId"/> (null: from scratch) with the
/// given run config and one history entry; the layer, if any, comes from the snapshot or container committed.</summary>
public sealed record StepCommit(string? ParentId, ImageRunConfig Config, string CreatedBy, string? Author);
