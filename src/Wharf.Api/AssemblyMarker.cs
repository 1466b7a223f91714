namespace Wharf.Api;

internal static class AssemblyMarker;
