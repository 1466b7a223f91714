namespace Wharf.Api.Exec;

/// <summary>Body of <c>POST /exec/{id}/start</c> (moby ExecStartOptions).</summary>
public sealed class ExecStartRequest
{
    public bool Detach { get; set; }
    public bool Tty { get; set; }
    /// <summary>[height, width] (API 1.42+).</summary>
    public List<uint>? ConsoleSize { get; set; }
}
