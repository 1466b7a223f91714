using System.Text.Json.Serialization;

namespace Wharf.Api;

/// <summary>Every error body: <c>{"message":"…"}</c> (swagger ErrorResponse).</summary>
public sealed record ErrorResponse([property: JsonPropertyName("message")] string Message);
