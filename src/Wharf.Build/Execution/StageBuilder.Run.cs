using System.Text;
using Wharf.Build.Parsing;
using Wharf.Core;

namespace Wharf.Build.Execution;

internal sealed partial class StageBuilder
{
    private async Task RunAsync(Instruction ins, CancellationToken ct)
    {
        var cmd = RunCommand(ins);
        var argEnv = ArgEnv();
        // The legacy builder's history form: "|2 A=1 B=2 /bin/sh -c …" when build args reach the command.
        var createdBy = (argEnv.Count > 0 ? $"|{argEnv.Count} {string.Join(' ', argEnv)} " : "") + string.Join(' ', cmd);
        var network = ins.Flag("network") is { } n ? Expand(n, ins) : session.Options.NetworkMode;
        var mountSpecs = ins.FlagValues("mount").Select(m => Expand(m, ins)).ToList();
        var key = BuildCache.Key("run", _imageId, createdBy, network, string.Join('\n', mountSpecs));
        if (await TryCacheAsync(key, createdBy)) return;

        if (_imageId is null) _imageId = session.Backend.CommitEmpty(new StepCommit(null, _config, "", _author));
        var opened = new List<IDisposable>();
        try
        {
            var mounts = new List<RunMount>();
            foreach (var spec in mountSpecs)
                if (await RunMountAsync(spec, ins, opened) is { } m) mounts.Add(m);
            var env = (_config.Env ?? []).Concat(argEnv).ToList();
            var request = new RunStepRequest(_imageId, cmd, env, _config.User, _config.WorkingDir, network, mounts);
            var (containerId, exit) = await session.Backend.RunAsync(request,
                id => output($" ---> Running in {Short(id)}\n"), output, ct);
            if (exit != 0)
            {
                if (session.Options.ForceRemove) await session.Backend.RemoveContainerAsync(containerId);
                throw new BuildStepFailedException($"The command '{string.Join(' ', cmd)}' returned a non-zero code: {exit}", exit);
            }
            string id;
            try
            {
                id = session.Backend.CommitContainer(containerId, new StepCommit(_imageId, _config, createdBy, _author));
            }
            finally
            {
                await session.Backend.RemoveContainerAsync(containerId);
            }
            await output($" ---> Removed intermediate container {Short(containerId)}\n");
            await CommittedAsync(key, id);
        }
        finally
        {
            foreach (var d in opened) d.Dispose();
        }
    }

    /// <summary>Exec form as written; shell form through the stage's SHELL. A heredoc that is the whole command
    /// is the script itself; otherwise the heredocs follow the command line as a shell here-document.</summary>
    private List<string> RunCommand(Instruction ins)
    {
        if (ins.Json is { } json) return json.ToList();
        var shell = _config.Shell ?? DefaultShell;
        if (ins.Heredocs.Count == 0) return [.. shell, ins.Args];
        var words = Words.Split(ins.Args, Escape);
        if (words.Count == 1 && ins.Heredocs.Count == 1) return [.. shell, ins.Heredocs[0].Content];
        var script = new StringBuilder(ins.Args).Append('\n');
        foreach (var h in ins.Heredocs) script.Append(h.Content).Append(h.Name).Append('\n');
        return [.. shell, script.ToString()];
    }

    private async Task<RunMount?> RunMountAsync(string spec, Instruction ins, List<IDisposable> opened)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in spec.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = f.IndexOf('=');
            fields[eq < 0 ? f : f[..eq]] = eq < 0 ? "true" : f[(eq + 1)..];
        }
        var type = fields.GetValueOrDefault("type", "bind");
        var target = fields.GetValueOrDefault("target") ?? fields.GetValueOrDefault("dst") ?? fields.GetValueOrDefault("destination");
        bool Rw() => fields.TryGetValue("rw", out var v) && v != "false" || fields.TryGetValue("readwrite", out var w) && w != "false";
        switch (type)
        {
            case "cache":
            {
                if (target is null) throw DockerfileErrors.At(DfName, ins.Line, "mount type cache requires a target");
                var id = fields.GetValueOrDefault("id") ?? target;
                var dir = Path.Combine(session.CacheMountRoot, BuildCache.Key("cache-mount", id)[..32]);
                Directory.CreateDirectory(dir);
                return new RunMount("bind", dir, target, fields.TryGetValue("ro", out var ro) && ro != "false");
            }
            case "tmpfs":
                if (target is null) throw DockerfileErrors.At(DfName, ins.Line, "mount type tmpfs requires a target");
                return new RunMount("tmpfs", null, target, false);
            case "bind":
            {
                if (target is null) throw DockerfileErrors.At(DfName, ins.Line, "mount type bind requires a target");
                var source = fields.GetValueOrDefault("source") ?? fields.GetValueOrDefault("src") ?? "/";
                var root = session.ContextRoot;
                if (fields.TryGetValue("from", out var from))
                {
                    var imageId = await ResolveFromAsync(from, ins);
                    var snap = session.Backend.OpenSnapshot(imageId);
                    opened.Add(snap);
                    root = snap.Root;
                }
                return new RunMount("bind", Context.RootPath.Resolve(root, source), target, !Rw());
            }
            case "secret":
            {
                // BuildKit's defaults: the id is the target's file name, the target /run/secrets/<id>.
                var id = fields.GetValueOrDefault("id") ?? (target is null ? null : Path.GetFileName(target));
                if (string.IsNullOrEmpty(id)) throw DockerfileErrors.At(DfName, ins.Line, "secret mount requires an id or a target");
                target ??= "/run/secrets/" + id;
                if (!session.Options.Secrets.TryGetValue(id, out var content))
                {
                    if (fields.TryGetValue("required", out var req) && req != "false")
                        throw new WharfException(ErrorKind.InvalidArgument, $"secret {id}: not found");
                    return null;
                }
                return new RunMount("bind", WriteSecret(content, fields, ins), target, true);
            }
            case "ssh":
                // The legacy /build API carries no agent socket: a required one is an error.
                if (fields.TryGetValue("required", out var sshRequired) && sshRequired != "false")
                    throw new WharfException(ErrorKind.InvalidArgument, $"ssh {fields.GetValueOrDefault("id", "default")}: not found");
                return null;
            default:
                throw DockerfileErrors.At(DfName, ins.Line, $"unsupported mount type \"{type}\"");
        }
    }

    /// <summary>A secret as a file of its own for one RUN mount, with the mount's mode (default 0400), uid and gid.</summary>
    private string WriteSecret(byte[] content, Dictionary<string, string> fields, Instruction ins)
    {
        var mode = UnixFileMode.UserRead;
        if (fields.TryGetValue("mode", out var m))
        {
            try { mode = (UnixFileMode)Convert.ToInt32(m, 8) & (UnixFileMode)0x1FF; }
            catch (Exception e) when (e is FormatException or ArgumentException or OverflowException)
            {
                throw DockerfileErrors.At(DfName, ins.Line, $"invalid secret mode \"{m}\"");
            }
        }
        int Id(string key) => fields.TryGetValue(key, out var v)
            ? int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n
                : throw DockerfileErrors.At(DfName, ins.Line, $"invalid secret {key} \"{v}\"")
            : 0;
        Directory.CreateDirectory(session.SecretRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = Path.Combine(session.SecretRoot, Guid.NewGuid().ToString("N"));
        using (var f = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
            f.Write(content);
        File.SetUnixFileMode(path, mode);
        if (Wharf.Interop.Native.lchown(path, Id("uid"), Id("gid")) != 0)
            throw new IOException($"chown of a secret file failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        return path;
    }

    /// <summary>--from of COPY and RUN --mount: a stage (by name or index) or a local image.</summary>
    private async Task<string?> ResolveFromAsync(string from, Instruction ins)
    {
        var name = Expand(from, ins);
        if (session.Plan.Find(name) is { } s)
        {
            if (s.Index >= stage.Index && session.Plan.Stages.FirstOrDefault(x => x.Name == name.ToLowerInvariant()) is null)
                throw DockerfileErrors.At(DfName, ins.Line, $"invalid from flag value {name}: refers to current build stage");
            if (s.Index == stage.Index) throw DockerfileErrors.At(DfName, ins.Line, "circular dependency detected on stage: " + name);
            return (await session.StageResult(s)).ImageId;
        }
        return session.Backend.FindImage(name)?.Id ?? throw new WharfException(ErrorKind.NotFound,
            $"invalid from flag value {name}: pull access denied for {name}: no such local image");
    }
}
