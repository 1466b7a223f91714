using System.Text.Json;

namespace Wharf.Distribution;

/// <summary>
/// Which repositories each blob was pulled from or pushed to (domain/path), so push can ask a registry to mount a
/// blob from a repository it already holds instead of uploading it (moby's v2 metadata service). Kept in
/// &lt;dataRoot&gt;/distribution/sources.json, written whole by temp file + rename. Losing it only costs uploads.
/// Thread-safe.
/// </summary>
public sealed class BlobSources
{
    private readonly string _file;
    private readonly object _lock = new();
    private readonly Dictionary<string, List<string>> _sources;

    public BlobSources(string directory)
    {
        Directory.CreateDirectory(directory);
        _file = Path.Combine(directory, "sources.json");
        _sources = Load(_file);
    }

    private static Dictionary<string, List<string>> Load(string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
                result[p.Name] = [.. p.Value.EnumerateArray().Select(v => v.GetString()).OfType<string>()];
            return result;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException or UnauthorizedAccessException)
        {
            return new(StringComparer.Ordinal);
        }
    }

    /// <summary>Repositories ("domain/path") known to hold <paramref name="digest"/>.</summary>
    public IReadOnlyList<string> Get(string digest)
    {
        lock (_lock) return _sources.TryGetValue(digest, out var l) ? [.. l] : [];
    }

    /// <summary>Records that <paramref name="repository"/> holds these blobs, newest first, a few per blob.</summary>
    public void Add(IEnumerable<string> digests, string repository)
    {
        lock (_lock)
        {
            bool changed = false;
            foreach (var d in digests)
            {
                if (!_sources.TryGetValue(d, out var list)) _sources[d] = list = [];
                if (list.Count > 0 && list[0] == repository) continue;
                list.Remove(repository);
                list.Insert(0, repository);
                if (list.Count > 8) list.RemoveAt(list.Count - 1);
                changed = true;
            }
            if (!changed) return;
            var tmp = _file + ".tmp";
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            using (var w = new Utf8JsonWriter(fs))
            {
                w.WriteStartObject();
                foreach (var (k, v) in _sources)
                {
                    w.WriteStartArray(k);
                    foreach (var r in v) w.WriteStringValue(r);
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            File.Move(tmp, _file, overwrite: true);
        }
    }
}
