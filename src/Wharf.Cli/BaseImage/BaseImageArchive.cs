using System.Formats.Tar;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Wharf.Cli.BaseImage;

/// <summary>
/// A one-layer image as a docker-archive (manifest.json + &lt;config&gt;.json + &lt;diffid&gt;/layer.tar) whose
/// config is a pure function of the rootfs bytes and the given fields (created = SOURCE_DATE_EPOCH), so the same
/// rootfs always loads as the same image ID — unlike `docker import`, which stamps the current time.
/// </summary>
internal sealed record BaseImageArchive(string Tag, IReadOnlyList<string> Env, IReadOnlyList<string> Cmd, DateTimeOffset Created, string CreatedBy)
{
    /// <summary>The config JSON for a layer with this diffID (keys in a fixed order; no volatile fields).</summary>
    public byte[] Config(string diffId)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            var created = Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            w.WriteStartObject();
            w.WriteString("architecture", "amd64");
            w.WriteStartObject("config");
            w.WriteStartArray("Env");
            foreach (var e in Env) w.WriteStringValue(e);
            w.WriteEndArray();
            w.WriteStartArray("Cmd");
            foreach (var c in Cmd) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteString("created", created);
            w.WriteStartArray("history");
            w.WriteStartObject();
            w.WriteString("created", created);
            w.WriteString("created_by", CreatedBy);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteString("os", "linux");
            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            w.WriteStartArray("diff_ids");
            w.WriteStringValue(diffId);
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return ms.ToArray();
    }

    /// <summary>Writes the archive for the rootfs tar at <paramref name="rootfsTar"/> (read twice: hash, then copy).</summary>
    public async Task WriteAsync(string rootfsTar, Stream output, CancellationToken ct = default)
    {
        string diffHex;
        await using (var f = File.OpenRead(rootfsTar))
            diffHex = Convert.ToHexStringLower(await SHA256.HashDataAsync(f, ct).ConfigureAwait(false));
        var config = Config("sha256:" + diffHex);
        var configHex = Convert.ToHexStringLower(SHA256.HashData(config));
        var manifest = Encoding.UTF8.GetBytes(
            $"[{{\"Config\":\"{configHex}.json\",\"RepoTags\":[\"{JsonEncodedText.Encode(Tag)}\"],\"Layers\":[\"{diffHex}/layer.tar\"]}}]");

        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (var layer = File.OpenRead(rootfsTar))
            await WriteAsync(tar, diffHex + "/layer.tar", layer, ct).ConfigureAwait(false);
        await WriteAsync(tar, configHex + ".json", new MemoryStream(config), ct).ConfigureAwait(false);
        await WriteAsync(tar, "manifest.json", new MemoryStream(manifest), ct).ConfigureAwait(false);
    }

    private static Task WriteAsync(TarWriter tar, string name, Stream data, CancellationToken ct) =>
        tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = data, Mode = (UnixFileMode)0x1a4, ModificationTime = DateTimeOffset.UnixEpoch }, ct);
}
