namespace Wharf.Daemon;

/// <summary>What /version reports. Semver-shaped because tools compare it.</summary>
internal static class DaemonVersion
{
    public const string Version = "0.1.0";
}
