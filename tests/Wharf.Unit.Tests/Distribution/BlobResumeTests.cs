using System.Net;
using System.Net.Http.Headers;
using Wharf.Distribution;

namespace Wharf.Unit.Tests.Distribution;

/// <summary>When a kept partial download is continued with a Range request, and when it is thrown away.</summary>
public sealed class BlobResumeTests
{
    [Theory]
    [InlineData(0, 100, ResumeStart.Fresh)]
    [InlineData(40, 100, ResumeStart.Range)]
    [InlineData(99, 100, ResumeStart.Range)]
    [InlineData(100, 100, ResumeStart.VerifyKept)]
    [InlineData(101, 100, ResumeStart.Discard)]
    [InlineData(40, 0, ResumeStart.Discard)]
    internal void The_kept_length_decides_the_request(long kept, long size, ResumeStart expected) =>
        Assert.Equal(expected, BlobResume.Plan(kept, size));

    [Fact]
    public void The_range_asks_for_everything_after_the_kept_bytes() =>
        Assert.Equal("bytes=40-", BlobResume.RangeFrom(40).ToString());

    [Fact]
    internal void Only_a_206_for_exactly_the_rest_is_appended()
    {
        Assert.Equal(ResumeAnswer.Append, BlobResume.Judge(HttpStatusCode.PartialContent, new ContentRangeHeaderValue(40, 99, 100), 40, 100));
        Assert.Equal(ResumeAnswer.Append, BlobResume.Judge(HttpStatusCode.PartialContent, new ContentRangeHeaderValue(40, 99), 40, 100));
        // Another start, another end, another total length: not the rest of this blob.
        Assert.Equal(ResumeAnswer.Refetch, BlobResume.Judge(HttpStatusCode.PartialContent, new ContentRangeHeaderValue(0, 99, 100), 40, 100));
        Assert.Equal(ResumeAnswer.Refetch, BlobResume.Judge(HttpStatusCode.PartialContent, new ContentRangeHeaderValue(40, 59, 100), 40, 100));
        Assert.Equal(ResumeAnswer.Refetch, BlobResume.Judge(HttpStatusCode.PartialContent, new ContentRangeHeaderValue(40, 199, 200), 40, 100));
        Assert.Equal(ResumeAnswer.Refetch, BlobResume.Judge(HttpStatusCode.PartialContent, null, 40, 100));
        Assert.Equal(ResumeAnswer.Refetch, BlobResume.Judge(HttpStatusCode.RequestedRangeNotSatisfiable, null, 40, 100));
    }

    [Fact]
    internal void A_200_restarts_and_errors_stay_errors()
    {
        Assert.Equal(ResumeAnswer.Restart, BlobResume.Judge(HttpStatusCode.OK, null, 40, 100));
        Assert.Equal(ResumeAnswer.Fail, BlobResume.Judge(HttpStatusCode.NotFound, null, 40, 100));
        Assert.Equal(ResumeAnswer.Fail, BlobResume.Judge(HttpStatusCode.InternalServerError, null, 40, 100));
    }
}
