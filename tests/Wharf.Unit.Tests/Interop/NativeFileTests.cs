using System.Text;
using Wharf.Interop;

namespace Wharf.Unit.Tests.Interop;

/// <summary>The monitor's file I/O over plain syscalls, and the atomic replace every metadata file goes through.</summary>
public sealed class NativeFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wharf-nativefile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Reads_what_was_written_including_files_larger_than_one_buffer()
    {
        var path = Path.Combine(_dir, "big");
        var content = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 3000).Select(i => $"line {i}\n")));
        NativeFile.WriteAllBytes(path, content, fsync: true);
        Assert.Equal(content, NativeFile.ReadAllBytes(path));
        NativeFile.WriteAllBytes(path, "short"u8, fsync: false);
        Assert.Equal("short", NativeFile.ReadAllText(path));
    }

    [Fact]
    public void Reads_proc_files_whose_size_is_zero()
    {
        var status = NativeFile.ReadAllText("/proc/self/status");
        Assert.Contains("Pid:\t" + Environment.ProcessId, status);
    }

    [Fact]
    public void A_missing_file_is_an_IOException_naming_the_call_the_path_and_the_reason()
    {
        var path = Path.Combine(_dir, "nope");
        var e = Assert.Throws<IOException>(() => NativeFile.ReadAllBytes(path));
        Assert.Equal($"open {path}: No such file or directory", e.Message);
        var r = Assert.Throws<IOException>(() => NativeFile.Rename(path, path + ".1"));
        Assert.StartsWith("rename " + path + " to " + path + ".1: ", r.Message);
    }

    [Fact]
    public void AtomicFile_replaces_the_content_and_leaves_no_temp_file()
    {
        var path = Path.Combine(_dir, "sub", "meta.json");
        AtomicFile.WriteAllText(path, "{\"v\":1}");
        AtomicFile.WriteAllText(path, "{\"v\":2}");
        Assert.Equal("{\"v\":2}", File.ReadAllText(path));
        Assert.Equal(["meta.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void AtomicFile_failing_to_write_keeps_the_old_content()
    {
        var path = Path.Combine(_dir, "kept");
        AtomicFile.WriteAllText(path, "old");
        // A directory where the target should be: the rename fails, the temp file goes, the directory stays.
        var blocked = Path.Combine(_dir, "blocked");
        Directory.CreateDirectory(Path.Combine(blocked, "child"));
        Assert.Throws<IOException>(() => AtomicFile.WriteAllText(blocked, "new"));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["blocked", "kept"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order());
    }
}
