using System.Security.Cryptography;
using Wharf.Core;

namespace Wharf.Build.Execution;

/// <summary>ADD &lt;url&gt;: downloads to a private temp file (mode 0600, as Docker), verified against --checksum.</summary>
internal static class UrlSource
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromMinutes(10) };

    public static async Task<CopySource> DownloadAsync(string url, string? checksum, string tempDir, CancellationToken ct)
    {
        var uri = new Uri(url);
        var name = Path.GetFileName(uri.AbsolutePath);
        if (string.IsNullOrEmpty(name)) name = "__unnamed__";
        var path = Path.Combine(tempDir, "url-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        var file = Path.Combine(path, name);
        using (var response = await Http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, ct))
        {
            if (!response.IsSuccessStatusCode)
                throw WharfException.Invalid($"failed to GET {url} with status {(int)response.StatusCode} {response.ReasonPhrase}");
            await using var body = await response.Content.ReadAsStreamAsync(ct);
            await using (var f = File.Create(file)) await body.CopyToAsync(f, ct);
            if (response.Content.Headers.LastModified is { } lm) File.SetLastWriteTimeUtc(file, lm.UtcDateTime);
        }
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (checksum is not null)
        {
            if (!checksum.StartsWith("sha256:", StringComparison.Ordinal))
                throw WharfException.Invalid($"unsupported digest algorithm in checksum {checksum}");
            await using var f = File.OpenRead(file);
            var actual = "sha256:" + Convert.ToHexStringLower(await SHA256.HashDataAsync(f, ct));
            if (!string.Equals(actual, checksum, StringComparison.OrdinalIgnoreCase))
                throw WharfException.Invalid($"digest mismatch {actual}: {checksum}");
        }
        return new CopySource(file, name, false);
    }
}
