using System.Text.Json.Nodes;
using Wharf.Core;
using Wharf.Runtime;

namespace Wharf.Unit.Tests.Runtime;

public sealed class ExecProcessSpecTests
{
    private const string Config = """
        {"ociVersion":"1.0.2","process":{"terminal":true,"user":{"uid":5,"gid":6},"args":["sleep","1"],
         "env":["PATH=/bin","HOSTNAME=h","TERM=xterm","KEEP=1","DROP=x"],"cwd":"/srv",
         "capabilities":{"bounding":["CAP_CHOWN"],"effective":["CAP_CHOWN"],"permitted":["CAP_CHOWN"]},
         "rlimits":[{"type":"RLIMIT_NOFILE","hard":10,"soft":10}],"noNewPrivileges":true,"oomScoreAdj":0},
         "root":{"path":"rootfs"}}
        """;

    private static JsonObject Build(ExecProcess exec, ulong caps = 0, string rootfs = "/nonexistent") =>
        (JsonObject)JsonNode.Parse(ExecProcessSpec.Build(Config, exec, rootfs, caps))!;

    [Fact]
    public void Keeps_the_containers_process_and_replaces_args_env_and_terminal()
    {
        var p = Build(new ExecProcess(["sh", "-c", "x"]) { Env = ["KEEP=2", "NEW=3", "DROP"] });
        Assert.Equal(["sh", "-c", "x"], p["args"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(p["terminal"]!.GetValue<bool>());
        // TERM came from the container's tty; a non-tty exec does not get it (Docker's daemon environment).
        Assert.Equal(["PATH=/bin", "HOSTNAME=h", "KEEP=2", "NEW=3"], p["env"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("/srv", p["cwd"]!.GetValue<string>());
        Assert.Equal(5, p["user"]!["uid"]!.GetValue<int>());
        Assert.True(p["noNewPrivileges"]!.GetValue<bool>());
        Assert.Single(p["rlimits"]!.AsArray());
        Assert.Equal(["CAP_CHOWN"], p["capabilities"]!["effective"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Null(p["oomScoreAdj"]);
    }

    [Fact]
    public void Tty_exec_gets_term_and_console_size_workdir_and_numeric_user()
    {
        var p = Build(new ExecProcess(["sh"]) { Tty = true, ConsoleHeight = 30, ConsoleWidth = 100, WorkingDir = "/tmp", User = "42:43" });
        Assert.True(p["terminal"]!.GetValue<bool>());
        Assert.Equal(30, p["consoleSize"]!["height"]!.GetValue<int>());
        Assert.Equal(100, p["consoleSize"]!["width"]!.GetValue<int>());
        Assert.Contains("TERM=xterm", p["env"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("/tmp", p["cwd"]!.GetValue<string>());
        Assert.Equal(42, p["user"]!["uid"]!.GetValue<int>());
        Assert.Equal(43, p["user"]!["gid"]!.GetValue<int>());
    }

    [Fact]
    public void User_name_is_resolved_from_the_containers_passwd()
    {
        var root = Directory.CreateTempSubdirectory("wharf-execspec-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "etc"));
            File.WriteAllText(Path.Combine(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/sh\nweb:x:33:34:web:/var/www:/bin/false\n");
            File.WriteAllText(Path.Combine(root, "etc", "group"), "root:x:0:\nweb:x:34:\nextra:x:99:web\n");
            var p = Build(new ExecProcess(["id"]) { User = "web" }, rootfs: root);
            Assert.Equal(33, p["user"]!["uid"]!.GetValue<int>());
            Assert.Equal(34, p["user"]!["gid"]!.GetValue<int>());
            Assert.Equal([99], p["user"]!["additionalGids"]!.AsArray().Select(n => n!.GetValue<int>()));
            var ex = Assert.Throws<WharfException>(() => Build(new ExecProcess(["id"]) { User = "ghost" }, rootfs: root));
            Assert.Contains("unable to find user ghost", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Privileged_exec_gets_every_available_capability()
    {
        var p = Build(new ExecProcess(["sh"]) { Privileged = true }, caps: 0x3f);
        var eff = p["capabilities"]!["effective"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        Assert.Equal(6, eff.Count);
        Assert.Contains("CAP_KILL", eff);
        Assert.Empty(p["capabilities"]!["inheritable"]!.AsArray());
    }

    [Fact]
    public void Empty_command_is_refused_with_dockers_words()
    {
        var ex = Assert.Throws<WharfException>(() => Build(new ExecProcess([])));
        Assert.Equal("No exec command specified", ex.Message);
    }
}
