namespace Wharf.Daemon;

/// <summary>Leveled log lines on stderr (the daemon's log is its stderr; scripts redirect it).</summary>
internal sealed class Log(Log.Level minimum)
{
    public enum Level { Debug, Info, Warn, Error }

    private readonly Lock _lock = new();

    public static Level ParseLevel(string s) => s.ToLowerInvariant() switch
    {
        "debug" => Level.Debug,
        "info" => Level.Info,
        "warn" or "warning" => Level.Warn,
        "error" or "fatal" => Level.Error,
        _ => throw new ArgumentException($"unknown log level '{s}' (debug, info, warn, error)"),
    };

    public void Debug(string message) => Write(Level.Debug, message);
    public void Info(string message) => Write(Level.Info, message);
    public void Warn(string message) => Write(Level.Warn, message);
    public void Error(string message) => Write(Level.Error, message);

    private void Write(Level level, string message)
    {
        if (level < minimum) return;
        var line = $"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {level.ToString().ToLowerInvariant()} {message}";
        lock (_lock) Console.Error.WriteLine(line);
    }
}
