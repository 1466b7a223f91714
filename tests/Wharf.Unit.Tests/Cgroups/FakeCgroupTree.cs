namespace Wharf.Unit.Tests.Cgroups;

/// <summary>A temp directory standing in for /sys/fs/cgroup, deleted on dispose.</summary>
internal sealed class FakeCgroupTree : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("wharf-cgroup-test-").FullName;

    public string Path(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Writes <paramref name="text"/> at <paramref name="relative"/>, creating directories.</summary>
    public void Write(string relative, string text)
    {
        var full = Path(relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
