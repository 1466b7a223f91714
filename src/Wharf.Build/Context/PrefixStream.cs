using Wharf.Core;

namespace Wharf.Build.Context;

/// <summary>A read-only stream that yields a few already-read bytes before the rest of its inner stream.</summary>
internal sealed class PrefixStream(byte[] prefix, Stream inner) : ReadOnlyStream
{
    private int _offset;


    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_offset < prefix.Length)
        {
            var n = Math.Min(count, prefix.Length - _offset);
            Array.Copy(prefix, _offset, buffer, offset, n);
            _offset += n;
            return n;
        }
        return inner.Read(buffer, offset, count);
    }

}
