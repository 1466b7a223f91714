using Wharf.Api.Containers;
using Wharf.Cli.Commands;
using Wharf.Cli.Formatting;

namespace Wharf.Unit.Tests.Cli;

public sealed class FormattingTests
{
    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(119, "About a minute")]
    [InlineData(120, "2 minutes")]
    [InlineData(3599, "59 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5399, "About an hour")]
    [InlineData(5400, "2 hours")]
    [InlineData(47 * 3600, "47 hours")]
    [InlineData(48 * 3600, "2 days")]
    [InlineData(14 * 86400, "2 weeks")]
    [InlineData(60 * 86400, "2 months")]
    [InlineData(2 * 365 * 86400, "2 years")]
    public void Durations_match_go_units(double seconds, string expected) =>
        Assert.Equal(expected, HumanUnits.Duration(TimeSpan.FromSeconds(seconds)));

    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1000, "1kB")]
    [InlineData(4261550, "4.26MB")]
    [InlineData(1_234_567_890, "1.23GB")]
    [InlineData(12_345, "12.3kB")]
    [InlineData(123_456, "123kB")]
    public void Sizes_match_go_units(double size, string expected) => Assert.Equal(expected, HumanUnits.Size(size));

    [Fact]
    public void Memory_is_shown_in_binary_units() => Assert.Equal("7.763GiB", SystemVerbs.BinarySize(8_335_540_224));

    [Theory]
    [InlineData("10m", "999999400.000000000")]
    [InlineData("1h30m", "999994600.000000000")]
    [InlineData("1.5s", "999999998.500000000")]
    public void Since_durations_count_back_from_now(string value, string expected) =>
        Assert.Equal(expected, TimeArgs.ToTimestamp(value, DateTimeOffset.FromUnixTimeSeconds(1_000_000_000)));

    [Fact]
    public void Since_accepts_numbers_and_rfc3339()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(2_000_000_000);
        Assert.Equal("1700000000.5", TimeArgs.ToTimestamp("1700000000.5", now));
        Assert.Equal("1735689600.000000000", TimeArgs.ToTimestamp("2025-01-01T00:00:00Z", now));
        Assert.Equal("1735689600.250000000", TimeArgs.ToTimestamp("2025-01-01T01:00:00.25+01:00", now));
        Assert.Throws<Wharf.Cli.Parsing.UsageException>(() => TimeArgs.ToTimestamp("yesterday-ish", now));
    }

    [Fact]
    public void Ids_commands_and_repo_tags()
    {
        Assert.Equal("0123456789ab", TextUtil.TruncateId("sha256:0123456789abcdef"));
        Assert.Equal("\"sleep 60\"", TextUtil.Quote(TextUtil.Ellipsis("sleep 60", 20)));
        Assert.Equal("\"sh -c 'while true; …\"", TextUtil.Quote(TextUtil.Ellipsis("sh -c 'while true; do sleep 1; done'", 20)));
        Assert.Equal(("localhost:5000/x", "1"), TextUtil.SplitRepoTag("localhost:5000/x:1"));
        Assert.Equal(("localhost:5000/x", (string?)null), TextUtil.SplitRepoTag("localhost:5000/x"));
        Assert.Equal("busybox:latest", RunCommand.WithDefaultTag("busybox"));
        Assert.Equal("busybox:1.36", RunCommand.WithDefaultTag("busybox:1.36"));
    }

    [Fact]
    public void Ps_table_looks_like_docker()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_120);
        var containers = new List<ContainerSummary>
        {
            new()
            {
                Id = "4f2a7c9e1b3d5f6a7c9e1b3d5f6a7c9e1b3d5f6a7c9e1b3d5f6a7c9e1b3d5f6a",
                Names = ["/s"], Image = "busybox", Command = "sleep 60", Created = 1_700_000_000,
                Status = "Up 2 minutes", State = "running",
                Ports = [new Port { IP = "0.0.0.0", PrivatePort = 80, PublicPort = 8080, Type = "tcp" }, new Port { PrivatePort = 90, Type = "udp" }],
            },
        };
        var text = PsCommand.Render(containers, GoTemplate.Parse("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"), trunc: true, now);
        var lines = text.Split('\n');
        Assert.Equal("CONTAINER ID   IMAGE     COMMAND      CREATED         STATUS         PORTS                          NAMES", lines[0]);
        Assert.Equal("4f2a7c9e1b3d   busybox   \"sleep 60\"   2 minutes ago   Up 2 minutes   0.0.0.0:8080->80/tcp, 90/udp   s", lines[1]);

        Assert.Equal("s running\n", PsCommand.Render(containers, GoTemplate.Parse("{{.Names}} {{.State}}"), true, now));
        Assert.Equal("\"s\"\n", PsCommand.Render(containers, GoTemplate.Parse("{{json .Names}}"), true, now));
    }

    [Fact]
    public void Inspect_format_walks_the_json()
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse("""{"State":{"Status":"exited","ExitCode":3,"Running":false},"Config":{"Env":["A=B"]}}""")!;
        var template = GoTemplate.Parse("{{.State.Status}} {{.State.ExitCode}} {{.State.Running}} {{json .Config.Env}}");
        Assert.Equal("exited 3 false [\"A=B\"]", template.Render((path, json) => InspectCommand.Resolve(node, path, json)));
    }
}
