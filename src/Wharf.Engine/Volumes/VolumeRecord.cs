namespace Wharf.Engine.Volumes;

/// <summary>One volume's metadata, persisted as <c>volumes/&lt;name&gt;/volume.json</c> (written last on create,
/// so a directory without it is an interrupted create).</summary>
public sealed class VolumeRecord
{
    public string Name { get; set; } = "";
    public string Driver { get; set; } = "local";
    public DateTimeOffset CreatedAt { get; set; }
    public Dictionary<string, string> Labels { get; set; } = [];
    /// <summary>The local driver's options (type, device, o); null when created without any.</summary>
    public Dictionary<string, string>? Options { get; set; }

    /// <summary>Docker's marker for volumes created without a name (removed by prune, --rm and rm -v).</summary>
    public const string AnonymousLabel = "com.docker.volume.anonymous";

    public bool IsAnonymous => Labels.ContainsKey(AnonymousLabel);

    /// <summary>Whether mounting it takes a mount(2) of its own (driver options type/device).</summary>
    public bool NeedsMount => Options is { } o && (o.ContainsKey("type") || o.ContainsKey("device"));
}
