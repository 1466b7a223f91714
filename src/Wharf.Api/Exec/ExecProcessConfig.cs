using System.Text.Json.Serialization;

namespace Wharf.Api.Exec;

/// <summary>ProcessConfig of exec inspect: moby writes these names in lower case.</summary>
public sealed class ExecProcessConfig
{
    [JsonPropertyName("tty")]
    public bool Tty { get; set; }
    [JsonPropertyName("entrypoint")]
    public string Entrypoint { get; set; } = "";
    [JsonPropertyName("arguments")]
    public List<string> Arguments { get; set; } = [];
    [JsonPropertyName("privileged")]
    public bool? Privileged { get; set; }
    [JsonPropertyName("user")]
    public string? User { get; set; }
}
