namespace Wharf.DockerDotNet.Tests;

/// <summary>Runs the callback on the reporting thread. <see cref="Progress{T}"/> posts it to the thread pool, so a
/// value reported just before the call returns could arrive after the assertions.</summary>
internal sealed class SyncProgress<T>(Action<T> onReport) : IProgress<T>
{
    public void Report(T value) => onReport(value);
}
