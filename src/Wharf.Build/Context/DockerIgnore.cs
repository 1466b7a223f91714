namespace Wharf.Build.Context;

/// <summary>
/// A .dockerignore file with Docker's matching: patterns are read in order, the last one that matches a path (or
/// one of its parent directories) decides, and <c>!</c> lines re-include.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<IgnorePattern> _patterns;

    private readonly string _prefix;

    private DockerIgnore(List<IgnorePattern> patterns, string prefix = "")
    {
        _patterns = patterns;
        _prefix = prefix;
    }

    public static DockerIgnore Empty { get; } = new([]);

    public bool HasExclusions => _patterns.Any(p => p.Exclusion);

    public static DockerIgnore Parse(string text)
    {
        var patterns = new List<IgnorePattern>();
        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            var exclusion = line[0] == '!';
            if (exclusion) line = line[1..].Trim();
            line = Clean(line);
            if (line.Length == 0) continue;
            patterns.Add(new IgnorePattern(line, exclusion));
        }
        return new DockerIgnore(patterns);
    }

    /// <summary>Is the context path (relative, '/'-separated) left out of the build context?</summary>
    public bool IsIgnored(string path)
    {
        if (_patterns.Count == 0) return false;
        path = Clean(_prefix + path);
        var parent = path.Contains('/') ? path[..path.LastIndexOf('/')] : "";
        var parents = parent.Length == 0 ? [] : parent.Split('/');
        var matched = false;
        foreach (var p in _patterns)
        {
            // An inclusion cannot change an already ignored path, nor an exception a kept one.
            if (p.Exclusion != matched) continue;
            var match = p.Matches(path);
            for (var i = 0; !match && i < parents.Length; i++)
                match = p.Matches(string.Join('/', parents[..(i + 1)]));
            if (match) matched = !p.Exclusion;
        }
        return matched;
    }

    /// <summary>The same patterns seen from inside <paramref name="directory"/> (for --exclude while walking a tree):
    /// a path "x" there is matched as "directory/x".</summary>
    public DockerIgnore Sub(string directory) => _patterns.Count == 0 ? this : new DockerIgnore(_patterns, _prefix + directory + "/");

    /// <summary>
    /// Which ignore file applies: <c>&lt;dockerfile&gt;.dockerignore</c> next to the Dockerfile wins over the
    /// context's <c>.dockerignore</c>, as with BuildKit.
    /// </summary>
    public static string[] Candidates(string dockerfilePath) => [Clean(dockerfilePath) + ".dockerignore", ".dockerignore"];

    /// <summary>filepath.Clean, then relative: "./a//b/../c/" becomes "a/c"; "/x" becomes "x".</summary>
    internal static string Clean(string path)
    {
        var stack = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part.Length == 0 || part == ".") continue;
            if (part == "..") { if (stack.Count > 0) stack.RemoveAt(stack.Count - 1); continue; }
            stack.Add(part);
        }
        return string.Join('/', stack);
    }
}
