namespace Wharf.Distribution;

internal static class AssemblyMarker;
