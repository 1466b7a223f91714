namespace Wharf.Client;

internal static class AssemblyMarker;
