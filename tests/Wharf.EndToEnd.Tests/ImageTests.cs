namespace Wharf.EndToEnd.Tests;

/// <summary>Images through the docker CLI: list, inspect, tag, rmi, import, and reference parsing.</summary>
[Collection(ImagesCollection.Name)]
public sealed class ImageTests(DaemonFixture wharf)
{
    private async Task<string> ImportRootfs(string reference, string hello = "hello from a tar\n")
    {
        var tar = Path.Combine(wharf.TempDir, wharf.UniqueName("rootfs") + ".tar");
        TarFiles.WriteRootfs(tar, hello);
        var result = await wharf.Docker("import", tar, reference);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith("sha256:", result.Stdout.Trim(), StringComparison.Ordinal);
        return result.Stdout.Trim();
    }

    private async Task<string[]> RepoTags() =>
        (await wharf.Docker("images", "--format", "{{.Repository}}:{{.Tag}}")).EnsureSuccess().StdoutLines;

    [Fact]
    public async Task Images_lists_busybox_latest()
    {
        var result = await wharf.Docker("images");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("REPOSITORY", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("busybox:latest", await RepoTags());
    }

    [Fact]
    public async Task Image_inspect_shows_id_tags_and_platform()
    {
        var result = await wharf.Docker("image", "inspect", "-f", "{{.Id}} {{json .RepoTags}} {{.Os}} {{.Architecture}}", "busybox");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Matches("^sha256:[0-9a-f]{64} .*\"busybox:latest\".* linux amd64$", result.Stdout.Trim());
    }

    [Fact]
    public async Task Fully_qualified_reference_names_the_same_image()
    {
        var shortId = (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", "busybox")).EnsureSuccess().Stdout;
        var longId = (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", "docker.io/library/busybox:latest")).EnsureSuccess().Stdout;

        Assert.Equal(shortId, longId);
    }

    [Fact]
    public async Task Tag_adds_a_name_and_rmi_of_one_of_several_names_only_untags()
    {
        var repo = wharf.UniqueName("tagged");
        var busyboxId = (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", "busybox")).EnsureSuccess().Stdout.Trim();

        (await wharf.Docker("tag", "busybox", repo + ":v1")).EnsureSuccess();
        Assert.Contains(repo + ":v1", await RepoTags());
        Assert.Equal(busyboxId, (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", repo + ":v1")).EnsureSuccess().Stdout.Trim());

        var rmi = await wharf.Docker("rmi", repo + ":v1");

        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.Equal($"Untagged: {repo}:v1", rmi.Stdout.Trim());
        Assert.DoesNotContain(repo + ":v1", await RepoTags());
        (await wharf.Docker("image", "inspect", "busybox")).EnsureSuccess();
    }

    [Fact]
    public async Task Registry_host_with_port_is_part_of_the_repository()
    {
        var repo = $"localhost:5000/{wharf.UniqueName("ns")}/app";

        (await wharf.Docker("tag", "busybox", repo + ":1.0")).EnsureSuccess();

        Assert.Contains(repo + ":1.0", await RepoTags());
        (await wharf.Docker("rmi", repo + ":1.0")).EnsureSuccess();
    }

    [Fact]
    public async Task Rmi_of_the_last_name_deletes_the_image()
    {
        var reference = wharf.UniqueName("deleteme") + ":v1";
        var id = await ImportRootfs(reference);

        var rmi = await wharf.Docker("rmi", reference);

        Assert.True(rmi.ExitCode == 0, rmi.ToString());
        Assert.Contains("Untagged: " + reference, rmi.Stdout, StringComparison.Ordinal);
        Assert.Contains("Deleted: " + id, rmi.Stdout, StringComparison.Ordinal);
        var gone = await wharf.Docker("image", "inspect", id);
        Assert.True(gone.ExitCode != 0, gone.ToString());
        Assert.Contains("No such image", gone.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rmi_of_an_image_a_container_uses_is_a_conflict()
    {
        var repo = wharf.UniqueName("inuse");
        await ImportRootfs(repo);
        var container = wharf.UniqueName("user");
        (await wharf.Docker("create", "--name", container, repo, "/bin/busybox", "true")).EnsureSuccess();

        var rmi = await wharf.Docker("rmi", repo);

        Assert.True(rmi.ExitCode != 0, rmi.ToString());
        Assert.Contains("conflict: unable to", rmi.Stderr, StringComparison.Ordinal);
        Assert.Contains("must force", rmi.Stderr, StringComparison.Ordinal);
        (await wharf.Docker("image", "inspect", repo)).EnsureSuccess();
        (await wharf.Docker("rm", container)).EnsureSuccess();
        (await wharf.Docker("rmi", repo)).EnsureSuccess();
    }

    [Fact]
    public async Task Imported_tar_runs_as_an_image()
    {
        var repo = wharf.UniqueName("imported");
        await ImportRootfs(repo + ":v1", "content of the imported tar\n");

        Assert.Contains(repo + ":v1", await RepoTags());
        var run = await wharf.Docker("run", "--rm", repo + ":v1", "/bin/busybox", "cat", "/hello.txt");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("content of the imported tar\n", run.Stdout);
        (await wharf.Docker("rmi", repo + ":v1")).EnsureSuccess();
    }

    [Fact]
    public async Task Missing_image_says_no_such_image()
    {
        var name = wharf.UniqueName("absent");

        var inspect = await wharf.Docker("image", "inspect", name);
        var rmi = await wharf.Docker("rmi", name);

        Assert.True(inspect.ExitCode != 0, inspect.ToString());
        Assert.Contains("No such image: " + name, inspect.Stderr, StringComparison.Ordinal);
        Assert.True(rmi.ExitCode != 0, rmi.ToString());
        Assert.Contains("No such image: " + name, rmi.Stderr, StringComparison.Ordinal);
    }
}
