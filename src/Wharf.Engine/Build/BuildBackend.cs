using System.Collections.Concurrent;
using System.Text;
using Wharf.Api.Containers;
using Wharf.Build.Execution;
using Wharf.Core;
using Wharf.Engine.Containers;
using Wharf.Engine.Images;
using Wharf.Images;

namespace Wharf.Engine.Build;

/// <summary>The builder's view of the engine: images through <see cref="ImageService"/>, RUN steps as ordinary
/// containers of <see cref="ContainerService"/> (so they get the same runtime, network and cleanup).</summary>
public sealed class BuildBackend(ImageService images, ContainerService containers, string mountParent) : IBuildBackend
{
    /// <summary>RUN --mount targets per RUN container, as paths relative to the root (for the commit's exclusions).</summary>
    private readonly ConcurrentDictionary<string, string[]> _mountTargets = new(StringComparer.Ordinal);

    public BaseImage? FindImage(string reference)
    {
        try
        {
            var r = images.Resolve(reference);
            return new BaseImage(r.Id, r.Config);
        }
        catch (WharfException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.InvalidArgument)
        {
            return null;
        }
    }

    /// <summary>The registry client FROM uses for missing images and --pull (null: none, e.g. in tests).</summary>
    public Distribution.DistributionService? Distribution { get; set; }

    public async Task<BaseImage?> PullAsync(string reference, Func<string, Task> output, CancellationToken ct)
    {
        if (Distribution is null) return null;
        await Distribution.PullAsync(reference, null, null, Wharf.Distribution.AuthConfig.Anonymous, new BuildPullOutput(output), ct);
        return FindImage(reference);
    }

    /// <summary>Pull progress as the legacy builder prints it: state changes as lines, no progress bars.</summary>
    private sealed class BuildPullOutput(Func<string, Task> output) : Wharf.Distribution.IProgressSink
    {
        public Task ReportAsync(Wharf.Distribution.ProgressEvent e) =>
            e.Status is "Downloading" or "Extracting" or "Pushing" ? Task.CompletedTask
                : output(e.Id is null ? e.Status + "\n" : $"{e.Id}: {e.Status}\n");
    }

    public string CommitEmpty(StepCommit commit) =>
        images.Commit(new ImageCommitRequest(commit.ParentId, commit.Config, null, commit.CreatedBy, Author: commit.Author));

    public string CommitCachePrefix(string? parentId, string sourceId, int historyCount, Wharf.Oci.Image.ImageRunConfig config) =>
        images.CommitCachePrefix(parentId, sourceId, historyCount, config);

    public void Tag(string imageId, string name) => images.Tag(imageId, name);

    public IBuildSnapshot OpenSnapshot(string? imageId) => new BuildSnapshot(images, mountParent, imageId);

    public async Task<(string ContainerId, int ExitCode)> RunAsync(RunStepRequest request, Func<string, Task> created,
        Func<string, Task> output, CancellationToken ct)
    {
        var config = new ContainerConfig
        {
            Image = request.ImageId,
            Cmd = request.Cmd.ToList(),
            Entrypoint = [""],
            Env = request.Env.ToList(),
            User = request.User ?? "",
            WorkingDir = request.WorkingDir ?? "",
            AttachStdout = true,
            AttachStderr = true,
        };
        var host = new HostConfig { NetworkMode = request.NetworkMode ?? "" };
        foreach (var m in request.Mounts)
        {
            if (m.Type == "tmpfs") (host.Tmpfs ??= [])[m.Target] = "";
            else (host.Binds ??= []).Add($"{m.Source}:{m.Target}:{(m.ReadOnly ? "ro" : "rw")}");
        }
        var id = (await containers.CreateAsync(null, config, host, null, ct)).Id;
        _mountTargets[id] = [.. request.Mounts.Select(m => m.Target.Trim('/')).Where(t => t.Length > 0)];
        await created(id);
        await using var attach = containers.Attach(id, stdin: false, stdout: true, stderr: true);
        using var wait = containers.BeginWait(id, "next-exit");
        await containers.StartAsync(id, ct);
        var decoder = Encoding.UTF8.GetDecoder();
        while (await attach.ReadAsync(ct) is { } chunk)
        {
            var chars = new char[Encoding.UTF8.GetMaxCharCount(chunk.Data.Length)];
            var n = decoder.GetChars(chunk.Data.Span, chars, flush: false);
            if (n > 0) await output(new string(chars, 0, n));
        }
        var (code, _) = await wait.Result.WaitAsync(ct);
        return (id, (int)code);
    }

    public string CommitContainer(string containerId, StepCommit commit)
    {
        var temp = Path.Combine(mountParent, "run-" + Guid.NewGuid().ToString("N") + ".tar");
        Directory.CreateDirectory(mountParent);
        try
        {
            using (var f = File.Create(temp)) images.WriteContainerDiff(containerId, f, RunStubs(containerId));
            using var layer = File.OpenRead(temp);
            return images.Commit(new ImageCommitRequest(commit.ParentId, commit.Config, layer, commit.CreatedBy, Author: commit.Author));
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>
    /// What a RUN step's layer leaves out: the files the runtime mounts over (/etc/hosts, /etc/resolv.conf…, which
    /// Docker keeps in its init layer) and the mount points runc made for RUN --mount targets, with the parent
    /// directories made only for them (BuildKit removes these stubs too). The command's own changes all stay.
    /// </summary>
    private Func<string, bool> RunStubs(string containerId)
    {
        var stubs = images.MountPointStubs(containerId, [.. ContainerService.RuntimeMountPoints, .. _mountTargets.GetValueOrDefault(containerId) ?? []]);
        return stubs.Contains;
    }

    public Task RemoveContainerAsync(string containerId)
    {
        _mountTargets.TryRemove(containerId, out _);
        return containers.RemoveAsync(containerId, force: true);
    }
}
