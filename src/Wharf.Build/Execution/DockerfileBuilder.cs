using System.Collections.Concurrent;
using Wharf.Build.Context;
using Wharf.Build.Parsing;
using Wharf.Core;
using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

/// <summary>
/// POST /build's engine: reads the Dockerfile and .dockerignore from the context, plans the stages the target
/// needs, builds them (independent ones concurrently), applies --label, tags the result and reports
/// "Successfully built …" the way the legacy builder does.
/// </summary>
public sealed class DockerfileBuilder(IBuildBackend backend, BuildCache cache, string cacheMountRoot)
{
    public async Task<string> BuildAsync(BuildContext context, BuildOptions options, IBuildOutput output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Beside the context (on tmpfs for small contexts), never inside it: COPY must not see secrets.
        var secretRoot = Path.TrimEndingDirectorySeparator(context.Root) + ".secrets";
        try
        {
            return await BuildCoreAsync(context, options, output, secretRoot, ct);
        }
        finally
        {
            if (Directory.Exists(secretRoot)) Directory.Delete(secretRoot, recursive: true);
        }
    }

    private async Task<string> BuildCoreAsync(BuildContext context, BuildOptions options, IBuildOutput output, string secretRoot, CancellationToken ct)
    {
        var dockerfileRel = DockerIgnore.Clean(options.DockerfilePath);
        var dockerfilePath = RootPath.Resolve(context.Root, dockerfileRel);
        if (!File.Exists(dockerfilePath))
            throw WharfException.Invalid($"Cannot locate specified Dockerfile: {options.DockerfilePath}");
        var text = await File.ReadAllTextAsync(dockerfilePath, ct);
        foreach (var candidate in DockerIgnore.Candidates(dockerfileRel))
        {
            var path = RootPath.Resolve(context.Root, candidate);
            if (!File.Exists(path)) continue;
            var ignore = DockerIgnore.Parse(await File.ReadAllTextAsync(path, ct));
            context.Prune(ignore.IsIgnored);
            break;
        }
        var df = DockerfileParser.Parse(text, Path.GetFileName(dockerfileRel));
        var plan = StagePlan.Create(df);
        var args = new BuildArgs(options.BuildArgs, options.Platform);
        var target = plan.Target(options.Target);

        Func<string, Task> sink = options.Quiet ? _ => Task.CompletedTask : output.StreamAsync;
        var global = MetaArgs(plan, df, args);
        var needed = Needed(plan, target, global, df.Directives.Escape);
        var (numbers, total) = Number(plan, needed);
        for (var i = 0; i < plan.MetaArgs.Count; i++) await sink($"Step {i + 1}/{total} : {plan.MetaArgs[i].Original}\n");

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var ordered = new OrderedOutput(sink);
        var tasks = new ConcurrentDictionary<int, Lazy<Task<StageResult>>>();
        BuildSession? session = null;
        Task<StageResult> StageTask(BuildStage s) => tasks.GetOrAdd(s.Index, _ =>
        {
            var channel = ordered.Add();
            return new Lazy<Task<StageResult>>(() => Task.Run(async () =>
            {
                try
                {
                    return await new StageBuilder(session!, s, async t => await channel.Writer.WriteAsync(t)).RunAsync(cts.Token);
                }
                catch
                {
                    await cts.CancelAsync();
                    throw;
                }
                finally
                {
                    channel.Writer.TryComplete();
                }
            }));
        }).Value;
        session = new BuildSession
        {
            Backend = backend, Options = options, Cache = cache, Args = args, Plan = plan, Dockerfile = df,
            ContextRoot = context.Root, CacheMountRoot = cacheMountRoot, SecretRoot = secretRoot, GlobalArgs = global,
            StageResult = StageTask, StepNumbers = numbers, TotalSteps = total,
            CacheSources = [.. options.CacheFrom.Select(backend.FindImage).OfType<BaseImage>()],
        };

        // Every needed stage starts now; each one awaits the stages it depends on.
        foreach (var s in needed) _ = StageTask(s);
        var targetTask = StageTask(target);
        var all = Task.WhenAll(needed.Select(StageTask));
        await ordered.PumpAsync(all.ContinueWith(_ => { }, TaskScheduler.Default));
        var failure = needed.Select(StageTask).FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException)
                      ?? needed.Select(StageTask).FirstOrDefault(t => t.IsFaulted || t.IsCanceled);
        if (failure is not null) await failure; // rethrows the first real error
        ct.ThrowIfCancellationRequested();
        var result = await targetTask;

        var imageId = result.ImageId;
        var config = result.Config;
        if (options.Labels.Count > 0 || imageId is null)
        {
            var labels = new Dictionary<string, string>(config.Labels ?? new Dictionary<string, string>());
            foreach (var (k, v) in options.Labels) labels[k] = v;
            config = config with { Labels = labels.Count > 0 ? labels : config.Labels };
            imageId = backend.CommitEmpty(new StepCommit(imageId, config,
                "/bin/sh -c #(nop)  LABEL " + string.Join(' ', options.Labels.Select(kv => $"{kv.Key}={kv.Value}")), null));
        }
        var unused = args.Unconsumed();
        if (unused.Count > 0) await sink($"[Warning] One or more build-args [{string.Join(' ', unused)}] were not consumed\n");
        await output.AuxAsync(imageId);
        await sink($"Successfully built {StageBuilder.Short(imageId)}\n");
        foreach (var tag in options.Tags)
        {
            backend.Tag(imageId, tag);
            await sink($"Successfully tagged {NormalizeTag(tag)}\n");
        }
        if (options.Quiet) await output.StreamAsync(imageId + "\n");
        return imageId;
    }

    private static string NormalizeTag(string tag)
    {
        var lastSlash = tag.LastIndexOf('/');
        return tag.IndexOf(':', lastSlash + 1) < 0 && !tag.Contains('@') ? tag + ":latest" : tag;
    }

    private static Dictionary<string, string?> MetaArgs(StagePlan plan, Dockerfile df, BuildArgs args)
    {
        var global = args.Platform.ToDictionary(kv => kv.Key, kv => (string?)kv.Value);
        var lexer = new ShellLexer(df.Directives.Escape);
        foreach (var ins in plan.MetaArgs)
        {
            foreach (var word in Words.Split(ins.Args, df.Directives.Escape))
            {
                var eq = word.IndexOf('=');
                var name = eq < 0 ? word : word[..eq];
                string? value;
                try { value = eq < 0 ? null : lexer.ProcessWord(word[(eq + 1)..], n => global.GetValueOrDefault(n)); }
                catch (WharfException e) { throw DockerfileErrors.At(df.FileName, ins.Line, e.Message); }
                if (args.TryGet(name, out var given)) value = given;
                global[name] = value;
            }
        }
        return global;
    }

    /// <summary>The target and every stage it reaches through FROM or --from (as far as meta args resolve them).</summary>
    private static List<BuildStage> Needed(StagePlan plan, BuildStage target, IReadOnlyDictionary<string, string?> global, char escape)
    {
        var lexer = new ShellLexer(escape);
        string Exp(string w)
        {
            try { return lexer.ProcessWord(w, n => global.GetValueOrDefault(n)); }
            catch (WharfException) { return w; }
        }
        var needed = new SortedDictionary<int, BuildStage>();
        var queue = new Queue<BuildStage>([target]);
        while (queue.Count > 0)
        {
            var s = queue.Dequeue();
            if (!needed.TryAdd(s.Index, s)) continue;
            var refs = new List<string> { Exp(Words.Split(s.From.Args, escape)[0]) };
            foreach (var ins in s.Instructions.Concat(s.Instructions.Select(i => i.Trigger).OfType<Instruction>()))
            {
                if (ins.Flag("from") is { } f) refs.Add(Exp(f));
                foreach (var m in ins.FlagValues("mount"))
                    foreach (var part in m.Split(','))
                        if (part.StartsWith("from=", StringComparison.Ordinal)) refs.Add(Exp(part[5..]));
            }
            foreach (var r in refs)
            {
                var dep = plan.Stages.Take(s.Index).LastOrDefault(x => x.Name == r.ToLowerInvariant())
                          ?? (int.TryParse(r, out var idx) && idx >= 0 && idx < s.Index ? plan.Stages[idx] : null);
                if (dep is not null) queue.Enqueue(dep);
            }
        }
        return needed.Values.ToList();
    }

    private static (Dictionary<Instruction, int>, int) Number(StagePlan plan, List<BuildStage> needed)
    {
        var numbers = new Dictionary<Instruction, int>(ReferenceEqualityComparer.Instance);
        var n = plan.MetaArgs.Count;
        foreach (var s in needed.Concat(plan.Stages.Except(needed)))
        {
            numbers[s.From] = ++n;
            foreach (var i in s.Instructions) numbers[i] = ++n;
        }
        var total = plan.MetaArgs.Count + needed.Sum(s => 1 + s.Instructions.Count);
        return (numbers, total);
    }
}
