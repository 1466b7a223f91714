using Microsoft.AspNetCore.Http;
using System.Text.Json;

namespace Wharf.Registry;

/// <summary>
/// A distribution error: one of the spec's codes, a message and an optional detail. The HTTP status of each code
/// is decided here, in one place, as distribution's errcode/register.go does.
/// </summary>
public sealed class RegistryError : Exception
{
    public RegistryError(string code, string message, string? detail = null) : base(message)
    {
        Code = code;
        Detail = detail;
    }

    public string Code { get; }

    public string? Detail { get; }

    public int Status => StatusOf(Code);

    public static int StatusOf(string code) => code switch
    {
        "UNSUPPORTED" => 405,
        "UNAUTHORIZED" => 401,
        "DENIED" => 403,
        "UNAVAILABLE" => 503,
        "TOOMANYREQUESTS" => 429,
        "RANGE_INVALID" => 416,
        "NOT_FOUND" or "NAME_UNKNOWN" or "MANIFEST_UNKNOWN" or "BLOB_UNKNOWN" or "BLOB_UPLOAD_UNKNOWN" or "BLOB_UPLOAD_INVALID" => 404,
        "MANIFEST_TOO_LARGE" => 413,
        "UNKNOWN" => 500,
        _ => 400, // DIGEST_INVALID, SIZE_INVALID, NAME_INVALID, TAG_INVALID, MANIFEST_INVALID, MANIFEST_BLOB_UNKNOWN, PAGINATION_NUMBER_INVALID
    };

    public static RegistryError BlobUnknown(string digest) => new("BLOB_UNKNOWN", "blob unknown to registry", digest);
    public static RegistryError ManifestUnknown(string reference) => new("MANIFEST_UNKNOWN", "manifest unknown", reference);
    public static RegistryError NameUnknown(string name) => new("NAME_UNKNOWN", "repository name not known to registry", name);
    public static RegistryError UploadUnknown() => new("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry");
    public static RegistryError DigestInvalid(string detail) => new("DIGEST_INVALID", "provided digest did not match uploaded content", detail);

    /// <summary>Writes <c>{"errors":[{"code","message","detail"}]}</c> with the code's status.</summary>
    public async Task WriteAsync(HttpResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = Status;
        response.ContentType = "application/json; charset=utf-8";
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("code", Code);
            w.WriteString("message", Message);
            if (Detail is null) w.WriteNull("detail"); else w.WriteString("detail", Detail);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        response.ContentLength = ms.Length;
        await response.Body.WriteAsync(ms.ToArray()).ConfigureAwait(false);
    }
}
