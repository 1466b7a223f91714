namespace Wharf.Core;

/// <summary>
/// What kind of failure an error is, independent of the subsystem that raised it
/// (containerd's errdefs classes). The daemon maps each kind to one HTTP status in one place.
/// </summary>
public enum ErrorKind
{
    /// <summary>Unclassified: a bug or an unexpected system failure (HTTP 500, logged).</summary>
    Internal = 0,
    /// <summary>The named object does not exist (404).</summary>
    NotFound,
    /// <summary>The request is malformed or a parameter is invalid (400).</summary>
    InvalidArgument,
    /// <summary>An object with that identity already exists (409).</summary>
    AlreadyExists,
    /// <summary>The object is in a state that forbids the operation (409).</summary>
    Conflict,
    /// <summary>A precondition of the operation does not hold (409 in Docker's mapping for most cases).</summary>
    FailedPrecondition,
    /// <summary>The caller may not do this (403).</summary>
    PermissionDenied,
    /// <summary>Authentication is missing or wrong (401).</summary>
    Unauthorized,
    /// <summary>The service cannot do it now; retrying may work (503).</summary>
    Unavailable,
    /// <summary>Wharf does not implement this (501).</summary>
    NotImplemented,
    /// <summary>Nothing to do: the object is already in the requested state (304).</summary>
    NotModified,
}
