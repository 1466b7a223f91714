using System.Text.Json.Serialization;

namespace Wharf.Api;

/// <summary>One line of a progress stream (pull, push, import, load, build): moby's jsonmessage.JSONMessage.</summary>
public sealed class JsonMessage
{
    [JsonPropertyName("stream"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Stream { get; set; }
    [JsonPropertyName("status"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Status { get; set; }
    [JsonPropertyName("progressDetail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ProgressDetail? ProgressDetail { get; set; }
    [JsonPropertyName("progress"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Progress { get; set; }
    [JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Id { get; set; }
    [JsonPropertyName("errorDetail"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public ErrorDetail? ErrorDetail { get; set; }
    [JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public string? Error { get; set; }
    [JsonPropertyName("aux"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public Dictionary<string, string>? Aux { get; set; }
}

public sealed class ProgressDetail
{
    [JsonPropertyName("current"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Current { get; set; }
    [JsonPropertyName("total"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public long Total { get; set; }
}

public sealed class ErrorDetail
{
    [JsonPropertyName("code"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] public int Code { get; set; }
    [JsonPropertyName("message")] public string Message { get; set; } = "";
}
