namespace Wharf.Content;

internal static class AssemblyMarker;
