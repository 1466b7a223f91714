using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;

namespace Wharf.Registry;

/// <summary>
/// Kestrel's socket transport with 64 KiB blocks instead of its default 4 KiB ones. A block is what one recv(2) may
/// fill and what one pipe segment holds, so with 4 KiB blocks an 8 MiB blob PUT costs ~2000 receives plus as many
/// zero-byte readiness reads and pipe hand-offs (strace: 265 000 recvfrom for 512 MiB); with 64 KiB blocks it is
/// 16× fewer. Registered as the <see cref="IMemoryPoolFactory{T}"/> that Kestrel's sockets transport takes from DI.
/// </summary>
internal sealed class LargeBlockMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new LargeBlockMemoryPool();
}

/// <summary>
/// Fixed-size blocks on the pinned object heap (sockets and pipes pin them; POH arrays cost nothing to pin), reused
/// through a free list. At most <see cref="MaxRetained"/> free blocks are kept; more are left to the GC, so a burst of
/// connections does not hold its memory for ever.
/// </summary>
internal sealed class LargeBlockMemoryPool : MemoryPool<byte>
{
    public const int BlockSize = 64 << 10;

    /// <summary>16 MiB of free blocks: enough for 16 busy connections' receive and send pipes.</summary>
    public const int MaxRetained = 256;

    private readonly ConcurrentQueue<Block> _free = new();
    private int _freeCount;
    private bool _disposed;

    public override int MaxBufferSize => BlockSize;

    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minBufferSize, BlockSize);
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _freeCount);
            block.Rented = true;
            return block;
        }
        return new Block(this);
    }

    private void Return(Block block)
    {
        if (_disposed || Interlocked.Increment(ref _freeCount) > MaxRetained)
        {
            if (!_disposed) Interlocked.Decrement(ref _freeCount);
            return;
        }
        _free.Enqueue(block);
    }

    protected override void Dispose(bool disposing)
    {
        _disposed = true;
        _free.Clear();
    }

    private sealed class Block(LargeBlockMemoryPool pool) : IMemoryOwner<byte>
    {
        private readonly byte[] _array = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);

        public bool Rented { get; set; } = true;

        public Memory<byte> Memory => _array;

        public void Dispose()
        {
            // Pipes return each segment once; a second Dispose must not put the block in the free list twice.
            if (!Rented) return;
            Rented = false;
            pool.Return(this);
        }
    }
}
