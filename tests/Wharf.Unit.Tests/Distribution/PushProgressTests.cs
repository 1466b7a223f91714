using System.Net;
using System.Net.Sockets;
using System.Text;
using Wharf.Content;
using Wharf.Distribution;
using Wharf.Oci.Reference;

namespace Wharf.Unit.Tests.Distribution;

/// <summary>
/// ImagePusher against a fake registry on loopback (HttpListener) with a progress sink that is slow to write
/// "Pushing": every report of the upload is written before the layer's "Pushed" and the final digest line, and none
/// is still in flight when the push returns (the daemon ends the response then; a late one would land after it).
/// </summary>
public sealed class PushProgressTests : IDisposable
{
    private readonly HttpListener _listener;
    private readonly int _port;
    private readonly string _root = Directory.CreateTempSubdirectory("wharf-push-progress-").FullName;

    public PushProgressTests()
    {
        _listener = LoopbackListener.Start(out _port);
        _ = Task.Run(ServeAsync);
    }

    public void Dispose()
    {
        _listener.Close();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>A registry that has no blob yet and accepts every upload and the manifest.</summary>
    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext c;
            try { c = await _listener.GetContextAsync(); }
            catch (Exception) { return; }
            var path = c.Request.Url!.AbsolutePath;
            await c.Request.InputStream.CopyToAsync(Stream.Null);
            c.Response.StatusCode = (c.Request.HttpMethod, path) switch
            {
                ("GET", "/v2/") => 200,
                ("HEAD", _) => 404,
                ("POST", _) => 202,
                ("PUT", _) => 201,
                _ => 404,
            };
            if (c.Request.HttpMethod == "POST") c.Response.Headers["Location"] = $"http://127.0.0.1:{_port}/v2/team/app/blobs/uploads/u1";
            c.Response.Close();
        }
    }

    /// <summary>Records each line when its write completes; "Pushing" writes take a while, as on a loaded machine.</summary>
    private sealed class SlowSink : IProgressSink
    {
        public List<string> Written { get; } = [];

        public async Task ReportAsync(ProgressEvent e)
        {
            if (e.Status == "Pushing") await Task.Delay(300);
            lock (Written) Written.Add(e.Status);
        }
    }

    [Fact]
    public async Task Every_pushing_report_is_written_before_pushed_and_none_after_the_push_returns()
    {
        var store = new LocalContentStore(Path.Combine(_root, "content"));
        var layer = store.Write(Encoding.UTF8.GetBytes(new string('x', 200_000)));
        var config = Encoding.UTF8.GetBytes($"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{layer.Digest}\"]}}}}");
        var configInfo = store.Write(config);
        var manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\"," +
            $"\"config\":{{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"{configInfo.Digest}\",\"size\":{config.Length}}}," +
            $"\"layers\":[{{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"{layer.Digest}\",\"size\":200000}}]}}");
        using var client = new RegistryClient();
        var pusher = new ImagePusher(client, store, new BlobSources(Path.Combine(_root, "sources")));
        var sink = new SlowSink();

        var result = await pusher.PushAsync(ImageReference.Parse($"127.0.0.1:{_port}/team/app:1"), new PushSource(manifest, config),
            AuthConfig.Anonymous, sink, CancellationToken.None);
        List<string> atReturn;
        lock (sink.Written) atReturn = [.. sink.Written];
        await Task.Delay(1500); // any report still in flight would land now

        lock (sink.Written) Assert.Equal(atReturn, sink.Written);
        Assert.True(atReturn.Contains("Pushing"), string.Join(", ", atReturn));
        Assert.Equal("Pushed", atReturn[^2]);
        Assert.Equal($"1: digest: {result.Digest} size: {manifest.Length}", atReturn[^1]);
        Assert.True(atReturn.LastIndexOf("Pushing") < atReturn.IndexOf("Pushed"), string.Join(", ", atReturn));
    }
}
