using System.Text.Json.Serialization;

namespace Wharf.Api.Containers;

public sealed class ContainerWaitResponse
{
    public long StatusCode { get; set; }
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] public WaitExitError? Error { get; set; }
}
