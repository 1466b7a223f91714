namespace Wharf.Snapshots.Archive;

/// <summary>How <see cref="TreeTarWriter"/> renders a tree.</summary>
/// <param name="OverlayWhiteouts">The tree is an overlay upper dir: char device 0/0 becomes <c>.wh.&lt;name&gt;</c>,
/// a directory with trusted.overlay.opaque=y gets a <c>.wh..wh..opq</c> entry (a layer diff).</param>
/// <param name="Exclude">Relative paths ("etc/hostname") left out, with everything under them.</param>
public sealed record TreeTarOptions(bool OverlayWhiteouts = false, Func<string, bool>? Exclude = null);
