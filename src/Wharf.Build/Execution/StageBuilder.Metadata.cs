using Wharf.Build.Context;
using Wharf.Build.Parsing;
using Wharf.Core;
using Wharf.Oci.Image;

namespace Wharf.Build.Execution;

internal sealed partial class StageBuilder
{
    /// <summary>Instructions that only change the image config: an empty_layer history entry each.</summary>
    private async Task MetadataAsync(Instruction ins)
    {
        var description = ApplyMetadata(ins);
        var createdBy = $"/bin/sh -c #(nop)  {description}";
        var key = BuildCache.Key("meta", _imageId, createdBy, ConfigJson(), _author);
        var pending = _config;
        var author = _author;
        if (await TryCacheAsync(key, createdBy))
        {
            // the cached image holds exactly this config; local flags (CMD seen) still follow this file
            return;
        }
        _config = pending;
        _author = author;
        var commit = new StepCommit(_imageId, _config, createdBy, _author);
        var id = ins.Keyword == "WORKDIR" && CreateWorkdir(commit) is { } withDir ? withDir : session.Backend.CommitEmpty(commit);
        await CommittedAsync(key, id);
    }

    /// <summary>
    /// WORKDIR makes its directory (owned by root, as the legacy builder's ContainerCreateWorkdir does) so that it
    /// exists in the image even for a read-only container; null when it is already there and the step stays
    /// metadata only.
    /// </summary>
    private string? CreateWorkdir(StepCommit commit)
    {
        using var snapshot = session.Backend.OpenSnapshot(_imageId);
        var existing = RootPath.Resolve(snapshot.Root, _config.WorkingDir ?? "/");
        if (Directory.Exists(existing)) return null;
        FileCopier.MakeDirs(snapshot.Root, _config.WorkingDir ?? "/", (0, 0));
        return snapshot.Commit(commit);
    }

    /// <summary>Applies the instruction to the config; returns its text for the history entry.</summary>
    private string ApplyMetadata(Instruction ins)
    {
        switch (ins.Keyword)
        {
            case "ENV":
            {
                var pairs = KeyValues(ins);
                var env = (_config.Env ?? []).ToList();
                foreach (var (k, v) in pairs)
                {
                    env.RemoveAll(e => e.StartsWith(k + "=", StringComparison.Ordinal) || e == k);
                    env.Add($"{k}={v}");
                }
                _config = _config with { Env = env };
                return "ENV " + string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}"));
            }
            case "LABEL":
            {
                var pairs = KeyValues(ins);
                var labels = new Dictionary<string, string>(_config.Labels ?? new Dictionary<string, string>());
                foreach (var (k, v) in pairs) labels[k] = v;
                _config = _config with { Labels = labels };
                return "LABEL " + string.Join(' ', pairs.Select(p => $"{p.Key}={p.Value}"));
            }
            case "CMD":
                _config = _config with { Cmd = CommandOf(ins) };
                _cmdSet = true;
                return "CMD " + Describe(_config.Cmd);
            case "ENTRYPOINT":
                _config = _config with { Entrypoint = CommandOf(ins) is { Count: > 0 } ep ? ep : null, Cmd = _cmdSet ? _config.Cmd : null };
                return "ENTRYPOINT " + Describe(_config.Entrypoint);
            case "WORKDIR":
            {
                var dir = Expand(ins.Args.Trim(), ins);
                if (!dir.StartsWith('/')) dir = (_config.WorkingDir ?? "/").TrimEnd('/') + "/" + dir;
                _config = _config with { WorkingDir = CleanPath(dir) };
                return "WORKDIR " + _config.WorkingDir;
            }
            case "USER":
                _config = _config with { User = Expand(ins.Args.Trim(), ins) };
                return "USER " + _config.User;
            case "EXPOSE":
            {
                var ports = new Dictionary<string, object>(_config.ExposedPorts ?? new Dictionary<string, object>());
                var added = new List<string>();
                foreach (var w in Words.Split(ins.Args, Escape))
                    foreach (var p in ExpandPorts(Expand(w, ins)))
                    {
                        ports[p] = new Dictionary<string, object>();
                        added.Add(p);
                    }
                _config = _config with { ExposedPorts = ports };
                return "EXPOSE " + string.Join(' ', added);
            }
            case "VOLUME":
            {
                var volumes = new Dictionary<string, object>(_config.Volumes ?? new Dictionary<string, object>());
                var list = ins.Json ?? (IReadOnlyList<string>)Words.Split(ins.Args, Escape);
                var added = new List<string>();
                foreach (var v in list)
                {
                    var path = Expand(v, ins);
                    if (string.IsNullOrWhiteSpace(path)) throw WharfException.Invalid("VOLUME specified can not be an empty string");
                    volumes[path] = new Dictionary<string, object>();
                    added.Add(path);
                }
                _config = _config with { Volumes = volumes };
                return "VOLUME [" + string.Join(' ', added) + "]";
            }
            case "STOPSIGNAL":
                _config = _config with { StopSignal = Expand(ins.Args.Trim(), ins) };
                return "STOPSIGNAL " + _config.StopSignal;
            case "HEALTHCHECK":
                _config = _config with { Healthcheck = Healthcheck(ins) };
                return "HEALTHCHECK " + Describe(_config.Healthcheck!.Test);
            case "SHELL":
                _config = _config with { Shell = ins.Json };
                return "SHELL " + Describe(ins.Json);
            case "ONBUILD":
                _config = _config with { OnBuild = [.. _config.OnBuild ?? [], ins.Args] };
                return "ONBUILD " + ins.Args;
            case "MAINTAINER":
                _author = ins.Args.Trim();
                return "MAINTAINER " + _author;
            default:
                throw WharfException.Invalid($"unknown instruction: {ins.Keyword}");
        }
    }

    private List<string> CommandOf(Instruction ins) =>
        ins.Json?.ToList() ?? [.. _config.Shell ?? DefaultShell, ins.Args];

    private static string Describe(IReadOnlyList<string>? list) =>
        list is null ? "[]" : "[" + string.Join(' ', list.Select(s => "\"" + s + "\"")) + "]";

    /// <summary>ENV and LABEL pairs: "k=v k2=v2" (quotes removed by expansion) or the old "k value…" form.</summary>
    private List<KeyValuePair<string, string>> KeyValues(Instruction ins)
    {
        var words = Words.Split(ins.Args, Escape);
        var result = new List<KeyValuePair<string, string>>();
        if (!words[0].Contains('='))
        {
            var rest = ins.Args.Trim();
            var split = rest.IndexOfAny([' ', '\t']);
            result.Add(new(Expand(rest[..split], ins), Expand(rest[split..].Trim(), ins)));
            return result;
        }
        foreach (var w in words)
        {
            var eq = w.IndexOf('=');
            result.Add(new(Expand(w[..eq], ins), Expand(w[(eq + 1)..], ins)));
        }
        return result;
    }

    private static IEnumerable<string> ExpandPorts(string spec)
    {
        var slash = spec.IndexOf('/');
        var proto = slash < 0 ? "tcp" : spec[(slash + 1)..].ToLowerInvariant();
        var range = slash < 0 ? spec : spec[..slash];
        var dash = range.IndexOf('-');
        if (!int.TryParse(dash < 0 ? range : range[..dash], out var start) ||
            !int.TryParse(dash < 0 ? range : range[(dash + 1)..], out var end) || start < 0 || end > 65535 || end < start)
            throw WharfException.Invalid($"invalid containerPort: {range}");
        for (var p = start; p <= end; p++) yield return $"{p}/{proto}";
    }

    private HealthcheckConfig Healthcheck(Instruction ins)
    {
        var rest = ins.Args.Trim();
        var type = rest.Split([' ', '\t'], 2)[0];
        if (type.Equals("NONE", StringComparison.OrdinalIgnoreCase)) return new HealthcheckConfig { Test = ["NONE"] };
        var cmd = rest[type.Length..].Trim();
        var test = Words.TryJsonArray(cmd) is { } json ? (IReadOnlyList<string>)["CMD", .. json] : ["CMD-SHELL", cmd];
        return new HealthcheckConfig
        {
            Test = test,
            Interval = Duration(ins, "interval"),
            Timeout = Duration(ins, "timeout"),
            StartPeriod = Duration(ins, "start-period"),
            StartInterval = Duration(ins, "start-interval"),
            Retries = ins.Flag("retries") is { } r ? int.TryParse(Expand(r, ins), out var n) && n >= 0 ? n
                : throw WharfException.Invalid($"invalid value for flag --retries: {r}") : 0,
        };
    }

    private long Duration(Instruction ins, string flag)
    {
        if (ins.Flag(flag) is not { } text) return 0;
        var ns = GoDurations.Parse(Expand(text, ins));
        if (ns is not { } v) throw WharfException.Invalid($"time: invalid duration \"{text}\"");
        return v;
    }

    internal static string CleanPath(string path)
    {
        var parts = new List<string>();
        foreach (var p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return "/" + string.Join('/', parts);
    }
}
