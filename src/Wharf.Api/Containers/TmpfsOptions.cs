namespace Wharf.Api.Containers;

public sealed class TmpfsOptions
{
    public long SizeBytes { get; set; }
    public int Mode { get; set; }
    public List<List<string>>? Options { get; set; }
}
