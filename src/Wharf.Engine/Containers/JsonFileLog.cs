using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Wharf.Core;

namespace Wharf.Engine.Containers;

/// <summary>
/// Reads Docker's json-file log (one <c>{"log","stream","time"}</c> object per line), including rotated
/// files <c>&lt;log&gt;.1</c> (newest rotated) … <c>&lt;log&gt;.N</c> (oldest), oldest first.
/// </summary>
public static class JsonFileLog
{
    /// <summary>The files of one log, oldest first (missing ones skipped).</summary>
    public static List<string> Files(string logPath)
    {
        var rotated = new List<string>();
        for (int i = 1; File.Exists(logPath + "." + i.ToString(CultureInfo.InvariantCulture)); i++)
            rotated.Add(logPath + "." + i.ToString(CultureInfo.InvariantCulture));
        rotated.Reverse();
        if (File.Exists(logPath)) rotated.Add(logPath);
        return rotated;
    }

    /// <summary>Reads the log. With <paramref name="followUntil"/>, keeps reading appended lines until that
    /// task completes (the container stopped), then drains what is left and ends.</summary>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(
        string logPath, LogReadOptions options, Task? followUntil,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var files = Files(logPath);
        // Tail counts the last N lines over all files; find where they start so only those are parsed.
        int skipLines = 0;
        if (options.Tail >= 0)
        {
            long total = 0;
            foreach (var f in files) total += CountLines(f);
            skipLines = (int)Math.Max(0, total - options.Tail);
        }

        foreach (var file in files)
        {
            bool live = file == logPath;
            FileStream fs;
            try
            {
                fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            }
            catch (FileNotFoundException) { continue; }

            await using (fs)
            {
                var reader = new LineReader(fs);
                while (true)
                {
                    while (reader.TryReadLine(out var line))
                    {
                        if (skipLines > 0) { skipLines--; continue; }
                        if (!TryParse(line.Span, options, out var entry, out bool pastUntil)) continue;
                        if (pastUntil) yield break;
                        yield return entry;
                    }
                    if (!live || followUntil is null) break;
                    if (followUntil.IsCompleted)
                    {
                        // Drain once more: the monitor writes the last lines before it reports the exit.
                        if (reader.Fill() > 0) continue;
                        break;
                    }
                    if (reader.Fill() > 0) continue;
                    if (Rotated(logPath, reader.Position))
                    {
                        // The writer renamed the file away; go on with the new live file from its start.
                        await foreach (var e in ReadAsync(logPath, options with { Tail = -1 }, followUntil, cancellationToken))
                            yield return e;
                        yield break;
                    }
                    await Task.WhenAny(followUntil, Task.Delay(100, cancellationToken)).ConfigureAwait(false);
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }
        }
    }

    private static bool Rotated(string logPath, long position)
    {
        try { return new FileInfo(logPath).Length < position; }
        catch (IOException) { return false; }
    }

    private static long CountLines(string file)
    {
        try
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan);
            var buf = new byte[64 * 1024];
            long n = 0;
            int r;
            while ((r = fs.Read(buf)) > 0) n += buf.AsSpan(0, r).Count((byte)'\n');
            return n;
        }
        catch (FileNotFoundException) { return 0; }
    }

    /// <summary>Parses one line. Returns false for lines to skip (other stream, before Since, malformed).</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, LogReadOptions options, out LogEntry entry, out bool pastUntil)
    {
        entry = default;
        pastUntil = false;
        byte[]? log = null;
        string? stream = null;
        string? time = null;
        try
        {
            var r = new Utf8JsonReader(line);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("log"u8))
                {
                    r.Read();
                    if (r.TokenType != JsonTokenType.String) return false;
                    log = r.ValueIsEscaped ? Encoding.UTF8.GetBytes(r.GetString()!) : r.ValueSpan.ToArray();
                }
                else if (r.ValueTextEquals("stream"u8))
                {
                    r.Read();
                    stream = r.GetString();
                }
                else if (r.ValueTextEquals("time"u8))
                {
                    r.Read();
                    time = r.GetString();
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
        }
        catch (JsonException) { return false; }
        if (log is null || time is null) return false;

        int streamNo = stream == "stderr" ? 2 : 1;
        if (streamNo == 1 && !options.Stdout) return false;
        if (streamNo == 2 && !options.Stderr) return false;
        if (!DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var when))
            return false;
        if (options.Since is { } since && when < since) return false;
        if (options.Until is { } until && when > until) { pastUntil = true; return true; }

        ReadOnlyMemory<byte> data = log;
        if (options.Timestamps)
        {
            var prefix = Encoding.ASCII.GetBytes(FormatTimestamp(time, when) + " ");
            var joined = new byte[prefix.Length + log.Length];
            prefix.CopyTo(joined, 0);
            log.CopyTo(joined, prefix.Length);
            data = joined;
        }
        entry = new LogEntry(streamNo, when, data);
        return true;
    }

    /// <summary>Go's RFC3339NanoFixed ("2006-01-02T15:04:05.000000000Z07:00"), keeping the file's nanoseconds.</summary>
    public static string FormatTimestamp(string raw, DateTimeOffset parsed)
    {
        // Fast path: "YYYY-MM-DDTHH:MM:SS[.fraction]Z" as the monitor writes it.
        if (raw.Length >= 20 && raw[^1] == 'Z' && raw[10] == 'T' && raw[19] is '.' or 'Z')
        {
            var frac = raw[19] == '.' ? raw[20..^1] : "";
            if (frac.Length > 9) frac = frac[..9];
            return raw[..19] + "." + frac.PadRight(9, '0') + "Z";
        }
        return Rfc3339.Format(parsed, fractionDigits: 9, trimZeros: false);
    }

    /// <summary>Buffered line splitter over a stream that may still grow.</summary>
    private sealed class LineReader(FileStream fs)
    {
        private byte[] _buf = new byte[64 * 1024];
        private int _start;
        private int _end;

        public long Position => fs.Position;

        public bool TryReadLine(out ReadOnlyMemory<byte> line)
        {
            while (true)
            {
                int nl = Array.IndexOf(_buf, (byte)'\n', _start, _end - _start);
                if (nl >= 0)
                {
                    line = _buf.AsMemory(_start, nl - _start);
                    _start = nl + 1;
                    return true;
                }
                if (Fill() == 0)
                {
                    line = default;
                    return false;
                }
            }
        }

        /// <summary>Reads more bytes after the unconsumed ones; returns how many were added.</summary>
        public int Fill()
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buf, _start, _buf, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buf.Length) Array.Resize(ref _buf, _buf.Length * 2);
            int r = fs.Read(_buf, _end, _buf.Length - _end);
            _end += r;
            return r;
        }
    }
}
