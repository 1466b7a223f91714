namespace Wharf.Oci;

internal static class AssemblyMarker;
