namespace Wharf.Cli;

/// <summary>Version strings the CLI reports.</summary>
internal static class CliInfo
{
    public const string Version = "0.1.0";
}
