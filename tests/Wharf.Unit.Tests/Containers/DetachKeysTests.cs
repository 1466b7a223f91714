using System.Text;
using Wharf.Core;
using Wharf.Engine.Containers;

namespace Wharf.Unit.Tests.Containers;

public sealed class DetachKeysTests
{
    [Theory]
    [InlineData(null, new byte[] { 16, 17 })]
    [InlineData("", new byte[] { 16, 17 })]
    [InlineData("ctrl-x", new byte[] { 24 })]
    [InlineData("a,CTRL-B,ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", new byte[] { (byte)'a', 2, 0, 27, 28, 29, 30, 31 })]
    public void Parses_dockers_key_syntax(string? keys, byte[] expected) => Assert.Equal(expected, DetachKeys.Parse(keys));

    [Theory]
    [InlineData("ctrl-1")]
    [InlineData("ab")]
    [InlineData("ctrl-p,,ctrl-q")]
    public void Bad_keys_are_refused_with_dockers_message(string keys)
    {
        var e = Assert.Throws<WharfException>(() => DetachKeys.Parse(keys));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal($"Invalid detach keys ({keys}) provided", e.Message);
    }

    [Fact]
    public void The_sequence_is_swallowed_and_detaches_even_across_reads()
    {
        var scanner = new EscapeScanner([16, 17]);
        var (first, d1) = scanner.Feed("ab\x10"u8);
        Assert.Equal("ab", Encoding.ASCII.GetString(first));
        Assert.False(d1);
        var (second, d2) = scanner.Feed("\x11zz"u8);
        Assert.Empty(second);
        Assert.True(d2);
    }

    [Fact]
    public void A_partial_sequence_is_passed_on_when_it_breaks()
    {
        var scanner = new EscapeScanner([16, 17]);
        var (output, detached) = scanner.Feed("\x10x\x10\x10y"u8);
        Assert.Equal("\x10x\x10\x10y", Encoding.ASCII.GetString(output));
        Assert.False(detached);
        Assert.True(scanner.Feed("\x10\x11"u8).Detach);
    }
}
