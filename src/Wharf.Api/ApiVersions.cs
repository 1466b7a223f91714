namespace Wharf.Api;

/// <summary>The Engine API versions Wharf speaks (docker CLI 28 negotiates down to Max).</summary>
public static class ApiVersions
{
    public const string Max = "1.50";
    public const string Min = "1.24";
    public static readonly Version MaxVersion = new(1, 50);
    public static readonly Version MinVersion = new(1, 24);
}
