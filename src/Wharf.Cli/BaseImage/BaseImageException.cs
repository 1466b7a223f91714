namespace Wharf.Cli.BaseImage;

/// <summary>The base image cannot be built on this machine (package missing, wrong binary).</summary>
internal sealed class BaseImageException(string message) : Exception(message);
