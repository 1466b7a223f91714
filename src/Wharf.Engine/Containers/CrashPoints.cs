using System.Diagnostics;

namespace Wharf.Engine.Containers;

/// <summary>
/// Test-only crash injection for the crash-safety tests: when wharfd starts with
/// <c>WHARF_TEST_CRASH_AT=&lt;step&gt;</c>, reaching that step SIGKILLs wharfd itself, mid-operation, exactly
/// where a power cut or an OOM kill could land. Unset (always, outside those tests) it costs one string compare.
/// Steps: create-dir, create-rootfs, start-mounted, start-created, start-started, stop-signalled, die-recorded,
/// rm-marked, rm-cleaned; and of a pull: pull-blob-committed (a layer blob verified and stored, before it is
/// unpacked), pull-layer-unpacked (a layer snapshot committed, before the image is registered).
/// </summary>
public static class CrashPoints
{
    private static readonly string? s_step = Environment.GetEnvironmentVariable("WHARF_TEST_CRASH_AT");

    public static readonly IReadOnlyList<string> All =
    [
        "create-dir", "create-rootfs", "start-mounted", "start-created", "start-started", "stop-signalled",
        "die-recorded", "rm-marked", "rm-cleaned", "pull-blob-committed", "pull-layer-unpacked",
    ];

    internal static void Hit(string step)
    {
        if (s_step is null || s_step != step) return;
        Console.Error.WriteLine($"wharfd: WHARF_TEST_CRASH_AT={step}: killing myself");
        // SIGKILL, not an exception or exit: no finally blocks, no flushes, nothing a real crash would not skip.
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite);
    }
}
