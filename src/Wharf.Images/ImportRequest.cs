using Wharf.Oci.Image;

namespace Wharf.Images;

/// <summary>Options of a rootfs import (`docker import`, POST /images/create?fromSrc=).</summary>
/// <param name="Message">Commit message; default "Imported from &lt;Source&gt;".</param>
/// <param name="Changes">`--change` instructions applied to <paramref name="Config"/>.</param>
/// <param name="Config">Initial run config (e.g. from commit).</param>
/// <param name="Source">"-" for a request body, else the URL imported from.</param>
/// <param name="Architecture">Defaults to amd64.</param>
/// <param name="Os">Defaults to linux.</param>
public sealed record ImportRequest(
    string? Message = null,
    IReadOnlyList<string>? Changes = null,
    ImageRunConfig? Config = null,
    string Source = "-",
    string Architecture = "amd64",
    string Os = "linux");
