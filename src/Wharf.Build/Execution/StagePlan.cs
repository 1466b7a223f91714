using Wharf.Build.Parsing;
using Wharf.Core;

namespace Wharf.Build.Execution;

/// <summary>The Dockerfile cut into stages, with the ARGs before the first FROM (the "meta" args FROM lines see).</summary>
internal sealed class StagePlan
{
    private StagePlan(IReadOnlyList<Instruction> metaArgs, IReadOnlyList<BuildStage> stages)
    {
        MetaArgs = metaArgs;
        Stages = stages;
    }

    public IReadOnlyList<Instruction> MetaArgs { get; }
    public IReadOnlyList<BuildStage> Stages { get; }

    public static StagePlan Create(Dockerfile df)
    {
        var meta = new List<Instruction>();
        var stages = new List<BuildStage>();
        Instruction? from = null;
        var body = new List<Instruction>();
        foreach (var ins in df.Instructions)
        {
            if (ins.Keyword == "FROM")
            {
                if (from is not null) stages.Add(Make(stages.Count, from, body, df));
                from = ins;
                body = [];
            }
            else if (from is null)
            {
                if (ins.Keyword != "ARG") throw DockerfileErrors.At(df.FileName, ins.Line, "no build stage in current context");
                meta.Add(ins);
            }
            else body.Add(ins);
        }
        if (from is null) throw WharfException.Invalid($"{df.FileName}: no build stage in current context");
        stages.Add(Make(stages.Count, from, body, df));
        return new StagePlan(meta, stages);
    }

    private static BuildStage Make(int index, Instruction from, List<Instruction> body, Dockerfile df)
    {
        var words = Words.Split(from.Args, df.Directives.Escape);
        var name = words.Count == 3 ? words[2].ToLowerInvariant() : null;
        return new BuildStage(index, name, from, body);
    }

    /// <summary>The stage a name or index ("0", "build") means, or null.</summary>
    public BuildStage? Find(string nameOrIndex)
    {
        var lower = nameOrIndex.ToLowerInvariant();
        var named = Stages.FirstOrDefault(s => s.Name == lower);
        if (named is not null) return named;
        return int.TryParse(nameOrIndex, out var i) && i >= 0 && i < Stages.Count ? Stages[i] : null;
    }

    public BuildStage Target(string? target)
    {
        if (string.IsNullOrEmpty(target)) return Stages[^1];
        return Stages.FirstOrDefault(s => s.Name == target.ToLowerInvariant())
               ?? throw WharfException.Invalid($"failed to reach build target {target} in Dockerfile");
    }
}
