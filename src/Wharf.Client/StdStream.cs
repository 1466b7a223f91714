namespace Wharf.Client;

/// <summary>Stream id in the first byte of a stdcopy frame header (moby pkg/stdcopy).</summary>
public enum StdStream : byte
{
    Stdin = 0,
    Stdout = 1,
    Stderr = 2,

    /// <summary>The daemon reports an error in-band after the stream started.</summary>
    SystemErr = 3,
}
