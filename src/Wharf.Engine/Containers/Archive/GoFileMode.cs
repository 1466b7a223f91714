using Wharf.Interop;

namespace Wharf.Engine.Containers.Archive;

/// <summary>Go's os.FileMode bits, as the X-Docker-Container-Path-Stat header carries them.</summary>
internal static class GoFileMode
{
    private const uint ModeDir = 1u << 31;
    private const uint ModeSymlink = 1u << 27;
    private const uint ModeDevice = 1u << 26;
    private const uint ModeNamedPipe = 1u << 25;
    private const uint ModeSocket = 1u << 24;
    private const uint ModeSetuid = 1u << 23;
    private const uint ModeSetgid = 1u << 22;
    private const uint ModeCharDevice = 1u << 21;
    private const uint ModeSticky = 1u << 20;

    public static uint From(FileStatus st)
    {
        uint mode = st.Mode & 0x1FF;
        if ((st.Mode & 0x800) != 0) mode |= ModeSetuid;
        if ((st.Mode & 0x400) != 0) mode |= ModeSetgid;
        if ((st.Mode & 0x200) != 0) mode |= ModeSticky;
        mode |= st.Type switch
        {
            FileStatus.Directory => ModeDir,
            FileStatus.Symlink => ModeSymlink,
            FileStatus.BlockDevice => ModeDevice,
            FileStatus.CharDevice => ModeDevice | ModeCharDevice,
            FileStatus.Fifo => ModeNamedPipe,
            FileStatus.Socket => ModeSocket,
            _ => 0u,
        };
        return mode;
    }
}
