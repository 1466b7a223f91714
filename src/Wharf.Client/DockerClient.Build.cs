using System.Net.Http.Headers;
using System.Text.Json;
using Wharf.Api;
using Wharf.Api.Build;

namespace Wharf.Client;

public sealed partial class DockerClient
{
    /// <summary>
    /// <c>POST /build</c> (legacy builder): sends the context tar and hands every JSON message of the answer to
    /// <paramref name="onMessage"/>, in-band errors included (the caller decides the exit code from errorDetail).
    /// </summary>
    /// <param name="secrets">`--secret` values by id, sent in wharf's own header (<see cref="BuildSecrets"/>).</param>
    public async Task BuildImageAsync(Stream contextTar, IEnumerable<(string Name, string? Value)> query,
        Func<JsonMessage, Task> onMessage, CancellationToken cancellationToken = default, IReadOnlyDictionary<string, byte[]>? secrets = null)
    {
        ArgumentNullException.ThrowIfNull(contextTar);
        ArgumentNullException.ThrowIfNull(onMessage);
        var content = new StreamContent(contextTar, 64 * 1024);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await SendAsync(HttpMethod.Post, "/build" + Query([.. query, ("version", "1")]), content, cancellationToken, streaming: true,
            secrets is { Count: > 0 } ? [new(BuildSecrets.HeaderName, BuildSecrets.Encode(secrets))] : null).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            JsonMessage? message;
            try
            {
                message = JsonSerializer.Deserialize(line, ApiJsonContext.Default.JsonMessage);
            }
            catch (JsonException)
            {
                throw new DockerStreamException("unexpected line in the daemon's build stream: " + line);
            }

            if (message is not null)
            {
                await onMessage(message).ConfigureAwait(false);
            }
        }
    }
}
