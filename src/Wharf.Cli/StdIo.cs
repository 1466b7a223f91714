using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Wharf.Cli;

/// <summary>
/// The standard streams as plain file-descriptor streams. Anything that goes through .NET's console streams
/// (Console.Out, Console.OpenStandardOutput) initialises the terminal first, which writes keypad-mode escapes
/// (ESC[?1h ESC=) into the user's terminal and into a TTY session's output; docker prints nothing of the kind.
/// </summary>
internal static class StdIo
{
    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    private static readonly Lazy<Stream> LazyIn = new(() => Open(0, FileAccess.Read));
    private static readonly Lazy<Stream> LazyOut = new(() => Open(1, FileAccess.Write));
    private static readonly Lazy<Stream> LazyErr = new(() => Open(2, FileAccess.Write));
    private static readonly Lazy<TextWriter> LazyOutWriter = new(() => CreateWriter(LazyOut.Value));
    private static readonly Lazy<TextWriter> LazyErrWriter = new(() => CreateWriter(LazyErr.Value));

    public static Stream InStream => LazyIn.Value;

    public static Stream OutStream => LazyOut.Value;

    public static Stream ErrStream => LazyErr.Value;

    public static TextWriter Out => LazyOutWriter.Value;

    public static TextWriter Err => LazyErrWriter.Value;

    /// <summary>A closed descriptor (e.g. `wharf ps &lt;&amp;-`) gets an empty/discarding stream instead of a crash.</summary>
    private static Stream Open(int fd, FileAccess access)
    {
        try
        {
            var stream = new FileStream(new SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);
            if (access == FileAccess.Write && stream.CanSeek && fd is 1 or 2)
            {
                // A regular file (`wharf ps > out`, a script's log): FileStream writes it with pwrite at a position of
                // its own and leaves the shared file offset where it was, so the next writer to the same redirection
                // (the shell's echo) would write over our output. Console's stream uses write(2), which moves the
                // offset, and sets up no terminal when the output is a file.
                stream.Dispose();
                return fd == 1 ? Console.OpenStandardOutput() : Console.OpenStandardError();
            }

            return stream;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return Stream.Null;
        }
    }

    private static TextWriter CreateWriter(Stream stream) =>
        TextWriter.Synchronized(new StreamWriter(stream, Utf8, 4096, leaveOpen: true) { AutoFlush = true, NewLine = "\n" });
}
