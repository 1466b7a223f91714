using System.Formats.Tar;
using Wharf.Cli.BaseImage;

namespace Wharf.Unit.Tests.Cli;

/// <summary>Needs the busybox-static package (/bin/busybox); fails loudly when it is missing.</summary>
public sealed class BusyboxRootfsTests
{
    private static byte[] Build(bool hardLinks = true)
    {
        var (binary, applets) = BusyboxRootfs.Load();
        using var tar = new MemoryStream();
        BusyboxRootfs.Write(tar, binary, applets, BusyboxRootfs.DefaultMtime, hardLinks);
        return tar.ToArray();
    }

    private static List<TarEntry> Entries(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var list = new List<TarEntry>();
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            list.Add(entry);
        }

        return list;
    }

    [Fact]
    public void Two_builds_are_byte_identical()
    {
        Assert.Equal(Build(), Build());
        Assert.Equal(Build(hardLinks: false), Build(hardLinks: false));
    }

    [Fact]
    public void Layout_links_and_ownership()
    {
        var entries = Entries(Build());
        var byName = entries.ToDictionary(e => e.Name);
        foreach (var dir in new[] { "bin/", "dev/", "etc/", "home/", "proc/", "root/", "sys/", "tmp/", "usr/bin/", "usr/sbin/", "sbin/", "var/" })
        {
            Assert.Equal(TarEntryType.Directory, byName[dir].EntryType);
        }

        Assert.True(byName["tmp/"].Mode.HasFlag(UnixFileMode.StickyBit));
        Assert.True(byName["tmp/"].Mode.HasFlag(UnixFileMode.OtherWrite));
        Assert.Equal(TarEntryType.RegularFile, byName["bin/busybox"].EntryType);
        Assert.Equal((UnixFileMode)0b111_101_101, byName["bin/busybox"].Mode);
        Assert.Equal(TarEntryType.HardLink, byName["bin/sh"].EntryType);
        Assert.Equal("bin/busybox", byName["bin/sh"].LinkName);
        Assert.Contains("nobody:x:65534:65534:", new StreamReader(byName["etc/passwd"].DataStream!).ReadToEnd(), StringComparison.Ordinal);
        Assert.All(entries, e =>
        {
            Assert.Equal(0, e.Uid);
            Assert.Equal(0, e.Gid);
            Assert.Equal(BusyboxRootfs.DefaultMtime, e.ModificationTime);
        });

        // Every hard link comes after its target, or extraction would fail.
        var busyboxIndex = entries.FindIndex(e => e.Name == "bin/busybox");
        Assert.All(entries.Where(e => e.EntryType == TarEntryType.HardLink), e => Assert.True(entries.IndexOf(e) > busyboxIndex));
        Assert.True(entries.Count(e => e.EntryType == TarEntryType.HardLink) > 100);
    }

    [Fact]
    public void Symlink_mode_points_at_bin_busybox()
    {
        var sh = Entries(Build(hardLinks: false)).Single(e => e.Name == "bin/sh");
        Assert.Equal(TarEntryType.SymbolicLink, sh.EntryType);
        Assert.Equal("/bin/busybox", sh.LinkName);
    }

    [Fact]
    public void Missing_or_dynamic_busybox_is_reported_with_the_package_name()
    {
        var ex = Assert.Throws<BaseImageException>(() => BusyboxRootfs.Load("/nonexistent/busybox"));
        Assert.Contains("busybox-static", ex.Message, StringComparison.Ordinal);
        Assert.False(BusyboxRootfs.IsDynamicElf(File.ReadAllBytes("/bin/busybox")));
        Assert.True(BusyboxRootfs.IsDynamicElf(File.ReadAllBytes("/bin/ls")));
    }
}
