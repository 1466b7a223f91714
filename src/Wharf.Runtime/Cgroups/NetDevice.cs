namespace Wharf.Runtime.Cgroups;

/// <summary>Counters of one network interface from /proc/net/dev.</summary>
public sealed record NetDevice(string Name, ulong RxBytes, ulong RxPackets, ulong RxErrors, ulong RxDropped,
    ulong TxBytes, ulong TxPackets, ulong TxErrors, ulong TxDropped);
