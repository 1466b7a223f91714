namespace Wharf.Build;

internal static class AssemblyMarker;
