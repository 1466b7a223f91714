namespace Wharf.Shim;

internal static class Program
{
    private static int Main() => 0;
}
