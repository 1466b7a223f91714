using Wharf.Build.Context;

namespace Wharf.Unit.Tests.Build;

public sealed class DockerIgnoreTests
{
    [Theory]
    [InlineData("*.md", "README.md", true)]
    [InlineData("*.md", "docs/README.md", false)]
    [InlineData("**/*.md", "docs/README.md", true)]
    [InlineData("**/*.md", "README.md", true)]
    [InlineData("**/*.md", "a/b/c/x.md", true)]
    [InlineData("docs", "docs/a/b.txt", true)]
    [InlineData("docs/", "docs/a/b.txt", true)]
    [InlineData("/docs", "docs/x", true)]
    [InlineData("./docs", "docs/x", true)]
    [InlineData("docs/*", "docs/x", true)]
    [InlineData("docs/*", "docs", false)]
    [InlineData("d?cs", "docs", true)]
    [InlineData("d?cs", "dcs", false)]
    [InlineData("*", "anything/at/all", true)]
    [InlineData("a/**", "a/b/c", true)]
    [InlineData("a/**/z", "a/z", true)]
    [InlineData("a/**/z", "a/b/c/z", true)]
    [InlineData("a/**/z", "a/b/c/y", false)]
    [InlineData("[ab].txt", "a.txt", true)]
    [InlineData("[!ab].txt", "a.txt", false)]
    [InlineData("[!ab].txt", "c.txt", true)]
    [InlineData("node_modules", "src/node_modules/x", false)]
    [InlineData("**/node_modules", "src/node_modules/x", true)]
    [InlineData("a\\*b", "a*b", true)]
    [InlineData("a\\*b", "axb", false)]
    [InlineData("# comment", "# comment", false)]
    [InlineData("x.txt", "y.txt", false)]
    [InlineData(".git", ".git/HEAD", true)]
    [InlineData("a/../b", "b/x", true)]
    public void Single_pattern(string pattern, string path, bool ignored) =>
        Assert.Equal(ignored, DockerIgnore.Parse(pattern).IsIgnored(path));

    [Theory]
    [InlineData("README.md", false)]
    [InlineData("CHANGES.md", true)]
    [InlineData("docs/a.md", true)]
    [InlineData("docs/keep.md", false)]
    [InlineData("src/main.c", false)]
    public void Exceptions_re_include(string path, bool ignored)
    {
        var ignore = DockerIgnore.Parse("**/*.md\n!README.md\n!docs/keep.md\n");
        Assert.Equal(ignored, ignore.IsIgnored(path));
    }

    [Fact]
    public void Last_matching_line_wins()
    {
        var ignore = DockerIgnore.Parse("!a.txt\n*.txt");
        Assert.True(ignore.IsIgnored("a.txt"));
        var again = DockerIgnore.Parse("*.txt\n!a.txt\na.txt");
        Assert.True(again.IsIgnored("a.txt"));
    }

    [Fact]
    public void Blank_lines_comments_and_whitespace_are_skipped()
    {
        var ignore = DockerIgnore.Parse("\n  # note\n   tmp   \r\n! tmp/keep\n");
        Assert.True(ignore.IsIgnored("tmp/x"));
        Assert.False(ignore.IsIgnored("tmp/keep"));
        Assert.False(ignore.IsIgnored("# note"));
        Assert.True(ignore.HasExclusions);
    }

    [Fact]
    public void Dockerfile_specific_ignore_file_comes_first()
    {
        Assert.Equal(["sub/Dockerfile.dev.dockerignore", ".dockerignore"], DockerIgnore.Candidates("./sub/Dockerfile.dev"));
    }
}
