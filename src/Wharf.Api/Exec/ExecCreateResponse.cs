namespace Wharf.Api.Exec;

/// <summary>Answer of <c>POST /containers/{id}/exec</c>.</summary>
public sealed class ExecCreateResponse
{
    public string Id { get; set; } = "";
}
