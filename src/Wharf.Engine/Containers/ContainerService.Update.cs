using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Runtime.Spec;

namespace Wharf.Engine.Containers;

public sealed partial class ContainerService
{
    /// <summary>
    /// <c>POST /containers/{id}/update</c>: merges the non-zero resource fields and the restart policy into the
    /// container's HostConfig (moby container.UpdateContainer), applies the limits to a running container with
    /// the runtime, and persists them for the next start. Returns Docker's warnings (none).
    /// </summary>
    public async Task<IReadOnlyList<string>> UpdateAsync(string idOrName, HostConfig update, CancellationToken cancellationToken = default)
    {
        var e = Lookup(idOrName);
        var id = e.Record.Id;
        await e.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            HostConfig merged;
            bool running;
            lock (e.Sync)
            {
                if (e.Record.State.RemovalInProgress)
                    throw WharfException.Conflict($"Cannot update container {id}: container is marked for removal and cannot be \"update\"");
                merged = Merge(e.Record.HostConfig, update);
                running = e.Record.State.IsRunning;
            }
            var resources = SpecBuilder.BuildLimits(HostResources.From(merged), SpecHost.Current);
            if (running)
            {
                // Only what the request changed goes to the runtime; the rest of the running limits stay as they are.
                var delta = Delta(resources, update);
                try { await _runtime.UpdateAsync(id, StateDir(id), delta, CancellationToken.None).ConfigureAwait(false); }
                catch (WharfException ex)
                {
                    throw new WharfException(ex.Kind, $"Cannot update container {id}: {ex.Message}", ex);
                }
            }
            lock (e.Sync) e.Record.HostConfig = merged;
        }
        finally
        {
            e.Gate.Release();
        }
        PersistQuietly(e);
        Raise(e, "update");
        return [];
    }

    /// <summary>moby's UpdateContainer: zero means "unchanged", and NanoCpus never mixes with a CPU period/quota.</summary>
    internal static HostConfig Merge(HostConfig current, HostConfig u)
    {
        if (u.NanoCpus > 0 && current.CpuPeriod > 0)
            throw Conflicting("Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set");
        if (u.NanoCpus > 0 && current.CpuQuota > 0)
            throw Conflicting("Conflicting options: Nano CPUs cannot be updated as CPU Quota has already been set");
        if (u.CpuPeriod > 0 && current.NanoCpus > 0)
            throw Conflicting("Conflicting options: CPU Period cannot be updated as NanoCPUs has already been set");
        if (u.CpuQuota > 0 && current.NanoCpus > 0)
            throw Conflicting("Conflicting options: CPU Quota cannot be updated as NanoCPUs has already been set");

        var m = Clone(current);
        if (u.BlkioWeight != 0) m.BlkioWeight = u.BlkioWeight;
        if (u.CpuShares != 0) m.CpuShares = u.CpuShares;
        if (u.NanoCpus != 0) m.NanoCpus = u.NanoCpus;
        if (u.CpuPeriod != 0) m.CpuPeriod = u.CpuPeriod;
        if (u.CpuQuota != 0) m.CpuQuota = u.CpuQuota;
        if (!string.IsNullOrEmpty(u.CpusetCpus)) m.CpusetCpus = u.CpusetCpus;
        if (!string.IsNullOrEmpty(u.CpusetMems)) m.CpusetMems = u.CpusetMems;
        if (u.Memory != 0)
        {
            // A bigger memory limit than the swap limit already set cannot be applied without a new swap limit.
            if (current.MemorySwap > 0 && u.Memory > current.MemorySwap && u.MemorySwap == 0)
                throw Conflicting("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
            m.Memory = u.Memory;
        }
        if (u.MemorySwap != 0) m.MemorySwap = u.MemorySwap;
        if (u.MemoryReservation != 0) m.MemoryReservation = u.MemoryReservation;
        if (u.PidsLimit is { } pids) m.PidsLimit = pids;
        if (u.RestartPolicy is { Name.Length: > 0 } rp)
        {
            if (m.AutoRemove && rp.Name != "no")
                throw Conflicting("Restart policy cannot be updated because AutoRemove is enabled for the container");
            m.RestartPolicy = new RestartPolicy { Name = rp.Name, MaximumRetryCount = rp.MaximumRetryCount };
        }
        return m;

        static WharfException Conflicting(string message) => WharfException.Invalid(message);
    }

    /// <summary>The part of the merged limits the request touched, so runc rewrites only those cgroup files.</summary>
    private static SpecResources Delta(SpecResources merged, HostConfig u)
    {
        bool memory = u.Memory != 0 || u.MemorySwap != 0 || u.MemoryReservation != 0;
        bool cpu = u.CpuShares != 0 || u.NanoCpus != 0 || u.CpuPeriod != 0 || u.CpuQuota != 0
                   || !string.IsNullOrEmpty(u.CpusetCpus) || !string.IsNullOrEmpty(u.CpusetMems);
        return new SpecResources
        {
            Memory = memory ? merged.Memory : null,
            Cpu = cpu ? merged.Cpu : null,
            // runc reads a pids limit of -1 as "max"; a missing one as "unchanged".
            Pids = u.PidsLimit is null ? null : merged.Pids ?? new SpecPids { Limit = -1 },
        };
    }

    private static HostConfig Clone(HostConfig hc) =>
        System.Text.Json.JsonSerializer.Deserialize(
            System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(hc, ContainerJsonContext.Default.HostConfig),
            ContainerJsonContext.Default.HostConfig)!;
}
