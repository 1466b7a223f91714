namespace Wharf.Api.Containers;

/// <summary>The answer of POST /commit (Docker's IDResponse).</summary>
public sealed class IdResponse
{
    public string Id { get; set; } = "";
}
