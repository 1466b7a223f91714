using System.Text;
using Docker.DotNet;
using Docker.DotNet.Models;
using Wharf.EndToEnd.Tests;

namespace Wharf.DockerDotNet.Tests;

/// <summary>
/// Docker.DotNet (NuGet, unmodified) drives wharfd through the container lifecycle: the calls a .NET program makes
/// against Docker work the same against Wharf.
/// </summary>
[Collection(DockerDotNetCollection.Name)]
public sealed class ContainerLifecycleTests(DaemonFixture fixture)
{
    [Fact]
    public async Task Ping_version_and_info_answer()
    {
        using var client = ClientFactory.Create(fixture);
        await client.System.PingAsync();
        var version = await client.System.GetVersionAsync();
        Assert.False(string.IsNullOrEmpty(version.APIVersion));
        var info = await client.System.GetSystemInfoAsync();
        Assert.Equal("linux", info.OSType);
    }

    [Fact]
    public async Task Create_start_logs_wait_and_remove()
    {
        using var client = ClientFactory.Create(fixture);
        var name = fixture.UniqueName("dn-run");
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = "busybox",
            Name = name,
            Cmd = ["sh", "-c", "echo out; echo err >&2; exit 4"],
            Env = ["GREETING=hi"],
            Labels = new Dictionary<string, string> { ["suite"] = "docker-dotnet" },
        });
        Assert.Equal(64, created.ID.Length);

        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        var wait = await client.Containers.WaitContainerAsync(created.ID);
        Assert.Equal(4, wait.StatusCode);

        using var logs = await client.Containers.GetContainerLogsAsync(
            created.ID, tty: false, new ContainerLogsParameters { ShowStdout = true, ShowStderr = true });
        var (stdout, stderr) = await logs.ReadOutputToEndAsync(CancellationToken.None);
        Assert.Equal("out\n", stdout);
        Assert.Equal("err\n", stderr);

        var inspect = await client.Containers.InspectContainerAsync(created.ID);
        Assert.Equal("exited", inspect.State.Status);
        Assert.Equal(4, inspect.State.ExitCode);
        Assert.Equal("/" + name, inspect.Name);
        Assert.Contains("GREETING=hi", inspect.Config.Env);

        var listed = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { ["suite=docker-dotnet"] = true } },
        });
        Assert.Contains(listed, c => c.ID == created.ID);

        await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters());
        await Assert.ThrowsAsync<DockerContainerNotFoundException>(() => client.Containers.InspectContainerAsync(created.ID));
    }

    [Fact]
    public async Task Stop_pause_unpause_rename_restart_and_kill_a_running_container()
    {
        using var client = ClientFactory.Create(fixture);
        var id = await StartSleeper(client, fixture.UniqueName("dn-life"));

        await client.Containers.PauseContainerAsync(id);
        Assert.True((await client.Containers.InspectContainerAsync(id)).State.Paused);
        await client.Containers.UnpauseContainerAsync(id);
        Assert.False((await client.Containers.InspectContainerAsync(id)).State.Paused);

        var renamed = fixture.UniqueName("dn-renamed");
        await client.Containers.RenameContainerAsync(id, new ContainerRenameParameters { NewName = renamed }, CancellationToken.None);
        Assert.Equal("/" + renamed, (await client.Containers.InspectContainerAsync(id)).Name);

        var top = await client.Containers.ListProcessesAsync(id, new ContainerListProcessesParameters());
        Assert.Contains(top.Processes, p => string.Join(' ', p).Contains("sleep", StringComparison.Ordinal));

        var firstStart = (await client.Containers.InspectContainerAsync(id)).State.StartedAt;
        await client.Containers.RestartContainerAsync(id, new ContainerRestartParameters { WaitBeforeKillSeconds = 1 });
        var restarted = await client.Containers.InspectContainerAsync(id);
        Assert.True(restarted.State.Running);
        Assert.NotEqual(firstStart, restarted.State.StartedAt);

        await client.Containers.KillContainerAsync(id, new ContainerKillParameters { Signal = "SIGKILL" });
        var waited = await client.Containers.WaitContainerAsync(id);
        Assert.Equal(137, waited.StatusCode);

        await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
    }

    [Fact]
    public async Task Stop_with_a_timeout_ends_a_container_that_ignores_SIGTERM()
    {
        using var client = ClientFactory.Create(fixture);
        var id = await StartSleeper(client, fixture.UniqueName("dn-stop"));
        var stopped = await client.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = 1 });
        Assert.True(stopped);
        var state = (await client.Containers.InspectContainerAsync(id)).State;
        Assert.False(state.Running);
        Assert.Equal(137, state.ExitCode);
        await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters());
    }

    [Fact]
    public async Task Exec_runs_in_the_container_and_records_its_exit_code()
    {
        using var client = ClientFactory.Create(fixture);
        var id = await StartSleeper(client, fixture.UniqueName("dn-exec"));
        try
        {
            var exec = await client.Exec.ExecCreateContainerAsync(id, new ContainerExecCreateParameters
            {
                Cmd = ["sh", "-c", "echo in-$HOSTNAME-$X; exit 5"],
                Env = ["X=y"],
                AttachStdout = true,
                AttachStderr = true,
            });
            using (var stream = await client.Exec.StartAndAttachContainerExecAsync(exec.ID, tty: false))
            {
                var (stdout, _) = await stream.ReadOutputToEndAsync(CancellationToken.None);
                Assert.StartsWith("in-", stdout, StringComparison.Ordinal);
                Assert.EndsWith("-y\n", stdout, StringComparison.Ordinal);
            }

            var inspect = await client.Exec.InspectContainerExecAsync(exec.ID);
            Assert.False(inspect.Running);
            Assert.Equal(5, inspect.ExitCode);
            Assert.Equal(id, inspect.ContainerID);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
    }

    [Fact]
    public async Task Stats_and_update_report_and_change_the_memory_limit()
    {
        using var client = ClientFactory.Create(fixture);
        var id = await StartSleeper(client, fixture.UniqueName("dn-stats"), new HostConfig { Memory = 64L << 20 });
        try
        {
            ContainerStatsResponse? stats = null;
            await client.Containers.GetContainerStatsAsync(
                id, new ContainerStatsParameters { Stream = false }, new SyncProgress<ContainerStatsResponse>(s => stats = s));
            Assert.NotNull(stats);
            Assert.Equal(64UL << 20, stats.MemoryStats.Limit);
            Assert.True(stats.MemoryStats.Usage > 0);
            Assert.True(stats.PidsStats.Current >= 1);

            await client.Containers.UpdateContainerAsync(id, new ContainerUpdateParameters { Memory = 96L << 20, MemorySwap = -1 });
            var inspect = await client.Containers.InspectContainerAsync(id);
            Assert.Equal(96L << 20, inspect.HostConfig.Memory);
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
    }

    [Fact]
    public async Task Archive_round_trip_puts_and_gets_a_file()
    {
        using var client = ClientFactory.Create(fixture);
        var id = await StartSleeper(client, fixture.UniqueName("dn-cp"));
        try
        {
            using var tar = new MemoryStream();
            await using (var writer = new System.Formats.Tar.TarWriter(tar, System.Formats.Tar.TarEntryFormat.Pax, leaveOpen: true))
            {
                var entry = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "hello.txt")
                {
                    DataStream = new MemoryStream(Encoding.UTF8.GetBytes("from docker.dotnet\n")),
                };
                await writer.WriteEntryAsync(entry);
            }

            tar.Position = 0;
            await client.Containers.ExtractArchiveToContainerAsync(id, new ContainerPathStatParameters { Path = "/tmp" }, tar);

            var got = await client.Containers.GetArchiveFromContainerAsync(id, new GetArchiveFromContainerParameters { Path = "/tmp/hello.txt" }, statOnly: false);
            Assert.Equal("hello.txt", got.Stat.Name);
            // The whole body first: Docker.DotNet's chunked stream throws on the small, uneven reads TarReader makes
            // on an unseekable stream, whatever the server sends.
            using var body = new MemoryStream();
            await got.Stream.CopyToAsync(body);
            body.Position = 0;
            using var reader = new System.Formats.Tar.TarReader(body);
            var file = await reader.GetNextEntryAsync();
            Assert.NotNull(file?.DataStream);
            using var content = new StreamReader(file.DataStream);
            Assert.Equal("from docker.dotnet\n", await content.ReadToEndAsync());
        }
        finally
        {
            await client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true });
        }
    }

    [Fact]
    public async Task Events_report_the_lifecycle_of_a_container()
    {
        using var client = ClientFactory.Create(fixture);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters { Image = "busybox", Cmd = ["true"] });
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        await client.Containers.WaitContainerAsync(created.ID);
        await client.Containers.RemoveContainerAsync(created.ID, new ContainerRemoveParameters());

        var actions = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.System.MonitorEventsAsync(
            new ContainerEventsParameters
            {
                Since = since,
                Until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["container"] = new Dictionary<string, bool> { [created.ID] = true } },
            },
            new SyncProgress<Message>(m => { lock (actions) { actions.Add(m.Action); } }),
            cts.Token);

        lock (actions)
        {
            Assert.Equal(["create", "start", "die", "destroy"], actions);
        }
    }

    [Fact]
    public async Task Images_are_listed_and_inspected()
    {
        using var client = ClientFactory.Create(fixture);
        var images = await client.Images.ListImagesAsync(new ImagesListParameters());
        Assert.Contains(images, i => i.RepoTags?.Contains("busybox:latest") == true);
        var inspect = await client.Images.InspectImageAsync("busybox");
        Assert.StartsWith("sha256:", inspect.ID, StringComparison.Ordinal);
        Assert.Equal("layers", inspect.RootFS.Type);
    }

    private static async Task<string> StartSleeper(DockerClient client, string name, HostConfig? host = null)
    {
        var created = await client.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Image = "busybox",
            Name = name,
            Cmd = ["sleep", "1000"],
            HostConfig = host,
        });
        await client.Containers.StartContainerAsync(created.ID, new ContainerStartParameters());
        return created.ID;
    }
}
