using System.Security.Cryptography;
using System.Text;
using Wharf.Interop;

namespace Wharf.Build.Execution;

/// <summary>
/// The step cache: key (parent image, expanded instruction, args used, source checksums) → the image the step
/// made. One small file per entry under the data root, so it survives restarts; an entry whose image is gone
/// is a miss.
/// </summary>
public sealed class BuildCache(string directory)
{
    public string Directory { get; } = directory;

    public static string Key(params string?[] parts)
    {
        var text = string.Join("\u0000", parts.Select(p => p ?? "<null>"));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    public string? Get(string key)
    {
        try { return File.ReadAllText(Path.Combine(Directory, key)).Trim(); }
        catch (IOException) { return null; }
    }

    public void Put(string key, string imageId)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(Path.Combine(Directory, key), imageId);
    }

    /// <summary>`docker builder prune`: drops every entry; returns the keys removed.</summary>
    public IReadOnlyList<string> Prune()
    {
        if (!System.IO.Directory.Exists(Directory)) return [];
        var removed = new List<string>();
        foreach (var f in System.IO.Directory.EnumerateFiles(Directory))
        {
            File.Delete(f);
            removed.Add(Path.GetFileName(f));
        }
        return removed;
    }

    public int Count => System.IO.Directory.Exists(Directory) ? System.IO.Directory.EnumerateFiles(Directory).Count() : 0;
}
