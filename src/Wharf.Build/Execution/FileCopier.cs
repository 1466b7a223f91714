using System.Security.Cryptography;
using System.Text;
using Wharf.Build.Context;
using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Build.Execution;

/// <summary>
/// COPY and ADD file work: expanding sources (wildcards, --parents) inside a source root, checksumming them for the
/// cache, and copying into a root filesystem. Every path on both sides is resolved with <see cref="RootPath"/>, so
/// neither "../" nor a symlink in the context or in the image reaches outside its root.
/// </summary>
internal static class FileCopier
{
    public static List<CopySource> Expand(string root, string source, bool parents, string keyword)
    {
        var clean = source.Replace("/./", "/\u0001/");
        var parts = clean.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var matches = new List<string> { "" };
        var keepFrom = -1;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part == "\u0001") { keepFrom = i; continue; }
            if (part == ".") continue;
            var next = new List<string>();
            foreach (var m in matches)
            {
                if (!Glob.HasMeta(part)) { next.Add(Join(m, part)); continue; }
                var dir = RootPath.Resolve(root, m);
                if (!Directory.Exists(dir)) continue;
                var re = Glob.Compile(part);
                next.AddRange(Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName)
                    .Where(n => re.IsMatch(n!)).Order(StringComparer.Ordinal).Select(n => Join(m, n!)));
            }
            matches = next;
        }
        var result = new List<CopySource>();
        foreach (var m in matches)
        {
            var host = RootPath.Resolve(root, m);
            var isDir = Directory.Exists(host);
            if (!isDir && !File.Exists(host))
            {
                if (Glob.HasMeta(source)) continue;
                throw WharfException.Invalid($"{keyword} failed: file not found in build context or excluded by .dockerignore: stat {source.TrimStart('/')}: file does not exist");
            }
            string name;
            if (parents)
            {
                var segs = m.Split('/', StringSplitOptions.RemoveEmptyEntries);
                // with "/./" only what follows the marker is kept; the marker was dropped from the segments
                name = keepFrom >= 0 ? string.Join('/', segs.Skip(keepFrom)) : m;
            }
            else name = m.Length == 0 ? "" : m[(m.LastIndexOf('/') + 1)..];
            result.Add(new CopySource(host, name, isDir));
        }
        if (result.Count == 0) throw WharfException.Invalid($"{keyword} failed: no source files were specified");
        return result;
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "/" + b;

    /// <summary>Content checksum of a source: names, types, modes, sizes, link targets and bytes.</summary>
    public static void Hash(IncrementalHash h, CopySource src, DockerIgnore exclude)
    {
        Add(h, "S:" + src.Name + "\n");
        if (!src.IsDirectory) { HashEntry(h, src.HostPath, ""); return; }
        foreach (var path in Directory.EnumerateFileSystemEntries(src.HostPath, "*", new EnumerationOptions
                 { RecurseSubdirectories = true, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var rel = path[(src.HostPath.Length + 1)..];
            if (exclude.IsIgnored(rel)) continue;
            HashEntry(h, path, rel);
        }
    }

    private static void HashEntry(IncrementalHash h, string path, string rel)
    {
        var info = new FileInfo(path);
        var mode = (int)File.GetUnixFileMode(path);
        if (info.LinkTarget is { } link) { Add(h, $"L:{rel}:{link}\n"); return; }
        if (Directory.Exists(path)) { Add(h, $"D:{rel}:{mode}\n"); return; }
        Add(h, $"F:{rel}:{mode}:{info.Length}\n");
        using var f = File.OpenRead(path);
        h.AppendData(SHA256.HashData(f));
    }

    private static void Add(IncrementalHash h, string s) => h.AppendData(Encoding.UTF8.GetBytes(s));

    /// <summary>Copies one source to <paramref name="dest"/> (an absolute path inside <paramref name="rootfs"/>).</summary>
    public static void Copy(CopySource src, string rootfs, string dest, bool destIsDir, (int Uid, int Gid) owner, UnixFileMode? chmod, DockerIgnore exclude)
    {
        if (src.IsDirectory)
        {
            var targetDir = destIsDir && src.Name.Contains('/') ? dest.TrimEnd('/') + "/" + src.Name : dest;
            var hostDir = MakeDirs(rootfs, targetDir, owner);
            CopyTree(src.HostPath, hostDir, rootfs, owner, chmod, exclude);
            return;
        }
        var target = destIsDir ? dest.TrimEnd('/') + "/" + src.Name : dest;
        var parent = target[..Math.Max(target.LastIndexOf('/'), 0)];
        var hostParent = MakeDirs(rootfs, parent.Length == 0 ? "/" : parent, owner);
        var name = target[(target.LastIndexOf('/') + 1)..];
        var hostTarget = hostParent + "/" + name;
        if (Directory.Exists(hostTarget) && new FileInfo(hostTarget).LinkTarget is null) hostTarget += "/" + Path.GetFileName(src.HostPath);
        CopyEntry(src.HostPath, hostTarget, owner, chmod);
    }

    private static void CopyTree(string sourceDir, string hostDir, string rootfs, (int Uid, int Gid) owner, UnixFileMode? chmod, DockerIgnore exclude)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(sourceDir, "*", new EnumerationOptions
                 { RecurseSubdirectories = false, AttributesToSkip = 0 }).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var rel = RootPath.Relative(sourceDir, path);
            if (exclude.IsIgnored(rel)) continue;
            var target = hostDir + "/" + name;
            var isLink = new FileInfo(path).LinkTarget is not null;
            if (!isLink && Directory.Exists(path))
            {
                // An existing symlink in the image is resolved inside the image's root, never on the host.
                var existing = new FileInfo(target).LinkTarget is not null ? RootPath.Resolve(rootfs, RootPath.Relative(rootfs, target)) : target;
                if (!Directory.Exists(existing))
                {
                    Directory.CreateDirectory(existing);
                    Apply(existing, path, owner, chmod);
                }
                CopyTree(path, existing, rootfs, owner, chmod, exclude.Sub(name));
            }
            else CopyEntry(path, target, owner, chmod);
        }
    }

    private static void CopyEntry(string source, string target, (int Uid, int Gid) owner, UnixFileMode? chmod)
    {
        var existing = new FileInfo(target);
        if (existing.LinkTarget is not null || existing.Exists) existing.Delete();
        var link = new FileInfo(source).LinkTarget;
        if (link is not null)
        {
            File.CreateSymbolicLink(target, link);
            Native.lchown(target, owner.Uid, owner.Gid);
            return;
        }
        File.Copy(source, target);
        Apply(target, source, owner, chmod);
    }

    private static void Apply(string target, string source, (int Uid, int Gid) owner, UnixFileMode? chmod)
    {
        Native.lchown(target, owner.Uid, owner.Gid);
        File.SetUnixFileMode(target, chmod ?? File.GetUnixFileMode(source));
        var mtime = File.GetLastWriteTimeUtc(source);
        if (Directory.Exists(target)) Directory.SetLastWriteTimeUtc(target, mtime);
        else File.SetLastWriteTimeUtc(target, mtime);
    }

    /// <summary>mkdir -p inside the root; directories it creates get the owner. Returns the host path.</summary>
    public static string MakeDirs(string rootfs, string path, (int Uid, int Gid) owner)
    {
        var current = "";
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current += "/" + part;
            var host = RootPath.Resolve(rootfs, current);
            if (File.Exists(host) && !Directory.Exists(host))
                throw WharfException.Invalid($"failed to copy files: mkdir {current}: not a directory");
            if (!Directory.Exists(host))
            {
                Directory.CreateDirectory(host);
                File.SetUnixFileMode(host, (UnixFileMode)0b111_101_101);
                Native.lchown(host, owner.Uid, owner.Gid);
            }
        }
        return RootPath.Resolve(rootfs, path);
    }
}
