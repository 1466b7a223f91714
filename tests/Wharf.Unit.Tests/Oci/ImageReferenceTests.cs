using Wharf.Core;
using Wharf.Oci.Reference;

namespace Wharf.Unit.Tests.Oci;

public sealed class ImageReferenceTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    // input, domain, path, tag, digest, familiar string
    public static TheoryData<string, string, string, string?, string?, string> Valid => new()
    {
        { "busybox", "docker.io", "library/busybox", null, null, "busybox" },
        { "busybox:latest", "docker.io", "library/busybox", "latest", null, "busybox:latest" },
        { "library/busybox", "docker.io", "library/busybox", null, null, "busybox" },
        { "docker.io/busybox", "docker.io", "library/busybox", null, null, "busybox" },
        { "docker.io/library/busybox:1.36", "docker.io", "library/busybox", "1.36", null, "busybox:1.36" },
        { "index.docker.io/library/busybox", "docker.io", "library/busybox", null, null, "busybox" },
        { "index.docker.io/busybox", "docker.io", "library/busybox", null, null, "busybox" },
        { "user/app:1.0", "docker.io", "user/app", "1.0", null, "user/app:1.0" },
        { "docker.io/foo/library/bar", "docker.io", "foo/library/bar", null, null, "foo/library/bar" },
        { "docker.io/library/foo/bar", "docker.io", "library/foo/bar", null, null, "library/foo/bar" },
        { "localhost:5000/a/b:t", "localhost:5000", "a/b", "t", null, "localhost:5000/a/b:t" },
        { "localhost/foo", "localhost", "foo", null, null, "localhost/foo" },
        { "localhost:5000/foo", "localhost:5000", "foo", null, null, "localhost:5000/foo" },
        { "example.com/foo/bar", "example.com", "foo/bar", null, null, "example.com/foo/bar" },
        { "Example.COM/foo", "Example.COM", "foo", null, null, "Example.COM/foo" },
        { "Foo/bar", "Foo", "bar", null, null, "Foo/bar" },
        { "[::1]:5000/foo:t", "[::1]:5000", "foo", "t", null, "[::1]:5000/foo:t" },
        { "127.0.0.1:5000/x/y/z", "127.0.0.1:5000", "x/y/z", null, null, "127.0.0.1:5000/x/y/z" },
        { "foo_bar", "docker.io", "library/foo_bar", null, null, "foo_bar" },
        { "foo__bar", "docker.io", "library/foo__bar", null, null, "foo__bar" },
        { "foo-bar", "docker.io", "library/foo-bar", null, null, "foo-bar" },
        { "foo---bar", "docker.io", "library/foo---bar", null, null, "foo---bar" },
        { "foo.bar/baz", "foo.bar", "baz", null, null, "foo.bar/baz" },
        { "a.b", "docker.io", "library/a.b", null, null, "a.b" },
        { "busybox:TAG_1.x-y", "docker.io", "library/busybox", "TAG_1.x-y", null, "busybox:TAG_1.x-y" },
        { "busybox@sha256:" + Hex, "docker.io", "library/busybox", null, "sha256:" + Hex, "busybox@sha256:" + Hex },
        { "busybox:1@sha256:" + Hex, "docker.io", "library/busybox", "1", "sha256:" + Hex, "busybox:1@sha256:" + Hex },
        { "localhost:5000/a@sha256:" + Hex, "localhost:5000", "a", null, "sha256:" + Hex, "localhost:5000/a@sha256:" + Hex },
        { "busybox:" + new string('t', 128), "docker.io", "library/busybox", new string('t', 128), null, "busybox:" + new string('t', 128) },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void Parses_like_distribution_reference(string input, string domain, string path, string? tag, string? digest, string familiar)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(domain, r.Domain);
        Assert.Equal(path, r.Path);
        Assert.Equal(tag, r.Tag);
        Assert.Equal(digest, r.Digest);
        Assert.Equal(familiar, r.FamiliarString);
        Assert.Equal(domain + "/" + path, r.Name);
        // The normalized form parses back to the same reference.
        Assert.Equal(r, ImageReference.Parse(r.ToString()));
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { "Busybox", "invalid reference format: repository name (library/Busybox) must be lowercase" },
        { "busyBox:latest", "invalid reference format: repository name (library/busyBox) must be lowercase" },
        { "user/App", "invalid reference format: repository name (user/App) must be lowercase" },
        { "localhost:5000/Foo", "invalid reference format: repository name (Foo) must be lowercase" },
        { "", "invalid reference format" },
        { "busybox:", "invalid reference format" },
        { ":tag", "invalid reference format" },
        { "-foo", "invalid reference format" },
        { "foo-", "invalid reference format" },
        { "foo___bar", "invalid reference format" },
        { "foo//bar", "invalid reference format" },
        { "foo/", "invalid reference format" },
        { "foo bar", "invalid reference format" },
        { "foo:bar:baz", "invalid reference format" },
        { "foo:-tag", "invalid reference format" },
        { "busybox:" + new string('t', 129), "invalid reference format" },
        { "busybox@sha256:abc", "invalid reference format" },
        { "busybox@sha256:" + Hex.ToUpperInvariant(), "invalid checksum digest format" },
        { "busybox@sha256:" + Hex[..63], "invalid checksum digest length" },
        { "busybox@md5:" + Hex, "unsupported digest algorithm" },
        { "busybox@sha512:" + Hex + Hex, "unsupported digest algorithm" },
        { Hex, "invalid repository name (" + Hex + "), cannot specify 64-byte hexadecimal strings" },
        { "a/" + new string('b', 250), "repository name must not be more than 255 characters" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Rejects_bad_references_with_docker_wording(string input, string message)
    {
        var e = Assert.Throws<WharfException>(() => ImageReference.Parse(input));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(message, e.Message);
        Assert.False(ImageReference.TryParse(input, out _));
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox:latest", "busybox:latest")]
    [InlineData("busybox:1", "docker.io/library/busybox:1", "busybox:1")]
    [InlineData("busybox@sha256:" + Hex, "docker.io/library/busybox@sha256:" + Hex, "busybox@sha256:" + Hex)]
    [InlineData("localhost:5000/a/b", "localhost:5000/a/b:latest", "localhost:5000/a/b:latest")]
    public void Default_tag_only_when_no_tag_and_no_digest(string input, string normalized, string familiar)
    {
        var r = ImageReference.Parse(input).WithDefaultTag();
        Assert.Equal(normalized, r.ToString());
        Assert.Equal(familiar, r.FamiliarString);
    }

    [Fact]
    public void WithTag_and_NameOnly()
    {
        var r = ImageReference.Parse("busybox:1@sha256:" + Hex);
        Assert.Equal("busybox", r.NameOnly().FamiliarString);
        Assert.Equal("docker.io/library/busybox:2", r.WithTag("2").ToString());
        Assert.Equal("busybox@sha256:" + Hex, r.NameOnly().WithDigest("sha256:" + Hex).FamiliarString);
        Assert.Throws<WharfException>(() => r.WithTag("-bad"));
        Assert.True(ImageReference.IsValidTag("v1.0_rc-2"));
        Assert.False(ImageReference.IsValidTag(".hidden"));
    }
}
