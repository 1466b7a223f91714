using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Engine.Containers;

/// <summary>
/// The run options that become spec settings (--security-opt, --device, --device-cgroup-rule, --sysctl,
/// --init, --log-opt): checked when the container is created so a mistake is a 400 from create rather than a
/// failed start, with Docker's wording.
/// </summary>
public sealed partial class ContainerService
{
    /// <summary>Host paths --init may use, in order of preference: Docker's own name, then Debian's static tini
    /// and catatonit (a dynamically linked init would not run in an image without the host's libc).</summary>
    private static readonly string[] InitCandidates =
        ["/usr/bin/docker-init", "/usr/libexec/docker/docker-init", "/usr/bin/tini-static", "/usr/bin/catatonit", "/usr/libexec/podman/catatonit"];

    private static readonly Lazy<string?> InitBinary = new(() => InitCandidates.FirstOrDefault(File.Exists));

    /// <summary>json-file's options (moby daemon/logger/jsonfilelog ValidateLogOpt).</summary>
    private static readonly HashSet<string> JsonFileLogOpts =
        ["max-file", "max-size", "compress", "labels", "labels-regex", "env", "env-regex", "tag"];

    private static string InitPathOrThrow() =>
        InitBinary.Value ?? throw WharfException.Invalid(
            "--init: no init binary found on the host: install tini (tini-static) or catatonit (looked for "
            + string.Join(", ", InitCandidates) + ")");

    private static void ValidateOptions(HostConfig hc)
    {
        SecurityOptions.Parse(hc.SecurityOpt);
        if (hc.Init == true) InitPathOrThrow();
        foreach (var rule in hc.DeviceCgroupRules ?? []) DeviceMappings.ParseCgroupRule(rule);
        foreach (var d in DeviceInputs(hc)) DeviceMappings.Resolve(d);
        foreach (var name in (hc.Sysctls ?? []).Keys) Sysctls.Validate(name, hc.NetworkMode == "host");
        foreach (var dest in (hc.Tmpfs ?? []).Keys)
        {
            if (!dest.StartsWith('/')) throw WharfException.Invalid($"invalid mount config: mount path must be absolute: {dest}");
        }
        if (hc.LogConfig?.Type == "json-file")
        {
            foreach (var key in (hc.LogConfig.Config ?? []).Keys)
                if (!JsonFileLogOpts.Contains(key)) throw WharfException.Invalid($"unknown log opt '{key}' for json-file log driver");
        }
    }

    /// <summary>HostConfig.Devices with Docker's defaults: the same path inside, "rwm".</summary>
    private static List<SpecInputDevice> DeviceInputs(HostConfig hc) =>
        (hc.Devices ?? []).Select(d => new SpecInputDevice(
            d.PathOnHost,
            string.IsNullOrEmpty(d.PathInContainer) ? d.PathOnHost : d.PathInContainer,
            string.IsNullOrEmpty(d.CgroupPermissions) ? "rwm" : d.CgroupPermissions)).ToList();
}
