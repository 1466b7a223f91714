namespace Wharf.Api.Containers;

/// <summary>Go's <c>struct{}</c>: the value in ExposedPorts/Volumes maps, written as <c>{}</c>.</summary>
public sealed class EmptyObject
{
    public static readonly EmptyObject Instance = new();
}
