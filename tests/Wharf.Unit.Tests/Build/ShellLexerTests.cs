using Wharf.Build.Parsing;
using Wharf.Core;

namespace Wharf.Unit.Tests.Build;

public sealed class ShellLexerTests
{
    private static readonly Dictionary<string, string> Env = new()
    {
        ["A"] = "apple", ["EMPTY"] = "", ["PATHV"] = "/usr/local/bin/tool.tar.gz", ["SP"] = "a b",
    };

    private static string Expand(string word, char escape = '\\') =>
        new ShellLexer(escape).ProcessWord(word, n => Env.TryGetValue(n, out var v) ? v : null);

    [Theory]
    [InlineData("$A", "apple")]
    [InlineData("${A}", "apple")]
    [InlineData("x$A-y", "xapple-y")]
    [InlineData("${A}s", "apples")]
    [InlineData("$Aq", "")]
    [InlineData("$UNSET", "")]
    [InlineData("a$", "a$")]
    [InlineData("$ x", "$ x")]
    [InlineData("$1", "")]
    [InlineData("${UNSET:-dflt}", "dflt")]
    [InlineData("${EMPTY:-dflt}", "dflt")]
    [InlineData("${EMPTY-dflt}", "")]
    [InlineData("${UNSET-dflt}", "dflt")]
    [InlineData("${A:-dflt}", "apple")]
    [InlineData("${A:+alt}", "alt")]
    [InlineData("${EMPTY:+alt}", "")]
    [InlineData("${EMPTY+alt}", "alt")]
    [InlineData("${UNSET:+alt}", "")]
    [InlineData("${A:?boom}", "apple")]
    [InlineData("${UNSET:-$A}", "apple")]
    [InlineData("${UNSET:-${A:+nested}}", "nested")]
    [InlineData("${UNSET:-a b}", "a b")]
    [InlineData("${PATHV#*/}", "usr/local/bin/tool.tar.gz")]
    [InlineData("${PATHV##*/}", "tool.tar.gz")]
    [InlineData("${PATHV%.*}", "/usr/local/bin/tool.tar")]
    [InlineData("${PATHV%%.*}", "/usr/local/bin/tool")]
    [InlineData("${A/p/P}", "aPple")]
    [InlineData("${A//p/P}", "aPPle")]
    [InlineData("'$A'", "$A")]
    [InlineData("\"$A\"", "apple")]
    [InlineData("\"a  b\"", "a  b")]
    [InlineData("\\$A", "$A")]
    [InlineData("\"\\$A\"", "$A")]
    [InlineData("\"\\a\"", "\\a")]
    [InlineData("\"\\\"\"", "\"")]
    [InlineData("a\\ b", "a b")]
    [InlineData("it'\"'s", "it\"s")]
    [InlineData("$SP", "a b")]
    [InlineData("", "")]
    public void Expands_like_docker(string word, string expected) => Assert.Equal(expected, Expand(word));

    [Theory]
    [InlineData("`$A", "$A")]
    [InlineData("c:\\$A", "c:\\apple")]
    public void Backtick_escape(string word, string expected) => Assert.Equal(expected, Expand(word, '`'));

    [Theory]
    [InlineData("${UNSET:?must be set}", "UNSET: must be set")]
    [InlineData("${EMPTY:?}", "EMPTY: is not allowed to be empty")]
    [InlineData("${UNSET?}", "UNSET: is not allowed to be unset")]
    [InlineData("${A", "syntax error: missing '}'")]
    [InlineData("${UNSET:-x", "missing '}'")]
    [InlineData("${A!}", "unsupported modifier (!) in substitution")]
    [InlineData("${}", "bad substitution")]
    [InlineData("'abc", "unexpected end of statement while looking for matching single-quote")]
    [InlineData("\"abc", "unexpected end of statement while looking for matching double-quote")]
    public void Errors(string word, string message)
    {
        var e = Assert.Throws<WharfException>(() => Expand(word));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Empty_is_set_for_the_question_form_without_colon() => Assert.Equal("", Expand("${EMPTY?x}"));

    [Fact]
    public void Words_keep_quotes_and_escapes_until_expansion()
    {
        Assert.Equal(["a=\"x y\"", "b='1 2'", "c=d\\ e"], Words.Split("a=\"x y\"  b='1 2' c=d\\ e", '\\'));
    }
}
