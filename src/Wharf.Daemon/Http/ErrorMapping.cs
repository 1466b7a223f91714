using System.Text.Json;
using Wharf.Core;

namespace Wharf.Daemon.Http;

/// <summary>Error kind → HTTP status, like moby's httpstatus.FromError. Unclassified errors are 500.</summary>
internal static class ErrorMapping
{
    public static (int Status, string Message) ToStatus(Exception e) => e switch
    {
        WharfException w => (w.Kind switch
        {
            ErrorKind.NotFound => 404,
            ErrorKind.InvalidArgument => 400,
            ErrorKind.AlreadyExists => 409,
            ErrorKind.Conflict => 409,
            ErrorKind.FailedPrecondition => 409,
            ErrorKind.PermissionDenied => 403,
            ErrorKind.Unauthorized => 401,
            ErrorKind.Unavailable => 503,
            ErrorKind.NotImplemented => 501,
            ErrorKind.NotModified => 304,
            _ => 500,
        }, w.Message),
        JsonException j => (400, "invalid JSON: " + j.Message),
        InvalidDataException d => (400, d.Message),
        _ => (500, e.Message),
    };
}
