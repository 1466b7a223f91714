using Wharf.Cli.Parsing;

namespace Wharf.Unit.Tests.Cli;

public sealed class FlagParserTests
{
    private static readonly FlagSpec[] Specs = [FlagSpec.Bool("all", 'a'), FlagSpec.Bool("quiet", 'q'), FlagSpec.Value("filter", 'f'), FlagSpec.Value("tail", 'n')];

    [Fact]
    public void Parses_long_short_grouped_and_attached_values()
    {
        var p = FlagParser.Parse(["-aq", "--filter", "status=exited", "-flabel=x", "--tail=5", "name", "-f=id=1", "other"], Specs);
        Assert.True(p.Bool("all"));
        Assert.True(p.Bool("quiet"));
        Assert.Equal(["status=exited", "label=x", "id=1"], p.Values("filter"));
        Assert.Equal(5, p.Int("tail"));
        Assert.Equal(["name", "other"], p.Positionals);
    }

    [Fact]
    public void Double_dash_ends_flags_and_bools_accept_explicit_values()
    {
        var p = FlagParser.Parse(["--all=false", "--", "-a", "--x"], Specs);
        Assert.False(p.Bool("all"));
        Assert.True(p.Has("all"));
        Assert.Equal(["-a", "--x"], p.Positionals);
    }

    [Fact]
    public void Errors_use_pflag_wording()
    {
        Assert.Equal("unknown flag: --nope", Assert.Throws<UsageException>(() => FlagParser.Parse(["--nope"], Specs)).Message);
        Assert.Equal("unknown shorthand flag: 'z' in -az", Assert.Throws<UsageException>(() => FlagParser.Parse(["-az"], Specs)).Message);
        Assert.Equal("flag needs an argument: --filter", Assert.Throws<UsageException>(() => FlagParser.Parse(["--filter"], Specs)).Message);
        Assert.Throws<UsageException>(() => FlagParser.Parse(["--tail", "x"], Specs).Int("tail"));
    }
}
