using System.Runtime.CompilerServices;

namespace Wharf.Testcontainers.Tests;

internal static class RyukSetting
{
    /// <summary>Testcontainers reads its settings once, on first use; Ryuk (its reaper container) is an image from
    /// Docker Hub, which this machine cannot reach, so it is turned off before anything touches Testcontainers. The
    /// fixture removes what the tests leave instead.</summary>
    [ModuleInitializer]
    internal static void DisableRyuk() => Environment.SetEnvironmentVariable("TESTCONTAINERS_RYUK_DISABLED", "true");
}
