using System.Formats.Tar;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>A container's file system through the real docker CLI: diff, export, commit and cp both ways,
/// including symlinks inside the container that point at "/" or climb with "..".</summary>
[Collection(ContainersCollection.Name)]
public sealed class ArchiveTests(DaemonFixture wharf) : IDisposable
{
    private const string ContainerShadow = "root:*:10933:0:99999:7:::\nnobody:*:10933:0:99999:7:::\n";
    private readonly string _temp = Directory.CreateTempSubdirectory("wharf-archive-e2e-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private async Task<string> RunToEnd(string script)
    {
        var name = wharf.UniqueName("fs");
        (await wharf.Docker("run", "--name", name, "busybox", "sh", "-c", script)).EnsureSuccess();
        return name;
    }

    private Task<CommandResult> Shell(string commandLine) =>
        ProcessRunner.RunAsync("sh", ["-c", commandLine], wharf.ClientEnvironment);

    [Fact]
    public async Task Diff_lists_added_changed_and_deleted_paths()
    {
        var name = await RunToEnd("mkdir /newdir && echo x > /newdir/f && rm /etc/group && echo more >> /etc/passwd");

        var diff = (await wharf.Docker("diff", name)).EnsureSuccess();

        Assert.Equal(["C /etc", "D /etc/group", "C /etc/passwd", "A /newdir", "A /newdir/f"], diff.StdoutLines);
    }

    [Fact]
    public async Task Export_is_a_tar_of_the_whole_root_file_system_running_or_stopped()
    {
        var stopped = await RunToEnd("echo here > /marker");
        var list = (await Shell($"{TestPaths.DockerCli} export {stopped} | tar -t")).EnsureSuccess().StdoutLines;
        Assert.Contains("marker", list);
        Assert.Contains("bin/busybox", list);
        Assert.Contains("etc/passwd", list);

        var running = wharf.UniqueName("exp");
        (await wharf.Docker("run", "-d", "--name", running, "busybox", "sh", "-c", "echo live > /live; sleep 60")).EnsureSuccess();
        try
        {
            var content = await PollAsync(async () =>
                (await Shell($"{TestPaths.DockerCli} export {running} | tar -xO live")).Stdout, s => s == "live\n");
            Assert.Equal("live\n", content);
        }
        finally
        {
            await wharf.Docker("rm", "-f", running);
        }
    }

    [Fact]
    public async Task Commit_makes_an_image_that_runs_with_the_changes_message_and_cmd()
    {
        var name = await RunToEnd("echo hello > /greeting");
        var repo = "committed-" + wharf.UniqueName("img");

        var id = (await wharf.Docker("commit", "--change", "CMD [\"echo\",\"hi\"]", "-m", "msg", "-a", "me", name, repo + ":v1"))
            .EnsureSuccess().Stdout.Trim();
        try
        {
            Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
            Assert.Equal("hi\n", (await wharf.Docker("run", "--rm", repo + ":v1")).EnsureSuccess().Stdout);
            Assert.Equal("hello\n", (await wharf.Docker("run", "--rm", repo + ":v1", "cat", "/greeting")).EnsureSuccess().Stdout);
            Assert.Equal("msg|me|[echo hi]", (await wharf.Docker("image", "inspect", "-f", "{{.Comment}}|{{.Author}}|{{.Config.Cmd}}", repo + ":v1")).EnsureSuccess().Stdout.Trim());
            var layers = (await wharf.Docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", repo + ":v1")).EnsureSuccess().Stdout.Trim();
            Assert.Equal("2", layers);
            // `docker history`: newest first, the commit's entry on top with the image id and the message.
            var history = (await wharf.Docker("history", "--no-trunc", "--format", "{{.ID}}|{{.Comment}}", repo + ":v1")).EnsureSuccess()
                .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(history.Length >= 2, string.Join("\n", history));
            Assert.Equal(id + "|msg", history[0]);
        }
        finally
        {
            await wharf.Docker("rmi", repo + ":v1");
        }
    }

    [Fact]
    public async Task Commit_of_a_running_container_pauses_it_only_meanwhile()
    {
        var name = wharf.UniqueName("live");
        (await wharf.Docker("run", "-d", "--name", name, "busybox", "sh", "-c", "echo data > /data; sleep 60")).EnsureSuccess();
        var repo = "live-" + wharf.UniqueName("img");
        try
        {
            await PollAsync(async () => (await wharf.Docker("diff", name)).Stdout, s => s.Contains("A /data", StringComparison.Ordinal));
            (await wharf.Docker("commit", name, repo)).EnsureSuccess();
            Assert.Equal("running", (await wharf.Docker("inspect", "-f", "{{.State.Status}}", name)).EnsureSuccess().Stdout.Trim());
            Assert.Equal("data\n", (await wharf.Docker("run", "--rm", repo, "cat", "/data")).EnsureSuccess().Stdout);
        }
        finally
        {
            await wharf.Docker("rm", "-f", name);
            await wharf.Docker("rmi", repo);
        }
    }

    [Fact]
    public async Task Cp_out_copies_files_dirs_symlinks_and_modes()
    {
        var name = await RunToEnd("mkdir -p /data/dir && echo payload > /data/dir/file && chmod 640 /data/dir/file && ln -s dir/file /data/link");
        var dest = Path.Combine(_temp, "out");

        (await wharf.Docker("cp", name + ":/data", dest)).EnsureSuccess();

        Assert.Equal("payload\n", File.ReadAllText(Path.Combine(dest, "dir/file")));
        Assert.Equal((UnixFileMode)0x1a0, File.GetUnixFileMode(Path.Combine(dest, "dir/file")));
        Assert.Equal("dir/file", new FileInfo(Path.Combine(dest, "link")).LinkTarget);

        var single = (await Shell($"{TestPaths.DockerCli} cp {name}:/data/dir/file - | tar -t")).EnsureSuccess();
        Assert.Equal(["file"], single.StdoutLines);
        var dirList = (await Shell($"{TestPaths.DockerCli} cp {name}:/data - | tar -t")).EnsureSuccess().StdoutLines;
        Assert.Equal(["data/", "data/dir/", "data/dir/file", "data/link"], dirList);
    }

    [Fact]
    public async Task Cp_in_copies_into_stopped_containers_from_paths_and_stdin()
    {
        var name = wharf.UniqueName("cpin");
        (await wharf.Docker("create", "--name", name, "busybox", "sh", "-c",
            "cat /in/file /streamed/s.txt; stat -c %a /in/file; readlink /in/link; cat /renamed")).EnsureSuccess();
        var src = Path.Combine(_temp, "in");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "file"), "from host\n");
        File.SetUnixFileMode(Path.Combine(src, "file"), (UnixFileMode)0x1ed);
        File.CreateSymbolicLink(Path.Combine(src, "link"), "file");
        var streamed = Path.Combine(_temp, "streamed");
        Directory.CreateDirectory(streamed);
        File.WriteAllText(Path.Combine(streamed, "s.txt"), "via stdin\n");
        File.WriteAllText(Path.Combine(_temp, "single"), "renamed file\n");

        (await wharf.Docker("cp", src, name + ":/in")).EnsureSuccess();
        (await wharf.Docker("cp", Path.Combine(_temp, "single"), name + ":/renamed")).EnsureSuccess();
        (await Shell($"tar -C {_temp} -c streamed | {TestPaths.DockerCli} cp - {name}:/")).EnsureSuccess();

        var output = (await wharf.Docker("start", "-a", name)).EnsureSuccess().Stdout;
        Assert.Equal("from host\nvia stdin\n755\nfile\nrenamed file\n", output);
    }

    [Fact]
    public async Task Cp_through_a_container_symlink_to_root_stays_inside_the_container()
    {
        var name = await RunToEnd("ln -s / /x && ln -s ../../../../../.. /up");

        foreach (var link in new[] { "/x", "/up" })
        {
            var target = Path.Combine(_temp, "shadow" + link.Trim('/'));
            (await wharf.Docker("cp", $"{name}:{link}/etc/shadow", target)).EnsureSuccess();
            Assert.Equal(ContainerShadow, File.ReadAllText(target));
        }

        var marker = "wharf-escape-" + Guid.NewGuid().ToString("N");
        var file = Path.Combine(_temp, marker);
        File.WriteAllText(file, "must stay in the container\n");
        (await wharf.Docker("cp", file, $"{name}:/x/tmp/")).EnsureSuccess();
        (await wharf.Docker("cp", file, $"{name}:/up/tmp/")).EnsureSuccess();

        Assert.False(File.Exists(Path.Combine("/tmp", marker)), "cp wrote through the container's symlink onto the host");
        var back = Path.Combine(_temp, "back");
        (await wharf.Docker("cp", $"{name}:/tmp/{marker}", back)).EnsureSuccess();
        Assert.Equal("must stay in the container\n", File.ReadAllText(back));
    }

    [Fact]
    public async Task Archive_api_answers_404_for_missing_paths_and_400_for_a_non_directory_target()
    {
        var name = await RunToEnd("true");

        var missing = await wharf.Docker("cp", name + ":/nonexistent", Path.Combine(_temp, "nothing"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains($"Could not find the file /nonexistent in container {name}", missing.Stderr, StringComparison.Ordinal);

        using var http = wharf.Http();
        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/containers/{name}/archive?path=/etc/passwd")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            var stat = JsonDocument.Parse(Convert.FromBase64String(head.Headers.GetValues("X-Docker-Container-Path-Stat").Single())).RootElement;
            Assert.Equal("passwd", stat.GetProperty("name").GetString());
            Assert.Equal(0x1a4u, stat.GetProperty("mode").GetUInt32());
        }
        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/containers/{name}/archive?path=/etc")))
        {
            var stat = JsonDocument.Parse(Convert.FromBase64String(head.Headers.GetValues("X-Docker-Container-Path-Stat").Single())).RootElement;
            Assert.Equal((1u << 31) | 0x1edu, stat.GetProperty("mode").GetUInt32());
        }

        using var notDir = await http.PutAsync($"/containers/{name}/archive?path=/etc/passwd", new ByteArrayContent(SmallTar()));
        Assert.Equal(HttpStatusCode.BadRequest, notDir.StatusCode);
        using var absent = await http.PutAsync($"/containers/{name}/archive?path=/absent", new ByteArrayContent(SmallTar()));
        Assert.Equal(HttpStatusCode.NotFound, absent.StatusCode);
    }

    [Fact]
    public async Task A_HEAD_that_fails_has_no_body_so_the_next_request_on_the_connection_gets_its_own_answer()
    {
        // `docker cp file c:/new` sends HEAD (404: not there yet) then PUT on the same connection. Bytes after the
        // HEAD answer make Go drop that connection under the PUT ("use of closed network connection").
        var name = await RunToEnd("true");
        using var socket = new System.Net.Sockets.Socket(
            System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(wharf.Daemon.SocketPath));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        await socket.SendAsync(Encoding.ASCII.GetBytes($"HEAD /v1.50/containers/{name}/archive?path=/absent HTTP/1.1\r\nHost: docker\r\n\r\n"));
        while (!Encoding.ASCII.GetString(received.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            int got = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, deadline.Token);
            Assert.True(got > 0, "connection closed before the HEAD answer");
            received.Write(buffer, 0, got);
        }
        await socket.SendAsync("GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n"u8.ToArray());
        int n;
        while ((n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, deadline.Token)) > 0) received.Write(buffer, 0, n);

        var text = Encoding.ASCII.GetString(received.ToArray());
        Assert.StartsWith("HTTP/1.1 404 ", text, StringComparison.Ordinal);
        var afterHead = text[(text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..];
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", afterHead, StringComparison.Ordinal);
        Assert.EndsWith("\r\n\r\nOK", afterHead, StringComparison.Ordinal);
    }

    private static byte[] SmallTar()
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
            w.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "f") { DataStream = new MemoryStream(Encoding.UTF8.GetBytes("x")) });
        return ms.ToArray();
    }

    private static async Task<string> PollAsync(Func<Task<string>> read, Func<string, bool> done)
    {
        var value = "";
        for (int i = 0; i < 50; i++)
        {
            value = await read();
            if (done(value)) return value;
            await Task.Delay(100);
        }
        return value;
    }
}
