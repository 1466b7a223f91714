using System.Globalization;
using System.Text.Json;
using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>
/// A seccomp profile in Docker's JSON format (defaultAction, architectures or archMap, syscalls with
/// name/names, includes/excludes on caps, arches and minKernel) resolved for one container the way moby's
/// profiles/seccomp setupSeccomp does, into the OCI form runc takes.
/// </summary>
public static class DockerSeccompProfile
{
    /// <summary>Parses the profile once so a malformed one is refused when the container is created.</summary>
    public static void Validate(string json) => Render(json, Capabilities.Default, "amd64", (6, 0));

    public static SpecSeccomp Render(string json, IReadOnlyCollection<string> boundingCaps, string arch, (int Major, int Minor) kernel)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json); }
        catch (JsonException e) { throw Invalid(e.Message); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Invalid("the profile is not a JSON object");
            var architectures = StringArray(root, "architectures");
            bool hasArchMap = root.TryGetProperty("archMap", out var archMap) && archMap.ValueKind == JsonValueKind.Array && archMap.GetArrayLength() > 0;
            if (architectures.Count > 0 && hasArchMap)
                throw WharfException.Invalid("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'");
            if (hasArchMap)
            {
                // Only the native architecture's entry applies, with its sub-architectures.
                var native = DefaultSeccompProfile.Architectures(arch).FirstOrDefault();
                foreach (var entry in archMap.EnumerateArray())
                {
                    if (native is null || String(entry, "architecture") != native) continue;
                    architectures.Add(native);
                    architectures.AddRange(StringArray(entry, "subArchitectures"));
                }
            }

            var syscalls = new List<SpecSyscall>();
            if (root.TryGetProperty("syscalls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    var name = String(call, "name");
                    var names = StringArray(call, "names");
                    if (!string.IsNullOrEmpty(name) && names.Count > 0)
                        throw WharfException.Invalid("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
                    if (!Applies(call, boundingCaps, arch, kernel)) continue;
                    syscalls.Add(new SpecSyscall
                    {
                        Names = string.IsNullOrEmpty(name) ? names : [name],
                        Action = String(call, "action") ?? "",
                        ErrnoRet = UInt(call, "errnoRet"),
                        Args = Args(call),
                    });
                }
            }

            return new SpecSeccomp
            {
                DefaultAction = String(root, "defaultAction") ?? "",
                DefaultErrnoRet = UInt(root, "defaultErrnoRet"),
                Architectures = architectures.Count > 0 ? architectures : null,
                Syscalls = syscalls,
            };
        }
    }

    private static bool Applies(JsonElement call, IReadOnlyCollection<string> caps, string arch, (int, int) kernel)
    {
        if (call.TryGetProperty("includes", out var inc) && inc.ValueKind == JsonValueKind.Object)
        {
            var arches = StringArray(inc, "arches");
            if (arches.Count > 0 && !arches.Contains(arch)) return false;
            if (!StringArray(inc, "caps").All(caps.Contains)) return false;
            if (String(inc, "minKernel") is { Length: > 0 } mk && kernel.CompareTo(ParseKernel(mk)) < 0) return false;
        }
        if (call.TryGetProperty("excludes", out var exc) && exc.ValueKind == JsonValueKind.Object)
        {
            if (StringArray(exc, "arches").Contains(arch)) return false;
            if (StringArray(exc, "caps").Any(caps.Contains)) return false;
        }
        return true;
    }

    private static (int, int) ParseKernel(string text)
    {
        var parts = text.Split('.');
        if (parts.Length >= 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minor))
            return (major, minor);
        throw Invalid($"invalid kernel version: {text}");
    }

    private static List<SpecSyscallArg>? Args(JsonElement call)
    {
        if (!call.TryGetProperty("args", out var args) || args.ValueKind != JsonValueKind.Array) return null;
        var list = new List<SpecSyscallArg>();
        foreach (var a in args.EnumerateArray())
        {
            list.Add(new SpecSyscallArg
            {
                Index = UInt(a, "index") ?? 0,
                Value = ULong(a, "value") ?? 0,
                ValueTwo = ULong(a, "valueTwo"),
                Op = String(a, "op") ?? "",
            });
        }
        return list;
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string> StringArray(JsonElement e, string name)
    {
        if (!e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array) return [];
        return v.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : throw Invalid($"'{name}' must hold strings")).ToList();
    }

    private static uint? UInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.TryGetUInt32(out var n) ? n : throw Invalid($"'{name}' is out of range")
            : null;

    private static ulong? ULong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.TryGetUInt64(out var n) ? n : throw Invalid($"'{name}' is out of range")
            : null;

    private static WharfException Invalid(string detail) => WharfException.Invalid("decoding seccomp profile failed: " + detail);
}
