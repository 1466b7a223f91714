namespace Wharf.Images;

internal static class AssemblyMarker;
