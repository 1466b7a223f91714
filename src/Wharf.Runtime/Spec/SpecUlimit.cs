namespace Wharf.Runtime.Spec;

/// <summary>A Docker ulimit: Name as in --ulimit (nofile, nproc, core, ...); -1 = unlimited.</summary>
public sealed record SpecUlimit(string Name, long Soft, long Hard);
