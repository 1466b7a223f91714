namespace Wharf.Api.Containers;

public sealed class WaitExitError
{
    public string Message { get; set; } = "";
}
