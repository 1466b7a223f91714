using System.Text.Json.Nodes;
using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Runtime;

/// <summary>
/// Builds the OCI process JSON for <c>runc exec --process</c> from the container's own <c>process</c> in its
/// config.json, the way moby builds an exec spec: the container's environment, cwd, user, capabilities,
/// rlimits and security labels, then the exec's overrides on top.
/// </summary>
public static class ExecProcessSpec
{
    /// <param name="containerConfigJson">The container's config.json.</param>
    /// <param name="exec">The exec's overrides.</param>
    /// <param name="rootfsPath">The mounted rootfs, where a user name is looked up.</param>
    /// <param name="availableCaps">Capability mask --privileged grants (wharfd's bounding set).</param>
    public static string Build(string containerConfigJson, ExecProcess exec, string rootfsPath, ulong availableCaps)
    {
        ArgumentNullException.ThrowIfNull(exec);
        if (exec.Args.Count == 0) throw WharfException.Invalid("No exec command specified");
        var config = JsonNode.Parse(containerConfigJson) as JsonObject
            ?? throw WharfException.Internal("container config.json is not an object");
        var process = config["process"]?.DeepClone() as JsonObject ?? new JsonObject();
        bool containerTty = process["terminal"]?.GetValue<bool>() ?? false;

        process["args"] = new JsonArray([.. exec.Args.Select(a => (JsonNode?)JsonValue.Create(a))]);
        process["terminal"] = exec.Tty;
        process.Remove("consoleSize");
        if (exec.Tty && exec.ConsoleHeight > 0 && exec.ConsoleWidth > 0)
            process["consoleSize"] = new JsonObject { ["height"] = exec.ConsoleHeight, ["width"] = exec.ConsoleWidth };
        process["env"] = new JsonArray([.. BuildEnv(ReadEnv(process), containerTty, exec).Select(e => (JsonNode?)JsonValue.Create(e))]);
        if (!string.IsNullOrEmpty(exec.WorkingDir)) process["cwd"] = exec.WorkingDir;
        if (!string.IsNullOrEmpty(exec.User))
        {
            var user = UserResolver.Resolve(rootfsPath, exec.User);
            var node = new JsonObject { ["uid"] = user.Uid, ["gid"] = user.Gid };
            if (user.AdditionalGids.Count > 0)
                node["additionalGids"] = new JsonArray([.. user.AdditionalGids.Select(g => (JsonNode?)JsonValue.Create(g))]);
            process["user"] = node;
        }
        if (exec.Privileged)
        {
            // Docker's exec --privileged: every capability the daemon has, in all sets but inheritable/ambient.
            JsonArray All() => new([.. Capabilities.FromMask(availableCaps).Select(c => (JsonNode?)JsonValue.Create(c))]);
            process["capabilities"] = new JsonObject
            {
                ["bounding"] = All(), ["effective"] = All(), ["permitted"] = All(),
                ["inheritable"] = new JsonArray(), ["ambient"] = new JsonArray(),
            };
        }
        // The container's init owns its oom_score_adj; an exec inherits the cgroup's processes' setting.
        process.Remove("oomScoreAdj");
        return process.ToJsonString();
    }

    private static List<string> ReadEnv(JsonObject process) =>
        process["env"] is JsonArray arr ? [.. arr.Select(n => n?.GetValue<string>() ?? "").Where(s => s.Length > 0)] : [];

    /// <summary>The container's environment with TERM following the exec's tty (Docker's CreateDaemonEnvironment
    /// for the exec), then the exec's own entries replacing same-named ones.</summary>
    internal static List<string> BuildEnv(List<string> containerEnv, bool containerTty, ExecProcess exec)
    {
        var env = new List<string>(containerEnv);
        if (containerTty && !exec.Tty) env.Remove("TERM=xterm");
        if (exec.Tty && !env.Exists(e => e.StartsWith("TERM=", StringComparison.Ordinal))) env.Add("TERM=xterm");
        foreach (var entry in exec.Env)
        {
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? entry : entry[..eq];
            int at = env.FindIndex(e => e == key || e.StartsWith(key + "=", StringComparison.Ordinal));
            if (eq < 0)
            {
                // "KEY" alone removes the variable, as in moby's ReplaceOrAppendEnvValues.
                if (at >= 0) env.RemoveAt(at);
                continue;
            }
            if (at >= 0) env[at] = entry;
            else env.Add(entry);
        }
        return env;
    }
}
