using System.Globalization;

namespace Wharf.EndToEnd.Tests;

/// <summary>`docker build` (legacy builder) against wharfd: stages, args, ignore files, cache, failures, heredocs,
/// ONBUILD, hostile contexts, and the CLI's -q / --iidfile / -f - paths.</summary>
[Collection(BuildCollection.Name)]
public sealed class BuildTests(DaemonFixture wharf)
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(3);

    private string Context(string dockerfile, params (string Path, string Content)[] files)
    {
        var dir = Path.Combine(wharf.TempDir, wharf.UniqueName("ctx"));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Dockerfile"), dockerfile);
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
        }
        return dir;
    }

    private Task<CommandResult> Build(string context, params string[] args) => BuildWith(context, null, args);

    private Task<CommandResult> BuildWith(string context, string? stdin, params string[] args)
    {
        var env = new Dictionary<string, string?>(wharf.ClientEnvironment) { ["DOCKER_BUILDKIT"] = "0" };
        return ProcessRunner.RunAsync(TestPaths.DockerCli, ["build", .. args, context], env, stdin, BuildTimeout);
    }

    private async Task<string> Run(string image, params string[] cmd) =>
        (await wharf.DockerWith(["run", "--rm", image, .. cmd], timeout: BuildTimeout)).EnsureSuccess().Stdout;

    private async Task<string> ImageId(string name) =>
        (await wharf.Docker("image", "inspect", "-f", "{{.Id}}", name)).EnsureSuccess().Stdout.Trim();

    [Fact]
    public async Task Multi_stage_final_image_lacks_the_build_stage_files()
    {
        var tag = wharf.UniqueName("multi");
        var ctx = Context("""
            FROM busybox AS build
            RUN echo compiled > /artifact && echo junk > /build-only
            FROM busybox
            COPY --from=build /artifact /app/artifact
            CMD ["cat", "/app/artifact"]
            """);

        var result = await Build(ctx, "-t", tag);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Step 1/5 : FROM busybox AS build", result.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Successfully tagged {tag}:latest", result.Stdout, StringComparison.Ordinal);
        Assert.Matches("Successfully built [0-9a-f]{12}", result.Stdout);
        Assert.Equal("compiled\n", await Run(tag));
        var missing = await wharf.DockerWith(["run", "--rm", tag, "ls", "/build-only"], timeout: BuildTimeout);
        Assert.NotEqual(0, missing.ExitCode);
    }

    [Fact]
    public async Task Target_stops_at_the_named_stage_and_skips_unneeded_ones()
    {
        var tag = wharf.UniqueName("target");
        var ctx = Context("""
            FROM busybox AS broken
            RUN exit 9
            FROM busybox AS wanted
            RUN echo wanted > /stage
            FROM busybox
            RUN echo final > /stage
            """);

        var result = await Build(ctx, "--target", "wanted", "-t", tag);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("wanted\n", await Run(tag, "cat", "/stage"));
        Assert.DoesNotContain("exit 9", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Build_args_reach_run_and_expansion_and_unused_ones_are_reported()
    {
        var tag = wharf.UniqueName("args");
        var ctx = Context("""
            ARG BASE=busybox
            FROM ${BASE}
            ARG GREETING=hello
            ARG WHO
            ENV FROM_ENV=${GREETING:-none}-${WHO:-nobody}
            RUN echo "$GREETING $WHO" > /greeting
            """);

        var result = await Build(ctx, "--build-arg", "GREETING=hi", "--build-arg", "WHO=wharf", "--build-arg", "UNUSED=1", "-t", tag);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi wharf\n", await Run(tag, "cat", "/greeting"));
        Assert.Equal("hi-wharf\n", await Run(tag, "sh", "-c", "echo $FROM_ENV"));
        Assert.Contains("[Warning] One or more build-args [UNUSED] were not consumed", result.Stdout + result.Stderr, StringComparison.Ordinal);
        // build args are not persisted in the image's environment
        Assert.Equal("\n", await Run(tag, "sh", "-c", "echo $GREETING"));
    }

    [Fact]
    public async Task Dockerignore_keeps_files_out_of_the_context()
    {
        var tag = wharf.UniqueName("ignore");
        var ctx = Context("FROM busybox\nCOPY . /ctx/\n",
            (".dockerignore", "secret.txt\nlogs/**\n!logs/keep.log\n"),
            ("secret.txt", "do not ship"), ("keep.txt", "ship"), ("logs/a.log", "x"), ("logs/keep.log", "kept"));

        (await Build(ctx, "-t", tag)).EnsureSuccess();

        var listing = await Run(tag, "find", "/ctx", "-type", "f");
        Assert.Contains("/ctx/keep.txt", listing, StringComparison.Ordinal);
        Assert.Contains("/ctx/logs/keep.log", listing, StringComparison.Ordinal);
        Assert.DoesNotContain("secret.txt", listing, StringComparison.Ordinal);
        Assert.DoesNotContain("a.log", listing, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Second_build_is_fully_cached_and_one_changed_copy_source_invalidates_from_there()
    {
        var tag = wharf.UniqueName("cache");
        var ctx = Context("""
            FROM busybox
            ENV STAGE=one
            COPY a.txt /a.txt
            RUN cat /a.txt > /copy-of-a
            COPY b.txt /b.txt
            """, ("a.txt", "alpha"), ("b.txt", "beta"));

        var first = (await Build(ctx, "-t", tag)).EnsureSuccess();
        var firstId = await ImageId(tag);
        var second = (await Build(ctx, "-t", tag)).EnsureSuccess();

        Assert.DoesNotContain("Using cache", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(4, second.Stdout.Split(" ---> Using cache").Length - 1);
        Assert.Equal(firstId, await ImageId(tag));

        File.WriteAllText(Path.Combine(ctx, "b.txt"), "BETA");
        var third = (await Build(ctx, "-t", tag)).EnsureSuccess();
        Assert.Equal(3, third.Stdout.Split(" ---> Using cache").Length - 1);
        Assert.NotEqual(firstId, await ImageId(tag));
        Assert.Equal("BETA", await Run(tag, "cat", "/b.txt"));

        var nocache = (await Build(ctx, "--no-cache", "-t", tag)).EnsureSuccess();
        Assert.DoesNotContain("Using cache", nocache.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cache_from_a_local_image_restores_its_steps_after_the_step_cache_is_pruned()
    {
        var tag = wharf.UniqueName("cachefrom");
        var marker = wharf.UniqueName("m");
        var dockerfile = $$"""
            FROM busybox
            RUN echo {{marker}} > /run-marker
            COPY a.txt /a.txt
            CMD ["cat", "/a.txt"]
            """;
        var ctx = Context(dockerfile, ("a.txt", "alpha"));
        (await Build(ctx, "-t", tag)).EnsureSuccess();
        var sourceId = await ImageId(tag);

        // Without the step cache, only --cache-from can make these steps hits.
        (await wharf.Docker("builder", "prune", "-f")).EnsureSuccess();
        var restored = (await Build(ctx, "--cache-from", tag, "-t", tag + "-again")).EnsureSuccess();
        Assert.Equal(3, restored.Stdout.Split(" ---> Using cache").Length - 1);
        Assert.DoesNotContain("Running in", restored.Stdout, StringComparison.Ordinal);
        Assert.Equal(sourceId, await ImageId(tag + "-again"));

        // A changed COPY source: the RUN before it still comes from the source image, the rest is rebuilt.
        (await wharf.Docker("builder", "prune", "-f")).EnsureSuccess();
        var changed = Context(dockerfile, ("a.txt", "ALPHA"));
        var partly = (await Build(changed, "--cache-from", tag, "-t", tag + "-changed")).EnsureSuccess();
        Assert.Equal(1, partly.Stdout.Split(" ---> Using cache").Length - 1);
        Assert.Equal(marker + "\n", await Run(tag + "-changed", "cat", "/run-marker"));
        Assert.Equal("ALPHA", await Run(tag + "-changed"));

        // A --cache-from image that does not exist is skipped, as Docker does.
        (await wharf.Docker("builder", "prune", "-f")).EnsureSuccess();
        var missing = (await Build(ctx, "--cache-from", "no-such-image:" + marker, "-t", tag + "-nosource")).EnsureSuccess();
        Assert.DoesNotContain("Using cache", missing.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Failing_run_reports_its_exit_code_and_leaves_no_image()
    {
        var tag = wharf.UniqueName("fail");
        var ctx = Context("FROM busybox\nRUN echo before\nRUN exit 3\nRUN echo never\n");

        var result = await Build(ctx, "-t", tag);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("The command '/bin/sh -c exit 3' returned a non-zero code: 3", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("never", result.Stdout.Replace("RUN echo never", "", StringComparison.Ordinal), StringComparison.Ordinal);
        var inspect = await wharf.Docker("image", "inspect", tag);
        Assert.NotEqual(0, inspect.ExitCode);
    }

    [Fact]
    public async Task Heredocs_in_run_and_copy()
    {
        var tag = wharf.UniqueName("heredoc");
        var ctx = Context("""
            FROM busybox
            ENV NAME=wharf
            RUN <<EOF
            echo line1 > /run-out
            echo "hello $NAME" >> /run-out
            EOF
            COPY <<EOF /copied.txt
            copied for ${NAME}
            EOF
            COPY <<'RAW' /raw.txt
            keep $NAME
            RAW
            """);

        (await Build(ctx, "-t", tag)).EnsureSuccess();

        Assert.Equal("line1\nhello wharf\n", await Run(tag, "cat", "/run-out"));
        Assert.Equal("copied for wharf\n", await Run(tag, "cat", "/copied.txt"));
        Assert.Equal("keep $NAME\n", await Run(tag, "cat", "/raw.txt"));
    }

    [Fact]
    public async Task Onbuild_triggers_run_in_the_child_build()
    {
        var parent = wharf.UniqueName("onbuild-parent");
        var child = wharf.UniqueName("onbuild-child");
        var parentCtx = Context("FROM busybox\nONBUILD COPY marker.txt /marker.txt\nONBUILD RUN echo triggered > /triggered\n");
        (await Build(parentCtx, "-t", parent)).EnsureSuccess();
        var triggers = (await wharf.Docker("image", "inspect", "-f", "{{json .Config.OnBuild}}", parent)).EnsureSuccess().Stdout;
        Assert.Contains("RUN echo triggered > /triggered", triggers, StringComparison.Ordinal);

        var childCtx = Context($"FROM {parent}\nRUN echo child > /child\n", ("marker.txt", "from child context"));
        var result = (await Build(childCtx, "-t", child)).EnsureSuccess();

        Assert.Contains("# Executing 2 build triggers", result.Stdout, StringComparison.Ordinal);
        Assert.Equal("triggered\n", await Run(child, "cat", "/triggered"));
        Assert.Equal("from child context", await Run(child, "cat", "/marker.txt"));
        var inherited = (await wharf.Docker("image", "inspect", "-f", "{{json .Config.OnBuild}}", child)).EnsureSuccess().Stdout.Trim();
        Assert.True(inherited is "null" or "[]", inherited);
    }

    [Fact]
    public async Task Malicious_context_never_copies_from_outside()
    {
        var ctx = Context("FROM busybox\nCOPY shadow /stolen\n");
        File.CreateSymbolicLink(Path.Combine(ctx, "shadow"), "/etc/shadow");
        var viaLink = await Build(ctx, "-t", wharf.UniqueName("evil-link"));
        Assert.NotEqual(0, viaLink.ExitCode);
        Assert.Contains("file not found in build context", viaLink.Stderr, StringComparison.Ordinal);

        var dotdot = Context("FROM busybox\nCOPY ../../../../../etc/passwd /stolen\n");
        var viaDotDot = await Build(dotdot, "-t", wharf.UniqueName("evil-dotdot"));
        Assert.NotEqual(0, viaDotDot.ExitCode);

        // A directory symlink inside the context is followed inside it only.
        var dirLink = Context("FROM busybox\nCOPY etcdir/ /copied/\n", ("etc/own.txt", "context's own"));
        File.CreateSymbolicLink(Path.Combine(dirLink, "etcdir"), "/etc");
        var tag = wharf.UniqueName("evil-dir");
        (await Build(dirLink, "-t", tag)).EnsureSuccess();
        var listing = await Run(tag, "ls", "/copied");
        Assert.Equal("own.txt\n", listing);
    }

    [Fact]
    public async Task Quiet_iidfile_and_dockerfile_from_stdin()
    {
        var ctx = Context("FROM busybox\nLABEL quiet=yes\n");
        var quiet = (await Build(ctx, "-q")).EnsureSuccess();
        Assert.Matches("^sha256:[0-9a-f]{64}$", quiet.Stdout.Trim());
        Assert.DoesNotContain("Step", quiet.Stdout, StringComparison.Ordinal);

        var iid = Path.Combine(wharf.TempDir, wharf.UniqueName("iid"));
        (await Build(ctx, "--iidfile", iid)).EnsureSuccess();
        Assert.Matches("^sha256:[0-9a-f]{64}$", File.ReadAllText(iid));
        Assert.Equal("yes", (await wharf.Docker("image", "inspect", "-f", "{{index .Config.Labels \"quiet\"}}", File.ReadAllText(iid))).EnsureSuccess().Stdout.Trim());

        var tag = wharf.UniqueName("stdin");
        var fromStdin = (await BuildWith(Context("FROM scratch\n", ("data.txt", "data")), "FROM busybox\nCOPY data.txt /data.txt\n", "-f", "-", "-t", tag)).EnsureSuccess();
        Assert.Contains("Successfully tagged", fromStdin.Stdout, StringComparison.Ordinal);
        Assert.Equal("data", await Run(tag, "cat", "/data.txt"));
    }

    [Fact]
    public async Task Metadata_instructions_shape_the_image_config()
    {
        var tag = wharf.UniqueName("meta");
        var ctx = Context("""
            FROM busybox
            LABEL a=1 "b c"="d e"
            ENV X=1 Y="two words"
            WORKDIR /srv
            WORKDIR app
            USER 1000:1000
            EXPOSE 80 53/udp
            VOLUME ["/data"]
            STOPSIGNAL SIGUSR1
            HEALTHCHECK --interval=5s --retries=2 CMD true
            ENTRYPOINT ["sh", "-c"]
            CMD ["echo $X"]
            """);

        (await Build(ctx, "-t", tag, "--label", "from-cli=yes")).EnsureSuccess();

        var cfg = (await wharf.Docker("image", "inspect", "-f",
            "{{json .Config.Labels}}|{{json .Config.Env}}|{{.Config.WorkingDir}}|{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Volumes}}|{{.Config.StopSignal}}|{{json .Config.Healthcheck.Test}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}",
            tag)).EnsureSuccess().Stdout.Trim().Split('|');
        Assert.Contains("\"a\":\"1\"", cfg[0], StringComparison.Ordinal);
        Assert.Contains("\"b c\":\"d e\"", cfg[0], StringComparison.Ordinal);
        Assert.Contains("\"from-cli\":\"yes\"", cfg[0], StringComparison.Ordinal);
        Assert.Contains("\"Y=two words\"", cfg[1], StringComparison.Ordinal);
        Assert.Equal("/srv/app", cfg[2]);
        Assert.Equal("1000:1000", cfg[3]);
        Assert.Contains("\"53/udp\"", cfg[4], StringComparison.Ordinal);
        Assert.Contains("\"80/tcp\"", cfg[4], StringComparison.Ordinal);
        Assert.Contains("\"/data\"", cfg[5], StringComparison.Ordinal);
        Assert.Equal("SIGUSR1", cfg[6]);
        Assert.Equal("[\"CMD-SHELL\",\"true\"]", cfg[7]);
        Assert.Equal("[\"sh\",\"-c\"]", cfg[8]);
        Assert.Equal("[\"echo $X\"]", cfg[9]);

        // WORKDIR made its directories in the image (a layer each, as the legacy builder commits them), so they are
        // there before any container ran: docker cp reads them from a container that was only created.
        var layers = (await wharf.Docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", tag)).EnsureSuccess().Stdout.Trim();
        var baseLayers = (await wharf.Docker("image", "inspect", "-f", "{{len .RootFS.Layers}}", "busybox")).EnsureSuccess().Stdout.Trim();
        Assert.Equal(int.Parse(baseLayers, CultureInfo.InvariantCulture) + 2, int.Parse(layers, CultureInfo.InvariantCulture));
        var created = wharf.UniqueName("workdir");
        (await wharf.Docker("create", "--name", created, tag)).EnsureSuccess();
        try
        {
            var copied = Path.Combine(wharf.TempDir, created);
            (await wharf.Docker("container", "cp", created + ":/srv/app", copied)).EnsureSuccess();
            Assert.True(Directory.Exists(copied), "docker cp did not bring /srv/app back as a directory");
        }
        finally
        {
            await wharf.Docker("rm", "-f", created);
        }
    }

    [Fact]
    public async Task Run_layers_leave_out_runtime_and_mount_stubs_and_an_unchanged_run_commits_an_empty_layer()
    {
        const string emptyLayer = "sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef";
        var tag = "stubs-" + wharf.UniqueName("b");
        var ctx = Context("""
            FROM busybox
            RUN --mount=type=tmpfs,target=/tmpmount true
            RUN --mount=type=cache,target=/cachemount/x echo > /made
            RUN true
            """);

        (await Build(ctx, "-t", tag)).EnsureSuccess();

        // Docker keeps /etc/hosts, /etc/resolv.conf and /etc/hostname out of RUN layers (its init layer), and BuildKit
        // removes the mount points it made: a RUN that changes nothing commits Docker's empty layer, even the first
        // one on busybox (which has none of those files), and the cache mount's directories are not in the image.
        var layers = (await wharf.Docker("image", "inspect", "-f", "{{range .RootFS.Layers}}{{println .}}{{end}}", tag)).EnsureSuccess()
            .Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(emptyLayer, layers[^3]);
        Assert.NotEqual(emptyLayer, layers[^2]);
        Assert.Equal(emptyLayer, layers[^1]);
        Assert.Equal("ok\n", await Run(tag, "sh", "-c", "test -e /made && test ! -e /cachemount && test ! -e /tmpmount && echo ok"));
        // docker history sizes each step by its own layer: /made is one byte (a newline).
        var sizes = (await wharf.Docker("history", "--format", "{{.Size}}", tag)).EnsureSuccess().StdoutLines;
        Assert.Equal(["0B", "1B", "0B"], sizes[..3]);
    }

    [Fact]
    public async Task Wharf_build_secret_is_mounted_for_run_and_kept_out_of_the_image()
    {
        var tag = "secret-" + wharf.UniqueName("b");
        var ctx = Context("""
            FROM busybox
            RUN --mount=type=secret,id=tok test "$(cat /run/secrets/tok)" = "s3cret" && stat -c '%a %u' /run/secrets/tok > /mode1
            RUN --mount=type=secret,id=tok,target=/opt/app/token,mode=0440,uid=1000 stat -c '%a %u' /opt/app/token > /mode2
            RUN --mount=type=secret,id=absent echo optional secrets may be missing
            """);
        var secretFile = Path.Combine(wharf.TempDir, wharf.UniqueName("tok"));
        File.WriteAllText(secretFile, "s3cret");

        (await wharf.Wharf("build", "-t", tag, "--secret", "id=tok,src=" + secretFile, ctx)).EnsureSuccess();

        Assert.Equal("400 0\n440 1000\n", await Run(tag, "cat", "/mode1", "/mode2"));
        Assert.Equal("gone\n", await Run(tag, "sh", "-c", "test ! -e /run/secrets && test ! -e /opt/app && echo gone"));

        var required = Context("""
            FROM busybox
            RUN --mount=type=secret,id=tok,required=true true
            """);
        var failed = await wharf.Wharf("build", required);
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("secret tok: not found", failed.Stderr, StringComparison.Ordinal);
    }
}
