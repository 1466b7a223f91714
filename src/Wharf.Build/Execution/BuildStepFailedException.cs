namespace Wharf.Build.Execution;

/// <summary>A step failed in a way the client reports with a code (a RUN's exit code), Docker's errorDetail.code.</summary>
public sealed class BuildStepFailedException(string message, int code) : Exception(message)
{
    public int Code { get; } = code;
}
