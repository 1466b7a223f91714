using System.Text.RegularExpressions;
using Wharf.Api.Containers;
using Wharf.Api.Images;
using Wharf.Core;
using Wharf.Images;
using Wharf.Oci.Image;
using Wharf.Oci.Reference;

namespace Wharf.Engine.Images;

public sealed partial class ImageService
{
    private static readonly string[] KnownFilters = ["dangling", "label", "label!", "reference", "before", "since", "until"];

    /// <summary>GET /images/json. Filters: dangling, label, label!, reference, before, since, until.</summary>
    public IReadOnlyList<ImageSummary> List(bool all = false, IReadOnlyDictionary<string, IReadOnlyList<string>>? filters = null)
    {
        filters ??= new Dictionary<string, IReadOnlyList<string>>();
        foreach (var key in filters.Keys)
            if (!KnownFilters.Contains(key)) throw WharfException.Invalid($"invalid filter '{key}'");
        bool? dangling = null;
        if (filters.TryGetValue("dangling", out var dv) && dv.Count > 0)
        {
            dangling = dv[0].ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw WharfException.Invalid($"Invalid filter 'dangling={dv[0]}'"),
            };
        }
        lock (_lock)
        {
            DateTimeOffset? before = filters.TryGetValue("before", out var b) && b.Count > 0 ? CreatedOf(b[0]) : null;
            DateTimeOffset? since = filters.TryGetValue("since", out var s) && s.Count > 0 ? CreatedOf(s[0]) : null;
            DateTimeOffset? until = filters.TryGetValue("until", out var u) && u.Count > 0 ? ParseUntil(u[0]) : null;
            var patterns = filters.TryGetValue("reference", out var rp) ? rp.Select(GlobToRegex).ToList() : null;
            var parents = Store.Images.Where(m => m.Parent is not null).Select(m => m.Parent!).ToHashSet(StringComparer.Ordinal);

            var result = new List<ImageSummary>();
            foreach (var meta in Store.Images)
            {
                var config = Store.GetConfig(meta.Id);
                var created = config.Created ?? DateTimeOffset.UnixEpoch;
                if (before is not null && created >= before) continue;
                if (since is not null && created <= since) continue;
                if (until is not null && created > until) continue;
                var labels = config.Config?.Labels;
                if (filters.TryGetValue("label", out var want) && !want.All(l => LabelMatches(labels, l))) continue;
                if (filters.TryGetValue("label!", out var notWant) && notWant.Any(l => LabelMatches(labels, l))) continue;

                var tags = new List<string>();
                var digests = new List<string>();
                foreach (var r in Store.References(meta.Id))
                {
                    if (patterns is not null && !patterns.Any(p => p.IsMatch(r.FamiliarString) || p.IsMatch(r.FamiliarName))) continue;
                    if (r.Digest is not null) digests.Add(r.FamiliarString); else tags.Add(r.FamiliarString);
                }
                if (tags.Count == 0 && digests.Count == 0)
                {
                    if (patterns is not null) continue;
                    if (dangling == false) continue;
                    // Untagged parents of other images are intermediate layers, hidden unless all=1.
                    if (!all && parents.Contains(meta.Id)) continue;
                }
                else if (dangling == true && tags.Count > 0)
                {
                    continue;
                }
                result.Add(new ImageSummary
                {
                    Id = meta.Id,
                    ParentId = meta.Parent ?? "",
                    RepoTags = tags,
                    RepoDigests = digests,
                    Created = created.ToUnixTimeSeconds(),
                    Size = meta.Size,
                    Labels = labels is null ? null : new Dictionary<string, string>(labels),
                });
            }
            return result.OrderByDescending(i => i.Created).ThenBy(i => i.Id, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>GET /images/{name}/json.</summary>
    public ImageInspect Inspect(string reference)
    {
        lock (_lock)
        {
            var id = ResolveId(reference, out _);
            var meta = Store.Get(id)!;
            var config = Store.GetConfig(id);
            var (tags, digests) = Names(id);
            var chains = Store.ChainIds(id);
            var graphData = new Dictionary<string, string>();
            if (chains.Count > 0)
            {
                graphData["UpperDir"] = Snapshots.LayerPath(chains[^1]);
                if (chains.Count > 1)
                    graphData["LowerDir"] = string.Join(':', chains.Take(chains.Count - 1).Reverse().Select(Snapshots.LayerPath));
            }
            return new ImageInspect
            {
                Id = id,
                RepoTags = tags,
                RepoDigests = digests,
                Parent = meta.Parent ?? "",
                Comment = config.Comment ?? config.History?.LastOrDefault()?.Comment ?? "",
                Created = FormatTime(config.Created),
                DockerVersion = config.DockerVersion ?? "",
                Author = config.Author ?? "",
                Config = ToApi(config.Config) ?? new ImageConfig(),
                ContainerConfig = ToApi(config.ContainerConfig) ?? new ImageConfig(),
                Architecture = config.Architecture,
                Variant = config.Variant,
                Os = config.Os,
                Size = meta.Size,
                GraphDriver = new GraphDriverData { Name = "overlay2", Data = graphData },
                RootFS = new ImageRootFs { Layers = [.. config.RootFs.DiffIds] },
                Metadata = new ImageMetadata { LastTagTime = meta.LastTagTime is null ? "0001-01-01T00:00:00Z" : FormatTime(meta.LastTagTime) },
            };
        }
    }

    internal static ImageConfig? ToApi(ImageRunConfig? c) => c is null ? null : new ImageConfig
    {
        User = c.User ?? "",
        ExposedPorts = c.ExposedPorts is null ? null : c.ExposedPorts.ToDictionary(kv => kv.Key, _ => (object)new Dictionary<string, object>()),
        Env = c.Env?.ToList(),
        Cmd = c.Cmd?.ToList(),
        Healthcheck = c.Healthcheck is null ? null : new HealthConfig
        {
            Test = c.Healthcheck.Test?.ToList(),
            Interval = c.Healthcheck.Interval,
            Timeout = c.Healthcheck.Timeout,
            StartPeriod = c.Healthcheck.StartPeriod,
            StartInterval = c.Healthcheck.StartInterval,
            Retries = c.Healthcheck.Retries,
        },
        ArgsEscaped = c.ArgsEscaped,
        Volumes = c.Volumes is null ? null : c.Volumes.ToDictionary(kv => kv.Key, _ => (object)new Dictionary<string, object>()),
        WorkingDir = c.WorkingDir ?? "",
        Entrypoint = c.Entrypoint?.ToList(),
        OnBuild = c.OnBuild?.ToList(),
        Labels = c.Labels is null ? null : new Dictionary<string, string>(c.Labels),
        StopSignal = c.StopSignal,
        Shell = c.Shell?.ToList(),
    };

    private DateTimeOffset CreatedOf(string reference)
    {
        var id = ResolveId(reference, out _);
        return Store.GetConfig(id).Created ?? DateTimeOffset.UnixEpoch;
    }

    /// <summary>until=: unix seconds (with optional fraction), RFC 3339, or a Go-style duration ago ("10m", "1h30m").</summary>
    private static DateTimeOffset ParseUntil(string value)
    {
        if (decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out var secs))
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(secs * 1000));
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
            return t;
        var m = DurationRegex().Match(value);
        if (m.Success && m.Length == value.Length && value.Length > 0)
        {
            var total = TimeSpan.Zero;
            foreach (Capture c in m.Groups["part"].Captures)
            {
                var unit = c.Value[^1..];
                var num = double.Parse(c.Value.AsSpan(0, c.Value.Length - (c.Value.EndsWith("ms", StringComparison.Ordinal) ? 2 : 1)), System.Globalization.CultureInfo.InvariantCulture);
                total += c.Value.EndsWith("ms", StringComparison.Ordinal) ? TimeSpan.FromMilliseconds(num)
                    : unit switch { "h" => TimeSpan.FromHours(num), "m" => TimeSpan.FromMinutes(num), _ => TimeSpan.FromSeconds(num) };
            }
            return DateTimeOffset.UtcNow - total;
        }
        throw WharfException.Invalid($"failed to parse value {value} as time");
    }

    [GeneratedRegex(@"^(?:(?<part>[0-9]+(?:\.[0-9]+)?(?:ms|h|m|s)))+")]
    private static partial Regex DurationRegex();

    private static bool LabelMatches(IReadOnlyDictionary<string, string>? labels, string filter)
    {
        if (labels is null) return false;
        int eq = filter.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0) return labels.ContainsKey(filter);
        return labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    /// <summary>Go's path.Match as a regex: '*' and '?' do not cross '/', [classes] and '\' escapes kept.</summary>
    internal static Regex GlobToRegex(string pattern)
    {
        var sb = new System.Text.StringBuilder("^");
        for (int i = 0; i < pattern.Length; i++)
        {
            char c = pattern[i];
            switch (c)
            {
                case '*': sb.Append("[^/]*"); break;
                case '?': sb.Append("[^/]"); break;
                case '\\' when i + 1 < pattern.Length: sb.Append(Regex.Escape(pattern[++i].ToString())); break;
                case '[':
                    {
                        int end = pattern.IndexOf(']', i + 1);
                        if (end < 0) throw WharfException.Invalid("syntax error in pattern");
                        var cls = pattern[(i + 1)..end];
                        if (cls.StartsWith('^')) cls = "^" + cls[1..].Replace("\\", "\\\\", StringComparison.Ordinal);
                        else cls = cls.Replace("\\", "\\\\", StringComparison.Ordinal);
                        sb.Append('[').Append(cls).Append(']');
                        i = end;
                        break;
                    }
                default: sb.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
