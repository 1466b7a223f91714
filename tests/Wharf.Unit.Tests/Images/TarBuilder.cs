using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace Wharf.Unit.Tests.Images;

/// <summary>Builds small layer tars in memory for tests.</summary>
internal sealed class TarBuilder
{
    private readonly List<TarEntry> _entries = [];

    public TarBuilder Dir(string name, UnixFileMode mode = (UnixFileMode)0x1ed, int uid = 0, int gid = 0)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Directory, name) { Mode = mode, Uid = uid, Gid = gid, ModificationTime = T0 });
        return this;
    }

    public TarBuilder File(string name, string content, UnixFileMode mode = (UnixFileMode)0x1a4, int uid = 0, int gid = 0,
        IEnumerable<KeyValuePair<string, string>>? pax = null)
    {
        var e = pax is null ? new PaxTarEntry(TarEntryType.RegularFile, name) : new PaxTarEntry(TarEntryType.RegularFile, name, pax);
        e.Mode = mode;
        e.Uid = uid;
        e.Gid = gid;
        e.ModificationTime = T0;
        e.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        _entries.Add(e);
        return this;
    }

    public TarBuilder Symlink(string name, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = target, Mode = (UnixFileMode)0x1ff, ModificationTime = T0 });
        return this;
    }

    public TarBuilder HardLink(string name, string target)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.HardLink, name) { LinkName = target, ModificationTime = T0 });
        return this;
    }

    public TarBuilder Fifo(string name)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.Fifo, name) { Mode = (UnixFileMode)0x1a4, ModificationTime = T0 });
        return this;
    }

    public TarBuilder CharDevice(string name, int major, int minor)
    {
        _entries.Add(new PaxTarEntry(TarEntryType.CharacterDevice, name) { Mode = (UnixFileMode)0x1b6, DeviceMajor = major, DeviceMinor = minor, ModificationTime = T0 });
        return this;
    }

    public static readonly DateTimeOffset T0 = new(2020, 1, 2, 3, 4, 5, TimeSpan.Zero);

    public byte[] Build()
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in _entries)
            {
                e.DataStream?.Seek(0, SeekOrigin.Begin);
                w.WriteEntry(e);
            }
        }
        return ms.ToArray();
    }

    public byte[] BuildGzip()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(Build());
        return ms.ToArray();
    }
}
