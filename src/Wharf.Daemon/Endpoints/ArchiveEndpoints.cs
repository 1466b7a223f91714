using System.Text.Json;
using Wharf.Api.Containers;
using Wharf.Core;
using Wharf.Daemon.Http;
using Wharf.Engine.Containers;

namespace Wharf.Daemon.Endpoints;

/// <summary>A container's file system over the API: changes (diff), export, commit and archive (cp).</summary>
internal sealed class ArchiveEndpoints(ContainerService containers)
{
    private const string Tar = "application/x-tar";
    private const string PathStatHeader = "X-Docker-Container-Path-Stat";

    public void Map(Router r)
    {
        r.Get("/containers/{id}/changes", (c, ct) =>
            c.WriteJsonAsync(200, [.. containers.Changes(Id(c))], ContainerJsonContext.Default.ListFilesystemChange, ct));
        r.Get("/containers/{id}/export", async (c, ct) =>
        {
            await containers.ExportAsync(Id(c), new LazyResponse(c, ct, null), ct);
        });
        r.Post("/commit", CommitAsync);
        r.Head("/containers/{id}/archive", async (c, ct) =>
        {
            var stat = await containers.StatPathAsync(Id(c), PathOf(c), ct);
            await c.WriteBytesAsync(200, null, ReadOnlyMemory<byte>.Empty, ct, Header(stat), omitBody: true);
        });
        r.Get("/containers/{id}/archive", (c, ct) =>
            containers.GetArchiveAsync(Id(c), PathOf(c), stat => c.StartStreamAsync(Tar, ct, extraHeaders: Header(stat)), ct));
        r.Put("/containers/{id}/archive", async (c, ct) =>
        {
            var q = c.Request.Query;
            await containers.PutArchiveAsync(Id(c), PathOf(c), c.Request.Body, q.Bool("noOverwriteDirNonDir"), q.Bool("copyUIDGID"), ct);
            await c.WriteBytesAsync(200, null, ReadOnlyMemory<byte>.Empty, ct);
        });
    }

    private async Task CommitAsync(HttpContext c, CancellationToken ct)
    {
        var q = c.Request.Query;
        var container = q.Get("container");
        if (string.IsNullOrEmpty(container)) throw WharfException.Invalid("No container name or ID supplied");
        ContainerConfig? config = null;
        if (c.Request.HasBody)
        {
            using var ms = new MemoryStream();
            await c.Request.Body.CopyToAsync(ms, ct);
            if (ms.Length > 0 && !IsJsonNull(ms.GetBuffer().AsSpan(0, (int)ms.Length)))
                config = JsonSerializer.Deserialize(ms.GetBuffer().AsSpan(0, (int)ms.Length), ContainerJsonContext.Default.ContainerConfig);
        }
        var options = new ContainerCommitOptions(q.Get("repo"), q.Get("tag"), q.Get("comment"), q.Get("author"),
            q.Bool("pause", defaultValue: true), q.GetAll("changes").Where(s => s.Length > 0).ToList(), config);
        var id = await containers.CommitAsync(container, options, ct);
        await c.WriteJsonAsync(201, new IdResponse { Id = id }, ContainerJsonContext.Default.IdResponse, ct);
    }

    private static bool IsJsonNull(ReadOnlySpan<byte> body) => body.Trim(" \t\r\n"u8).SequenceEqual("null"u8);

    private static string Id(HttpContext c) => c.Request.RouteValues["id"];

    private static string PathOf(HttpContext c) =>
        c.Request.Query.Get("path") is { Length: > 0 } p ? p : throw WharfException.Invalid("path is required");

    private static KeyValuePair<string, string>[] Header(PathStat stat) =>
        [new(PathStatHeader, Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(stat, ContainerJsonContext.Default.PathStat)))];

    /// <summary>Starts the 200 tar response on the first write, so an error before any data (no such container)
    /// still gets its proper status.</summary>
    private sealed class LazyResponse(HttpContext context, CancellationToken ct, IEnumerable<KeyValuePair<string, string>>? headers) : Stream
    {
        private Stream? _inner;

        private Stream Inner => _inner ??= context.StartStreamAsync(Tar, ct, extraHeaders: headers).GetAwaiter().GetResult();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => _inner?.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => Inner.Write(buffer.ToArray(), 0, buffer.Length);
    }
}
