namespace Wharf.Core;

/// <summary>
/// The one exception type Wharf code throws for expected failures. <see cref="Kind"/> decides
/// the HTTP status; <see cref="Exception.Message"/> is what the user reads (Docker's wording where
/// Docker has one). Context is added by wrapping with a new message and the old one as inner.
/// </summary>
public sealed class WharfException : Exception
{
    public WharfException(ErrorKind kind, string message, Exception? inner = null) : base(message, inner) => Kind = kind;

    public ErrorKind Kind { get; }

    public static WharfException NotFound(string message) => new(ErrorKind.NotFound, message);
    public static WharfException Invalid(string message) => new(ErrorKind.InvalidArgument, message);
    public static WharfException Conflict(string message) => new(ErrorKind.Conflict, message);
    public static WharfException AlreadyExists(string message) => new(ErrorKind.AlreadyExists, message);
    public static WharfException NotModified(string message = "") => new(ErrorKind.NotModified, message);
    public static WharfException NotImplemented(string message) => new(ErrorKind.NotImplemented, message);
    public static WharfException Internal(string message, Exception? inner = null) => new(ErrorKind.Internal, message, inner);
}
