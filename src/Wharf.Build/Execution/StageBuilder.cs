using System.Text.Json;
using Wharf.Build.Parsing;
using Wharf.Core;
using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

/// <summary>
/// Builds one stage: FROM, then each instruction in order, one image per step (the legacy builder's model), each
/// step first looked up in the cache. Instruction handlers are in the other partial files.
/// </summary>
internal sealed partial class StageBuilder(BuildSession session, BuildStage stage, Func<string, Task> output)
{
    private static readonly string[] DefaultShell = ["/bin/sh", "-c"];

    private string? _imageId;
    private ImageRunConfig _config = new();
    private string? _author;
    /// <summary>The `--cache-from` images this stage may still restore steps from (null until first asked).</summary>
    private List<BaseImage>? _cacheSources;
    private bool _cmdSet;
    /// <summary>ARGs declared in this stage, in order; a null value is declared but unset.</summary>
    private readonly List<KeyValuePair<string, string?>> _args = [];

    private char Escape => session.Dockerfile.Directives.Escape;
    private string DfName => session.Dockerfile.FileName;

    public async Task<StageResult> RunAsync(CancellationToken ct)
    {
        await StepHeaderAsync(stage.From);
        await FromAsync(ct);
        foreach (var ins in stage.Instructions)
        {
            ct.ThrowIfCancellationRequested();
            await StepHeaderAsync(ins);
            await DispatchAsync(ins, ct);
        }
        return new StageResult(_imageId, _config);
    }

    private Task StepHeaderAsync(Instruction ins) =>
        output($"Step {session.StepNumbers[ins]}/{session.TotalSteps} : {ins.Original}\n");

    private async Task DispatchAsync(Instruction ins, CancellationToken ct)
    {
        try
        {
            switch (ins.Keyword)
            {
                case "RUN": await RunAsync(ins, ct); break;
                case "COPY": await CopyAsync(ins, isAdd: false, ct); break;
                case "ADD": await CopyAsync(ins, isAdd: true, ct); break;
                case "ARG": DeclareArgs(ins); break;
                default: await MetadataAsync(ins); break;
            }
        }
        catch (WharfException e) when (e.Kind == ErrorKind.InvalidArgument && !e.Message.StartsWith(DfName + ":", StringComparison.Ordinal)
                                       && ins.Keyword is not ("RUN" or "COPY" or "ADD"))
        {
            throw DockerfileErrors.At(DfName, ins.Line, e.Message);
        }
    }

    // ---- FROM -----------------------------------------------------------------------------------------

    private async Task FromAsync(CancellationToken ct)
    {
        var words = Words.Split(stage.From.Args, Escape);
        var name = Expand(words[0], GlobalLookup, stage.From);
        if (stage.From.Flag("platform") is { } p) Expand(p, GlobalLookup, stage.From);
        var earlier = session.Plan.Stages.Take(stage.Index).LastOrDefault(s => s.Name == name.ToLowerInvariant());
        if (earlier is not null)
        {
            var r = await session.StageResult(earlier);
            _imageId = r.ImageId;
            _config = r.Config;
        }
        else if (name != "scratch")
        {
            var image = session.Options.Pull ? null : session.Backend.FindImage(name);
            image ??= await session.Backend.PullAsync(name, output, ct) ?? throw new WharfException(ErrorKind.NotFound,
                $"pull access denied for {name}: no such image in wharf's local store, and this engine cannot pull it");
            _imageId = image.Id;
            _config = image.Config.Config ?? new ImageRunConfig();
        }
        if (_imageId is not null) await output($" ---> {Short(_imageId)}\n");
        await RunTriggersAsync(ct);
    }

    private async Task RunTriggersAsync(CancellationToken ct)
    {
        var triggers = _config.OnBuild ?? [];
        if (triggers.Count == 0) return;
        _config = _config with { OnBuild = null };
        await output($"# Executing {triggers.Count} build trigger{(triggers.Count == 1 ? "" : "s")}\n");
        foreach (var text in triggers)
        {
            var ins = DockerfileParser.ParseLine(text, stage.From.Line, stage.From.Line, DfName, Escape);
            await DispatchAsync(ins, ct);
        }
    }

    // ---- variables ------------------------------------------------------------------------------------

    private string? GlobalLookup(string name) => session.GlobalArgs.TryGetValue(name, out var v) ? v : null;

    /// <summary>ENV wins over ARG, as Docker documents.</summary>
    private string? Lookup(string name)
    {
        foreach (var e in _config.Env ?? [])
            if (e.Length > name.Length && e[name.Length] == '=' && e.StartsWith(name, StringComparison.Ordinal))
                return e[(name.Length + 1)..];
        for (var i = _args.Count - 1; i >= 0; i--)
            if (_args[i].Key == name) return _args[i].Value;
        return null;
    }

    private string Expand(string word, Func<string, string?> lookup, Instruction ins)
    {
        try { return session.Lexer.ProcessWord(word, lookup); }
        catch (WharfException e) { throw DockerfileErrors.At(DfName, ins.Line, e.Message); }
    }

    private string Expand(string word, Instruction ins) => Expand(word, Lookup, ins);

    private void DeclareArgs(Instruction ins)
    {
        foreach (var word in Words.Split(ins.Args, Escape))
        {
            var eq = word.IndexOf('=');
            var name = eq < 0 ? word : word[..eq];
            string? value = eq < 0 ? null : Expand(word[(eq + 1)..], ins);
            if (session.Args.TryGet(name, out var given)) value = given;
            else if (value is null && session.GlobalArgs.TryGetValue(name, out var global)) value = global;
            _args.RemoveAll(a => a.Key == name);
            _args.Add(new(name, value));
        }
    }

    /// <summary>The declared args with values that ENV does not shadow, plus given proxy args: a RUN's extra env.</summary>
    private List<string> ArgEnv()
    {
        var env = new List<string>();
        foreach (var (k, v) in _args)
            if (v is not null && !(_config.Env ?? []).Any(e => e.StartsWith(k + "=", StringComparison.Ordinal)))
                env.Add($"{k}={v}");
        foreach (var (k, v) in session.Args.GivenProxies())
            if (_args.All(a => a.Key != k)) env.Add($"{k}={v}");
        return env;
    }

    // ---- commits and cache ------------------------------------------------------------------------------

    /// <summary>The step cache first, then the `--cache-from` images; on a hit the step's image becomes current.</summary>
    private async Task<bool> TryCacheAsync(string key, string createdBy)
    {
        if (session.Options.NoCache) return false;
        var image = session.Cache.Get(key) is { } id ? session.Backend.FindImage(id) : null;
        if (image is null && CacheFromHit(createdBy) is { } restored)
        {
            image = session.Backend.FindImage(restored);
            if (image is not null) session.Cache.Put(key, image.Id);
        }
        if (image is null) return false;
        _imageId = image.Id;
        _config = image.Config.Config ?? new ImageRunConfig();
        _author = image.Config.Author;
        await output($" ---> Using cache\n ---> {Short(_imageId)}\n");
        return true;
    }

    /// <summary>
    /// Docker's legacy rule for `--cache-from`: a source image matches when the current image's history and layers
    /// are a prefix of its own and its next history entry was made by the same instruction text. The image it was at
    /// that step is then rebuilt from its blobs. After the first match only that source is followed, so one build
    /// never stitches layers of two different images together.
    /// </summary>
    private string? CacheFromHit(string createdBy)
    {
        _cacheSources ??= session.CacheSources.ToList();
        if (_cacheSources.Count == 0) return null;
        var parent = _imageId is null ? null : session.Backend.FindImage(_imageId);
        var parentHistory = parent?.Config.History ?? [];
        var parentDiffs = parent?.Config.RootFs.DiffIds ?? [];
        foreach (var source in _cacheSources)
        {
            var history = source.Config.History ?? [];
            var diffs = source.Config.RootFs.DiffIds;
            if (history.Count <= parentHistory.Count || diffs.Count < parentDiffs.Count) continue;
            if (!parentDiffs.SequenceEqual(diffs.Take(parentDiffs.Count), StringComparer.Ordinal)) continue;
            if (!parentHistory.Select(SameStep).SequenceEqual(history.Take(parentHistory.Count).Select(SameStep))) continue;
            if (history[parentHistory.Count].CreatedBy != createdBy) continue;
            var id = session.Backend.CommitCachePrefix(_imageId, source.Id, parentHistory.Count + 1, _config);
            _cacheSources = [source];
            return id;
        }
        return null;

        static (string?, bool) SameStep(HistoryEntry h) => (h.CreatedBy, h.EmptyLayer == true);
    }

    private async Task CommittedAsync(string key, string imageId)
    {
        _imageId = imageId;
        session.Cache.Put(key, imageId);
        await output($" ---> {Short(imageId)}\n");
    }

    private string ConfigJson() => JsonSerializer.Serialize(_config, OciJsonContext.Default.ImageRunConfig);

    internal static string Short(string id) => (id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id)[..12];
}
