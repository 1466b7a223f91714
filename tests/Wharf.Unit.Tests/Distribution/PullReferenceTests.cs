using Wharf.Core;
using Wharf.Distribution;
using Wharf.Engine.Distribution;

namespace Wharf.Unit.Tests.Distribution;

public sealed class PullReferenceTests
{
    private const string D = "sha256:b5c5dbc25e04ffcc8b33b8aba4fa4509317879a42be2def46f7277d23f2199ce";

    [Theory]
    [InlineData("docker.io/library/busybox", "latest", "docker.io/library/busybox:latest")] // docker CLI
    [InlineData("busybox", "latest", "docker.io/library/busybox:latest")] // docker-py
    [InlineData("busybox", null, "docker.io/library/busybox:latest")]
    [InlineData("localhost:5000/a/b:", null, "localhost:5000/a/b:latest")] // trailing ':' trimmed
    [InlineData("testcontainers/ryuk:0.14.0@" + D, null, "docker.io/testcontainers/ryuk:0.14.0@" + D)] // no tag param
    [InlineData("127.0.0.1:5000/x", D, "127.0.0.1:5000/x@" + D)] // tag parameter that is a digest
    [InlineData("127.0.0.1:5000/x:old", "new", "127.0.0.1:5000/x:new")]
    public void Parses_fromImage_and_tag_like_moby(string fromImage, string? tag, string expected)
    {
        Assert.Equal(expected, DistributionService.ParsePullReference(fromImage, tag).ToString());
    }

    [Theory]
    [InlineData("busybox:Bad!", null)]
    [InlineData("busybox", "bad tag!")]
    [InlineData("", null)]
    public void Bad_references_are_invalid_arguments(string fromImage, string? tag)
    {
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<WharfException>(() => DistributionService.ParsePullReference(fromImage, tag)).Kind);
    }

    [Theory]
    [InlineData(0, 0, "      0B")]
    [InlineData(1048576, 2154212, "[========================>                          ]  1.049MB/2.154MB")]
    [InlineData(5, 5, "[==================================================>]       5B/5B")]
    public void Progress_text_is_jsonmessage_style(long current, long total, string expected)
    {
        Assert.Equal(expected, ProgressBar.Format(current, total));
    }

    [Fact]
    public void Loopback_is_insecure_by_default_and_listed_registries_too()
    {
        var o = new RegistryOptions(["reg.example:5000", "10.9.0.0/16"], ["http://127.0.0.1:5001/"]);
        Assert.True(o.IsInsecure("127.0.0.1:5000"));
        Assert.True(o.IsInsecure("localhost:5000"));
        Assert.True(o.IsInsecure("[::1]:5000"));
        Assert.True(o.IsInsecure("reg.example:5000"));
        Assert.True(o.IsInsecure("10.9.3.4:443"));
        Assert.False(o.IsInsecure("10.8.3.4:443"));
        Assert.Equal("http://127.0.0.1:5001/", Assert.Single(o.Mirrors).ToString());
        Assert.Throws<WharfException>(() => new RegistryOptions(["http://x"]));
        Assert.Throws<WharfException>(() => new RegistryOptions(null, ["ftp://x"]));
    }

    [Fact]
    public void Daemon_json_keys_are_read_and_others_ignored()
    {
        var o = RegistryOptions.FromDaemonJson("{\"insecure-registries\":[\"r.test:80\"],\"registry-mirrors\":[\"https://m.test\"],\"debug\":true}");
        Assert.True(o.IsInsecure("r.test:80"));
        Assert.Equal("https://m.test/", Assert.Single(o.Mirrors).ToString());
        Assert.Throws<WharfException>(() => RegistryOptions.FromDaemonJson("{\"insecure-registries\":\"x\"}"));
    }
}
