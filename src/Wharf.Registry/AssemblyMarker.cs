namespace Wharf.Registry;

internal static class AssemblyMarker;
