using System.IO.Compression;
using Wharf.Core;

namespace Wharf.Images.Layers;

/// <summary>How a layer stream is compressed, detected from its magic number (as Docker's DetectCompression).</summary>
public enum CompressionKind
{
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

/// <summary>In-process decompression of layer streams. Never runs an external decompressor (CVE-2014-9357 class).</summary>
public static class LayerCompression
{
    /// <summary>Peeks at the first bytes of <paramref name="input"/> and returns a stream of the uncompressed
    /// tar. The returned stream owns <paramref name="input"/>.</summary>
    public static Stream OpenDecompressed(Stream input, out CompressionKind kind)
    {
        ArgumentNullException.ThrowIfNull(input);
        var head = new byte[6];
        int got = 0;
        while (got < head.Length)
        {
            int n = input.Read(head, got, head.Length - got);
            if (n == 0) break;
            got += n;
        }
        kind = Detect(head.AsSpan(0, got));
        var replay = new PrefixedStream(head, got, input);
        return kind switch
        {
            CompressionKind.None => replay,
            CompressionKind.Gzip => new GZipStream(replay, CompressionMode.Decompress),
            CompressionKind.Zstd => new ZstdSharp.DecompressionStream(replay),
            CompressionKind.Bzip2 => new ICSharpCode.SharpZipLib.BZip2.BZip2InputStream(replay),
            _ => new SharpCompress.Compressors.Xz.XZStream(replay),
        };
    }

    /// <summary>The layer media type a manifest uses for a blob of this compression (Docker's names; zstd has only OCI's).
    /// bzip2 and xz have none: such layers are stored uncompressed.</summary>
    public static string MediaType(CompressionKind kind) => kind switch
    {
        CompressionKind.Gzip => Wharf.Oci.MediaTypes.DockerLayerGzip,
        CompressionKind.Zstd => Wharf.Oci.MediaTypes.OciLayerZstd,
        _ => Wharf.Oci.MediaTypes.DockerLayer,
    };

    public static CompressionKind Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0x1f, 0x8b, 0x08])) return CompressionKind.Gzip;
        if (head.StartsWith((ReadOnlySpan<byte>)[0x28, 0xb5, 0x2f, 0xfd])) return CompressionKind.Zstd;
        if (head.StartsWith("BZh"u8)) return CompressionKind.Bzip2;
        if (head.StartsWith((ReadOnlySpan<byte>)[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return CompressionKind.Xz;
        return CompressionKind.None;
    }
}
