using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Wharf.EndToEnd.Tests;

/// <summary>`docker exec` with the real docker CLI: exit codes, stdio, -i/-t/-e/-w/-u/-d/--privileged, refusals,
/// exec inspect and the exec events. Every test removes the container it made.</summary>
[Collection(ContainersCollection.Name)]
public sealed class ExecTests(DaemonFixture wharf)
{
    private async Task<string> StartSleeperAsync(string prefix)
    {
        var name = wharf.UniqueName(prefix);
        (await wharf.Docker("run", "-d", "--name", name, "busybox", "sleep", "300")).EnsureSuccess();
        return name;
    }

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string path) => Parse(await http.GetStringAsync(path));

    private async Task RemoveAsync(string name) => await wharf.Docker("rm", "-f", name);

    private async Task<string> FullIdAsync(string name) =>
        (await wharf.Docker("inspect", "--format", "{{.Id}}", name)).EnsureSuccess().Stdout.Trim();

    [Fact]
    public async Task Exec_returns_the_commands_exit_code_and_keeps_streams_apart()
    {
        var name = await StartSleeperAsync("exec-code");
        try
        {
            var five = await wharf.Docker("exec", name, "sh", "-c", "echo out; echo err >&2; exit 5");
            Assert.True(five.ExitCode == 5, five.ToString());
            Assert.Equal("out\n", five.Stdout);
            Assert.Contains("err", five.Stderr, StringComparison.Ordinal);
            var zero = await wharf.Docker("exec", name, "true");
            Assert.True(zero.ExitCode == 0, zero.ToString());
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_of_a_missing_command_exits_127_with_the_runtimes_words()
    {
        var name = await StartSleeperAsync("exec-missing");
        try
        {
            var result = await wharf.Docker("exec", name, "no-such-command");
            Assert.True(result.ExitCode == 127, result.ToString());
            Assert.Contains("executable file not found", result.Stdout + result.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_interactive_pipes_stdin_and_its_end_closes_it()
    {
        var name = await StartSleeperAsync("exec-i");
        try
        {
            var result = await wharf.DockerWith(["exec", "-i", name, "sh", "-c", "cat; echo done"], stdin: "hello\n");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("hello\ndone\n", result.Stdout);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_with_tty_gets_a_terminal()
    {
        var name = await StartSleeperAsync("exec-t");
        try
        {
            var result = await wharf.DockerInTerminal($"exec -t {name} sh -c 'tty; echo TERM=$TERM; exit 3'");
            Assert.True(result.ExitCode == 3, result.ToString());
            Assert.Contains("/dev/pts/", result.Stdout, StringComparison.Ordinal);
            Assert.Contains("TERM=xterm", result.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_env_workdir_and_user_name_apply()
    {
        var name = await StartSleeperAsync("exec-ewu");
        try
        {
            var result = await wharf.Docker("exec", "-e", "FOO=bar", "-w", "/tmp", "-u", "nobody", name,
                "sh", "-c", "echo $FOO; pwd; id -u; id -g");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("bar\n/tmp\n65534\n65534\n", result.Stdout);
            var unknown = await wharf.Docker("exec", "-u", "ghost", name, "true");
            Assert.NotEqual(0, unknown.ExitCode);
            Assert.Contains("unable to find user ghost", unknown.Stdout + unknown.Stderr, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_privileged_gets_every_capability_and_a_plain_one_dockers_default()
    {
        var name = await StartSleeperAsync("exec-priv");
        try
        {
            var plain = (await wharf.Docker("exec", name, "sh", "-c", "grep CapEff /proc/self/status")).EnsureSuccess();
            Assert.Contains("00000000a80425fb", plain.Stdout, StringComparison.Ordinal);
            var ours = File.ReadAllLines("/proc/self/status").Single(l => l.StartsWith("CapBnd:", StringComparison.Ordinal)).Split('\t', 2)[1].Trim();
            var privileged = (await wharf.Docker("exec", "--privileged", name, "sh", "-c", "grep CapEff /proc/self/status")).EnsureSuccess();
            Assert.Contains(ours, privileged.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_detached_is_listed_in_ExecIDs_and_inspect_shows_it_finish()
    {
        var name = await StartSleeperAsync("exec-d");
        try
        {
            var result = await wharf.Docker("exec", "-d", name, "sh", "-c", "sleep 2; touch /tmp/done; exit 7");
            Assert.True(result.ExitCode == 0, result.ToString());
            var ids = (await wharf.Docker("inspect", "--format", "{{json .ExecIDs}}", name)).EnsureSuccess().Stdout.Trim();
            var execId = JsonSerializer.Deserialize<List<string>>(ids)!.Single();

            using var http = wharf.Http();
            var first = await GetJsonAsync(http, $"/v1.47/exec/{execId}/json");
            Assert.True(first.GetProperty("Running").GetBoolean());
            Assert.True(first.GetProperty("Pid").GetInt32() > 0);
            JsonElement last = first;
            for (int i = 0; i < 100 && last.GetProperty("Running").GetBoolean(); i++)
            {
                await Task.Delay(100);
                last = await GetJsonAsync(http, $"/v1.47/exec/{execId}/json");
            }
            Assert.False(last.GetProperty("Running").GetBoolean());
            Assert.Equal(7, last.GetProperty("ExitCode").GetInt32());
            (await wharf.Docker("exec", name, "test", "-f", "/tmp/done")).EnsureSuccess();
            var after = (await wharf.Docker("inspect", "--format", "{{json .ExecIDs}}", name)).EnsureSuccess().Stdout.Trim();
            Assert.Equal("null", after);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_inspect_has_dockers_fields_before_and_after_the_run()
    {
        var name = await StartSleeperAsync("exec-insp");
        try
        {
            var id = await FullIdAsync(name);
            using var http = wharf.Http();
            using var create = await http.PostAsync($"/v1.47/containers/{name}/exec", new StringContent(
                """{"AttachStdout":true,"AttachStderr":true,"Cmd":["sh","-c","exit 3"],"User":"nobody"}""", Encoding.UTF8, "application/json"));
            Assert.Equal(201, (int)create.StatusCode);
            var execId = Parse(await create.Content.ReadAsStringAsync()).GetProperty("Id").GetString()!;

            var before = await GetJsonAsync(http, $"/v1.47/exec/{execId}/json");
            Assert.Equal(execId, before.GetProperty("ID").GetString());
            Assert.False(before.GetProperty("Running").GetBoolean());
            Assert.Equal(JsonValueKind.Null, before.GetProperty("ExitCode").ValueKind);
            Assert.Equal(0, before.GetProperty("Pid").GetInt32());
            Assert.Equal(id, before.GetProperty("ContainerID").GetString());
            Assert.False(before.GetProperty("CanRemove").GetBoolean());
            Assert.False(before.GetProperty("OpenStdin").GetBoolean());
            Assert.True(before.GetProperty("OpenStdout").GetBoolean());
            Assert.True(before.GetProperty("OpenStderr").GetBoolean());
            Assert.Equal("", before.GetProperty("DetachKeys").GetString());
            var pc = before.GetProperty("ProcessConfig");
            Assert.Equal("sh", pc.GetProperty("entrypoint").GetString());
            Assert.Equal(["-c", "exit 3"], pc.GetProperty("arguments").EnumerateArray().Select(a => a.GetString()!));
            Assert.Equal("nobody", pc.GetProperty("user").GetString());
            Assert.False(pc.GetProperty("tty").GetBoolean());

            using var start = await http.PostAsync($"/v1.47/exec/{execId}/start", new StringContent("""{"Detach":true}""", Encoding.UTF8, "application/json"));
            Assert.Equal(200, (int)start.StatusCode);
            JsonElement after = before;
            for (int i = 0; i < 100 && after.GetProperty("ExitCode").ValueKind == JsonValueKind.Null; i++)
            {
                await Task.Delay(100);
                after = await GetJsonAsync(http, $"/v1.47/exec/{execId}/json");
            }
            Assert.Equal(3, after.GetProperty("ExitCode").GetInt32());
            using var again = await http.PostAsync($"/v1.47/exec/{execId}/start", new StringContent("""{"Detach":true}""", Encoding.UTF8, "application/json"));
            Assert.Equal(409, (int)again.StatusCode);
            using var missing = await http.GetAsync("/v1.47/exec/0123456789abcdef/json");
            Assert.Equal(404, (int)missing.StatusCode);
            Assert.Contains("No such exec instance: 0123456789abcdef", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_into_a_stopped_or_paused_container_is_refused_with_dockers_message()
    {
        var name = wharf.UniqueName("exec-refused");
        (await wharf.Docker("create", "--name", name, "busybox", "sleep", "300")).EnsureSuccess();
        try
        {
            var id = await FullIdAsync(name);
            var stopped = await wharf.Docker("exec", name, "true");
            Assert.True(stopped.ExitCode != 0, stopped.ToString());
            Assert.Contains($"Error response from daemon: Container {id} is not running", stopped.Stderr, StringComparison.Ordinal);

            (await wharf.Docker("start", name)).EnsureSuccess();
            (await wharf.Docker("pause", name)).EnsureSuccess();
            var paused = await wharf.Docker("exec", name, "true");
            Assert.True(paused.ExitCode != 0, paused.ToString());
            Assert.Contains($"Error response from daemon: Container {id} is paused, unpause the container before exec", paused.Stderr, StringComparison.Ordinal);
            (await wharf.Docker("unpause", name)).EnsureSuccess();
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Exec_emits_exec_create_start_and_die_with_exec_id_and_exit_code()
    {
        var name = await StartSleeperAsync("exec-ev");
        try
        {
            var t0 = DateTimeOffset.UtcNow.AddSeconds(-1);
            Assert.Equal(4, (await wharf.Docker("exec", name, "sh", "-c", "exit 4")).ExitCode);
            var t1 = DateTimeOffset.UtcNow.AddSeconds(2);
            var result = (await wharf.Docker("events", "--since", t0.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                "--until", t1.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "--filter", "container=" + name,
                "--format", "{{.Action}}|{{.Actor.Attributes.execID}}|{{.Actor.Attributes.exitCode}}")).EnsureSuccess();
            var lines = result.StdoutLines.Where(l => l.StartsWith("exec_", StringComparison.Ordinal)).ToList();
            Assert.True(lines.Count == 3, result.ToString());
            Assert.StartsWith("exec_create: sh -c exit 4|", lines[0], StringComparison.Ordinal);
            Assert.StartsWith("exec_start: sh -c exit 4|", lines[1], StringComparison.Ordinal);
            var execId = lines[0].Split('|')[1];
            Assert.Equal(64, execId.Length);
            Assert.Equal($"exec_die|{execId}|4", lines[2]);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }

    [Fact]
    public async Task Wharf_cli_exec_returns_the_exit_code_and_output()
    {
        var name = await StartSleeperAsync("exec-wharf");
        try
        {
            var result = await wharf.Wharf("exec", "-e", "A=1", name, "sh", "-c", "echo hi $A; exit 6");
            Assert.True(result.ExitCode == 6, result.ToString());
            Assert.Equal("hi 1\n", result.Stdout);
        }
        finally
        {
            await RemoveAsync(name);
        }
    }
}
