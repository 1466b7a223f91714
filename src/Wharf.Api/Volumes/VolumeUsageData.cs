namespace Wharf.Api.Volumes;

/// <summary>Only filled by <c>/system/df</c>; -1 means "not computed".</summary>
public sealed class VolumeUsageData
{
    public long Size { get; set; } = -1;
    public long RefCount { get; set; } = -1;
}
