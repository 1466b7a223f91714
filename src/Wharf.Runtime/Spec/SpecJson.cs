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

    /// <summary>A bare <c>linux.resources</c> object, as <c>runc update --resources</c> reads it.</summary>
    public static byte[] SerializeResources(SpecResources resources) =>
        JsonSerializer.SerializeToUtf8Bytes(resources, SpecJsonContext.Default.SpecResources);

    public static RuntimeSpec Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, SpecJsonContext.Default.RuntimeSpec)
        ?? throw WharfException.Invalid("config.json is empty");

    /// <summary>Writes <c>{bundleDir}/config.json</c> atomically.</summary>
    public static void WriteBundleConfig(string bundleDir, RuntimeSpec spec) =>
        Wharf.Interop.AtomicFile.WriteAllBytes(Path.Combine(bundleDir, "config.json"), Serialize(spec));
}
