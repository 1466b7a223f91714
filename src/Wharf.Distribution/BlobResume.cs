using System.Net;
using System.Net.Http.Headers;

namespace Wharf.Distribution;

/// <summary>What to do with the bytes an interrupted download of a blob left, before asking the registry.</summary>
internal enum ResumeStart
{
    /// <summary>Nothing kept: an ordinary GET.</summary>
    Fresh,
    /// <summary>Some bytes kept: GET with <c>Range: bytes=N-</c>.</summary>
    Range,
    /// <summary>The whole blob is kept (killed between the last write and the commit): no request, just verify it.</summary>
    VerifyKept,
    /// <summary>More bytes kept than the blob has (or its size is unknown): drop them and GET it all.</summary>
    Discard,
}

/// <summary>How to treat the registry's answer to a ranged GET.</summary>
internal enum ResumeAnswer
{
    /// <summary>206 starting exactly at the kept length: append the body after the kept bytes.</summary>
    Append,
    /// <summary>200: the registry ignored the range and sends the whole blob; drop the kept bytes and take it.</summary>
    Restart,
    /// <summary>A 206 for another range, or 416: drop the kept bytes and ask again without a range.</summary>
    Refetch,
    /// <summary>Anything else: an error, handled as for an ordinary GET.</summary>
    Fail,
}

/// <summary>
/// The rules for resuming a blob download (moby's transport/httpReadSeeker does the same within one pull; here
/// the kept bytes also survive a wharfd restart): a ranged request only when some but not all of the blob is kept,
/// the answer used only when it is exactly the rest, and every other case a full download. The kept prefix is
/// re-hashed before the rest is appended, and the digest is checked at the end either way, so a wrong prefix costs a
/// second download, never a bad blob.
/// </summary>
internal static class BlobResume
{
    public static ResumeStart Plan(long kept, long expectedSize) =>
        kept <= 0 ? ResumeStart.Fresh
        : expectedSize <= 0 || kept > expectedSize ? ResumeStart.Discard
        : kept == expectedSize ? ResumeStart.VerifyKept
        : ResumeStart.Range;

    public static RangeHeaderValue RangeFrom(long kept) => new(kept, null);

    public static ResumeAnswer Judge(HttpStatusCode status, ContentRangeHeaderValue? contentRange, long kept, long expectedSize)
    {
        if (status == HttpStatusCode.OK) return ResumeAnswer.Restart;
        if (status == HttpStatusCode.RequestedRangeNotSatisfiable) return ResumeAnswer.Refetch;
        if (status != HttpStatusCode.PartialContent) return ResumeAnswer.Fail;
        if (contentRange is not { HasRange: true, From: { } from } || from != kept) return ResumeAnswer.Refetch;
        if (contentRange.HasLength && contentRange.Length != expectedSize) return ResumeAnswer.Refetch;
        if (contentRange.To is { } to && to != expectedSize - 1) return ResumeAnswer.Refetch;
        return ResumeAnswer.Append;
    }
}
