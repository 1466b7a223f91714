namespace Wharf.Engine;

internal static class AssemblyMarker;
