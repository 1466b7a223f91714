using System.Threading.Channels;

namespace Wharf.Build.Execution;

/// <summary>
/// Stages run concurrently but their output reaches the client stage by stage, in file order: each stage writes
/// into its own channel and one pump drains the channels in order.
/// </summary>
internal sealed class OrderedOutput(Func<string, Task> sink)
{
    private readonly List<Channel<string>> _channels = [];
    private readonly SemaphoreSlim _added = new(0);

    public Channel<string> Add()
    {
        var c = Channel.CreateUnbounded<string>();
        lock (_channels) _channels.Add(c);
        _added.Release();
        return c;
    }

    /// <summary>Drains channels in order until <paramref name="done"/> completes and every channel is drained.</summary>
    public async Task PumpAsync(Task done)
    {
        var i = 0;
        while (true)
        {
            Channel<string>? c = null;
            lock (_channels) if (i < _channels.Count) c = _channels[i];
            if (c is null)
            {
                if (done.IsCompleted) { lock (_channels) if (i >= _channels.Count) return; continue; }
                await Task.WhenAny(_added.WaitAsync(), done);
                continue;
            }
            await foreach (var text in c.Reader.ReadAllAsync()) await sink(text);
            i++;
        }
    }
}
