namespace Wharf.Network;

internal static class AssemblyMarker;
