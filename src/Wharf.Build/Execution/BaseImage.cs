using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

/// <summary>A local image a stage starts from or copies from.</summary>
public sealed record BaseImage(string Id, ImageConfigFile Config);
