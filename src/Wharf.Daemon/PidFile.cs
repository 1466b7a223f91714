using Wharf.Core;
using Wharf.Interop;

namespace Wharf.Daemon;

/// <summary>
/// The daemon's pid file. It also guards the data root: a second wharfd with the same pid file refuses to
/// start while the first one lives (a stale file of a killed daemon is taken over).
/// </summary>
internal sealed class PidFile : IDisposable
{
    private readonly string _path;

    private PidFile(string path) => _path = path;

    public static PidFile? Acquire(string path, Log log)
    {
        if (File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), out var pid) && pid != Environment.ProcessId && IsWharfd(pid))
        {
            log.Error($"pid file found, ensure wharfd is not running or delete {path} (process {pid} holds it)");
            return null;
        }
        AtomicFile.WriteAllText(path, Environment.ProcessId + "\n");
        return new PidFile(path);
    }

    private static bool IsWharfd(int pid)
    {
        try
        {
            // A killed daemon may linger as a zombie (state Z) until its parent reaps it: that one is gone.
            if (!ProcStat.IsLive(pid)) return false;
            return File.ReadAllText($"/proc/{pid}/comm").Trim() is "wharfd" or "dotnet";
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public void Dispose()
    {
        try
        {
            if (File.Exists(_path) && File.ReadAllText(_path).Trim() == Environment.ProcessId.ToString()) File.Delete(_path);
        }
        catch (IOException) { }
    }
}
