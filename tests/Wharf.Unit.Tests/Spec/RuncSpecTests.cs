using System.Diagnostics;
using Wharf.Runtime.Spec;
using Xunit.Abstractions;

namespace Wharf.Unit.Tests.Spec;

/// <summary>
/// Runs a spec from <see cref="SpecBuilder"/> with the real runc over a tiny busybox rootfs and checks the
/// hardening from inside. Needs root, runc and busybox-static: fails (never skips) without them.
/// </summary>
public sealed class RuncSpecTests(ITestOutputHelper output)
{
    private static string Require(string what, params string[] candidates) =>
        candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException($"{what} is required for this test (install it)");

    [Fact]
    public async Task Runc_runs_the_default_spec_with_dockers_caps_and_seccomp()
    {
        var script = "grep -E 'CapBnd|CapInh|CapAmb|Seccomp:' /proc/1/status; echo host=$(hostname); echo fds; ls /proc/1/fd";
        var lines = await RunInContainer(script, i => i, spec =>
            // runc must ignore a syscall name libseccomp does not know (the profile lists new ones).
            spec.Linux!.Seccomp!.Syscalls!.Add(new SpecSyscall { Names = ["wharf_no_such_syscall"], Action = "SCMP_ACT_ALLOW" }));

        Assert.Contains("CapBnd:\t00000000a80425fb", lines);
        Assert.Contains("CapInh:\t0000000000000000", lines);
        Assert.Contains("CapAmb:\t0000000000000000", lines);
        Assert.Contains("Seccomp:\t2", lines);
        Assert.Contains("host=spectest", lines);

        // PID 1's descriptors: stdio only, plus the directory ls itself has open when the shell exec'd it.
        var fds = lines.SkipWhile(l => l != "fds").Skip(1).SelectMany(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(["0", "1", "2"], fds.Take(3));
        Assert.True(fds.Count <= 4, "unexpected inherited descriptors: " + string.Join(' ', fds));
    }

    [Fact]
    public async Task Runc_runs_a_privileged_spec_with_the_daemons_own_caps_and_host_devices()
    {
        var own = File.ReadLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal));
        // A host device runc would not create by itself must appear in the container.
        string[] runcDefaults = ["/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx"];
        var device = HostDevices.List().First(d => d.Type == "c" && !runcDefaults.Contains(d.Path)).Path;
        var lines = await RunInContainer(
            $"grep -E 'CapBnd|Seccomp:' /proc/1/status; grep ' /sys ' /proc/mounts; ls {device}",
            i => i with { Privileged = true }, _ => { });
        Assert.Contains(own, lines);
        Assert.Contains("Seccomp:\t0", lines);
        Assert.Contains(lines, l => l.StartsWith("sysfs /sys sysfs rw,", StringComparison.Ordinal));
        Assert.Contains(device, lines);
    }

    [Fact]
    public async Task Runc_runs_a_non_root_user_with_ulimits_limits_and_readonly_rootfs()
    {
        var lines = await RunInContainer(
            "id; grep CapEff /proc/self/status; ulimit -n; touch /x 2>&1 || echo readonly",
            i => i with
            {
                User = new ResolvedUser(1000, 1000, [10]),
                Ulimits = [new SpecUlimit("nofile", 512, 1024)],
                ReadonlyRootfs = true,
                NoNewPrivileges = true,
                // runc must accept Docker-style limits on this cgroup layout.
                Resources = new SpecInputResources { Memory = 64 << 20, PidsLimit = 64, CpuShares = 512, NanoCpus = 500_000_000 },
            }, _ => { });
        Assert.Contains("uid=1000 gid=1000 groups=10", lines);
        Assert.Contains("CapEff:\t0000000000000000", lines);
        Assert.Contains("512", lines);
        Assert.Contains("readonly", lines);
    }

    /// <summary>Builds a spec (Hostname "spectest", --network none, cgroup /wharf-test/&lt;id&gt;), lets the test
    /// adjust it, runs it with runc over a busybox rootfs and returns the output lines. Cleans up everything.</summary>
    private async Task<List<string>> RunInContainer(string script, Func<SpecInput, SpecInput> customize, Action<RuntimeSpec> adjust)
    {
        Assert.True(Environment.IsPrivilegedProcess, "this test needs root (runc creates namespaces and cgroups)");
        var runc = Require("runc", "/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc", "/usr/local/bin/runc");
        var busybox = Require("busybox-static", "/bin/busybox", "/usr/bin/busybox");

        var id = "wharf-spec-test-" + Guid.NewGuid().ToString("N")[..12];
        var tmp = Directory.CreateTempSubdirectory("wharf-runc-").FullName;
        var stateRoot = Path.Combine(tmp, "state");
        var bundle = Path.Combine(tmp, "bundle");
        var rootfs = Path.Combine(bundle, "rootfs");
        var cgroupsPath = "/wharf-test/" + id;
        try
        {
            foreach (var d in new[] { "bin", "proc", "sys", "dev", "etc", "tmp" })
                Directory.CreateDirectory(Path.Combine(rootfs, d));
            File.Copy(busybox, Path.Combine(rootfs, "bin/busybox"));
            File.SetUnixFileMode(Path.Combine(rootfs, "bin/busybox"),
                UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            foreach (var applet in new[] { "sh", "grep", "ls", "cat", "hostname", "id", "touch" })
                File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");

            var spec = SpecBuilder.Build(customize(new SpecInput
            {
                Args = ["/bin/sh", "-c", script],
                RootfsPath = rootfs,
                Hostname = "spectest",
                NetworkMode = SpecNetworkMode.None,
                CgroupsPath = cgroupsPath,
                Env = ["PATH=/bin"],
            }));
            adjust(spec);
            SpecJson.WriteBundleConfig(bundle, spec);

            var (code, stdout, stderr) = await Run(runc, ["--root", stateRoot, "run", "--bundle", bundle, id]);
            output.WriteLine(stdout);
            Assert.True(code == 0, $"runc run failed ({code}): {stderr}\n{stdout}");
            return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        }
        finally
        {
            await Run(runc, ["--root", stateRoot, "delete", "-f", id]);
            Directory.Delete(tmp, recursive: true);
            AssertCgroupsRemoved(cgroupsPath);
        }
    }

    /// <summary>runc delete removes the container's cgroup directories; the shared parent is removed here when
    /// empty (rmdir fails harmlessly if another test still uses it).</summary>
    private static void AssertCgroupsRemoved(string cgroupsPath)
    {
        var leftovers = new List<string>();
        foreach (var mount in CgroupMounts())
        {
            var dir = mount + cgroupsPath;
            if (Directory.Exists(dir)) leftovers.Add(dir);
            try { Directory.Delete(Path.GetDirectoryName(dir)!); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        Assert.Empty(leftovers);
    }

    private static IEnumerable<string> CgroupMounts()
    {
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0) continue;
            var fstype = line[(sep + 3)..].Split(' ')[0];
            if (fstype is "cgroup" or "cgroup2") yield return line[..sep].Split(' ')[4];
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 60 s");
        }
        return (p.ExitCode, await stdout, await stderr);
    }
}
