using System.Diagnostics;

namespace Wharf.Unit.Tests.Images;

/// <summary>lstat facts through stat(1), which the framework does not expose (owner, device numbers).</summary>
internal static class FsProbe
{
    /// <summary>"uid:gid:octal-mode:type:major:minor" of a path, without following a final symlink.</summary>
    public static string Stat(string path)
    {
        var psi = new ProcessStartInfo("stat", ["-c", "%u:%g:%a:%F:%t:%T", path]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, "stat failed for " + path);
        return output;
    }

    public static void RequireRoot()
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (mknod, chown, mount); run the unit tests as root");
    }
}
