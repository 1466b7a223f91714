using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Wharf.EndToEnd.Tests;

/// <summary>
/// A test-owned HTTP proxy on a loopback port in front of a registry (GET/HEAD only, one request per connection):
/// it records every request (method, path, Range header, status, body bytes sent) and can cut one blob's response
/// after a number of body bytes — dropping the connection, or holding it open (stalled) until
/// <see cref="ReleaseStall"/> — so a test can see exactly how many bytes a resumed download fetched.
/// </summary>
public sealed class CuttingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None });
    private readonly string _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _cutDigest;
    private long _cutAfter;
    private bool _stall;

    public sealed record Served(string Method, string Path, string? Range, int Status, long BodyBytes);

    public CuttingProxy(string targetHost)
    {
        _target = targetHost;
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public string Host => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

    public ConcurrentQueue<Served> Requests { get; } = new();

    /// <summary>Completed when a cut response has sent its bytes (and, when stalling, is being held open).</summary>
    public TaskCompletionSource CutReached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The next GET of blob <paramref name="digest"/> stops after <paramref name="bytes"/> body bytes.</summary>
    public void CutNext(string digest, long bytes, bool stall)
    {
        _cutDigest = digest;
        _cutAfter = bytes;
        _stall = stall;
    }

    public void ReleaseStall() => _released.TrySetResult();

    /// <summary>Play a registry without range support: Range headers are recorded but not passed on (so the answer is a 200).</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>The GETs of a blob, in order.</summary>
    public IReadOnlyList<Served> BlobGets(string digest) =>
        [.. Requests.Where(r => r.Method == "GET" && r.Path.EndsWith("/blobs/" + digest, StringComparison.Ordinal))];

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        try
        {
            var head = await ReadHeadAsync(stream);
            if (head is null)
            {
                return;
            }

            var lines = head.Split("\r\n");
            var parts = lines[0].Split(' ');
            var (method, path) = (parts[0], parts[1]);
            using var request = new HttpRequestMessage(new HttpMethod(method), "http://" + _target + path);
            string? range = null;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon <= 0)
                {
                    continue;
                }

                var (name, value) = (line[..colon].Trim(), line[(colon + 1)..].Trim());
                if (name.Equals("Host", StringComparison.OrdinalIgnoreCase) || name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (name.Equals("Range", StringComparison.OrdinalIgnoreCase))
                {
                    range = value;
                    if (IgnoreRange)
                    {
                        continue;
                    }
                }

                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await _upstream.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _stop.Token);
            var isBlob = method == "GET" && path.Contains("/blobs/sha256:", StringComparison.Ordinal);
            byte[]? buffered = isBlob && response.Content.Headers.ContentLength is not null ? null : await response.Content.ReadAsByteArrayAsync(_stop.Token);
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
            foreach (var h in response.Headers.Concat(response.Content.Headers))
            {
                if (h.Key is "Transfer-Encoding" or "Connection" or "Content-Length")
                {
                    continue;
                }

                foreach (var v in h.Value)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"{h.Key}: {v}\r\n");
                }
            }

            var length = buffered?.Length ?? response.Content.Headers.ContentLength ?? 0;
            sb.Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(sb.ToString()), _stop.Token);
            long sent = 0;
            if (method != "HEAD")
            {
                if (buffered is not null)
                {
                    await stream.WriteAsync(buffered, _stop.Token);
                    sent = buffered.Length;
                }
                else
                {
                    long limit = long.MaxValue;
                    bool stall = false;
                    if (_cutDigest is { } cut && path.EndsWith("/blobs/" + cut, StringComparison.Ordinal))
                    {
                        (limit, stall) = (_cutAfter, _stall);
                        _cutDigest = null;
                    }

                    await using var body = await response.Content.ReadAsStreamAsync(_stop.Token);
                    var buf = new byte[16384];
                    int n;
                    while (sent < limit && (n = await body.ReadAsync(buf.AsMemory(0, (int)Math.Min(buf.Length, limit - sent)), _stop.Token)) > 0)
                    {
                        await stream.WriteAsync(buf.AsMemory(0, n), _stop.Token);
                        sent += n;
                    }

                    if (limit != long.MaxValue)
                    {
                        await stream.FlushAsync(_stop.Token);
                        Requests.Enqueue(new Served(method, path, range, (int)response.StatusCode, sent));
                        CutReached.TrySetResult();
                        if (stall)
                        {
                            await _released.Task.WaitAsync(_stop.Token);
                        }

                        // Closing before Content-Length bytes were sent: the client sees the response end early.
                        return;
                    }
                }
            }

            Requests.Enqueue(new Served(method, path, range, (int)response.StatusCode, sent));
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or HttpRequestException)
        {
            // The client went away (e.g. a killed wharfd) or the proxy is stopping.
        }
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (bytes.Count < 64 * 1024)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            bytes.Add(one[0]);
            var c = bytes.Count;
            if (c >= 4 && bytes[c - 4] == '\r' && bytes[c - 3] == '\n' && bytes[c - 2] == '\r' && bytes[c - 1] == '\n')
            {
                return Encoding.ASCII.GetString([.. bytes], 0, c - 4);
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _released.TrySetResult();
        try
        {
            await _accept;
        }
        catch (OperationCanceledException)
        {
        }

        _upstream.Dispose();
        _stop.Dispose();
    }
}
