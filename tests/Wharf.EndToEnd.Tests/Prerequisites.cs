namespace Wharf.EndToEnd.Tests;

/// <summary>
/// What the end-to-end tests need from the machine. Each missing piece is a failure with a message saying how to
/// fix it, never a silent skip: a green run must mean the engine was exercised.
/// </summary>
internal static class Prerequisites
{
    public static void Check()
    {
        var problems = new List<string>();
        if (EffectiveUid() != 0)
        {
            problems.Add("the end-to-end tests must run as root (wharfd mounts overlayfs and runs runc)");
        }

        foreach (var exe in new[] { TestPaths.Wharfd, TestPaths.WharfCli, TestPaths.WharfShim })
        {
            if (!File.Exists(exe))
            {
                problems.Add($"{exe} is missing: run scripts/build.sh first");
            }
        }

        if (!File.Exists(TestPaths.DockerCli))
        {
            problems.Add($"the docker CLI is missing at {TestPaths.DockerCli}");
        }

        if (!OnPath("runc"))
        {
            problems.Add("runc is missing: apt-get install runc");
        }

        if (!File.Exists("/bin/busybox") || !IsInstalled("busybox-static"))
        {
            problems.Add("busybox-static is missing: apt-get install busybox-static");
        }

        if (!OnPath("script"))
        {
            problems.Add("script (bsdutils) is missing: apt-get install bsdutils");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("end-to-end prerequisites missing:\n  " + string.Join("\n  ", problems));
        }
    }

    private static int EffectiveUid()
    {
        // /proc/self/status "Uid:" holds real, effective, saved and filesystem uids; the effective one decides.
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        return int.Parse(line.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries)[2],
            System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool OnPath(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        .Split(':')
        .Concat(["/usr/sbin", "/sbin"])
        .Any(dir => File.Exists(Path.Combine(dir, exe)));

    private static bool IsInstalled(string package) =>
        File.ReadLines("/var/lib/dpkg/status")
            .SkipWhile(l => l != "Package: " + package)
            .Skip(1)
            .TakeWhile(l => l.Length > 0)
            .Any(l => l == "Status: install ok installed");
}
