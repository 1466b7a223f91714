using Wharf.Api.Containers;
using Wharf.Oci.Image;

namespace Wharf.Engine.Containers;

/// <summary>Merges an image's run config into a container config the way moby's daemon does
/// (user values win; Env by key with the user's entries first; image Cmd dropped when the user
/// gives an Entrypoint).</summary>
public static class ConfigMerge
{
    public static void Merge(ContainerConfig user, ImageRunConfig? image)
    {
        // `--entrypoint ""` arrives as [""]: an explicit "no entrypoint", which must not fall back to the image's.
        if (user.Entrypoint is [""]) user.Entrypoint = [];
        if (image is null) return;

        if (string.IsNullOrEmpty(user.User)) user.User = image.User ?? "";

        if (user.ExposedPorts is null || user.ExposedPorts.Count == 0)
            user.ExposedPorts = image.ExposedPorts?.ToDictionary(kv => kv.Key, _ => EmptyObject.Instance);
        else if (image.ExposedPorts is not null)
            foreach (var port in image.ExposedPorts.Keys) user.ExposedPorts.TryAdd(port, EmptyObject.Instance);

        if (user.Env is null || user.Env.Count == 0)
        {
            user.Env = image.Env?.ToList();
        }
        else if (image.Env is not null)
        {
            var keys = new HashSet<string>(user.Env.Select(EnvKey), StringComparer.Ordinal);
            foreach (var e in image.Env)
                if (!keys.Contains(EnvKey(e))) user.Env.Add(e);
        }

        user.Labels ??= [];
        if (image.Labels is not null)
            foreach (var (k, v) in image.Labels) user.Labels.TryAdd(k, v);

        if (user.Entrypoint is null || user.Entrypoint.Count == 0)
        {
            if (user.Cmd is null || user.Cmd.Count == 0)
            {
                user.Cmd = image.Cmd?.ToList();
                user.ArgsEscaped = image.ArgsEscaped;
            }
            if (user.Entrypoint is null) user.Entrypoint = image.Entrypoint?.ToList();
        }

        if (image.Healthcheck is { } hc)
        {
            if (user.Healthcheck is null)
            {
                user.Healthcheck = new HealthConfig
                {
                    Test = hc.Test?.ToList(), Interval = hc.Interval, Timeout = hc.Timeout, Retries = hc.Retries,
                    StartPeriod = hc.StartPeriod, StartInterval = hc.StartInterval,
                };
            }
            else
            {
                if (user.Healthcheck.Test is null || user.Healthcheck.Test.Count == 0) user.Healthcheck.Test = hc.Test?.ToList();
                if (user.Healthcheck.Interval == 0) user.Healthcheck.Interval = hc.Interval;
                if (user.Healthcheck.Timeout == 0) user.Healthcheck.Timeout = hc.Timeout;
                if (user.Healthcheck.StartPeriod == 0) user.Healthcheck.StartPeriod = hc.StartPeriod;
                if (user.Healthcheck.StartInterval == 0) user.Healthcheck.StartInterval = hc.StartInterval;
                if (user.Healthcheck.Retries == 0) user.Healthcheck.Retries = hc.Retries;
            }
        }

        if (string.IsNullOrEmpty(user.WorkingDir)) user.WorkingDir = image.WorkingDir ?? "";

        if (user.Volumes is null || user.Volumes.Count == 0)
            user.Volumes = image.Volumes?.ToDictionary(kv => kv.Key, _ => EmptyObject.Instance);
        else if (image.Volumes is not null)
            foreach (var v in image.Volumes.Keys) user.Volumes[v] = EmptyObject.Instance;

        if (string.IsNullOrEmpty(user.StopSignal)) user.StopSignal = string.IsNullOrEmpty(image.StopSignal) ? null : image.StopSignal;
    }

    /// <summary>The process argv: Entrypoint then Cmd (moby getEntrypointAndArgs).</summary>
    public static (string Path, List<string> Args) EntrypointAndArgs(ContainerConfig config)
    {
        var all = new List<string>();
        if (config.Entrypoint is not null) all.AddRange(config.Entrypoint);
        if (config.Cmd is not null) all.AddRange(config.Cmd);
        if (all.Count == 0) return ("", []);
        return (all[0], all.Skip(1).ToList());
    }

    private static string EnvKey(string e)
    {
        int i = e.IndexOf('=');
        return i < 0 ? e : e[..i];
    }
}
