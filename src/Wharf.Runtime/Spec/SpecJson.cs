using System.Text.Json;
using Wharf.Core;

namespace Wharf.Runtime.Spec;

/// <summary>Reads and writes config.json.</summary>
public static class SpecJson
{
    public static byte[] Serialize(RuntimeSpec spec) =>
        JsonSerializer.SerializeToUtf8Bytes(spec, SpecJsonContext.Default.RuntimeSpec);

    public static string SerializeToString(RuntimeSpec spec) =>
        JsonSerializer.Serialize(spec, SpecJsonContext.Default.RuntimeSpec);

    public static RuntimeSpec Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, SpecJsonContext.Default.RuntimeSpec)
        ?? throw WharfException.Invalid("config.json is empty");

    /// <summary>Writes <c>{bundleDir}/config.json</c> atomically.</summary>
    public static void WriteBundleConfig(string bundleDir, RuntimeSpec spec) =>
        Wharf.Interop.AtomicFile.WriteAllBytes(Path.Combine(bundleDir, "config.json"), Serialize(spec));
}
