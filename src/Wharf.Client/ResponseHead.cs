namespace Wharf.Client;

/// <summary>Status line and headers of a raw HTTP/1.1 response (used on the hijack path only).</summary>
internal sealed class ResponseHead
{
    private readonly List<KeyValuePair<string, string>> _headers;

    private ResponseHead(int status, List<KeyValuePair<string, string>> headers)
    {
        Status = status;
        _headers = headers;
    }

    public int Status { get; }

    public string? Header(string name)
    {
        foreach (var (key, value) in _headers)
        {
            if (key.Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    public static ResponseHead Parse(string head)
    {
        var lines = head.Split("\r\n");
        var statusParts = lines[0].Split(' ', 3);
        if (statusParts.Length < 2 || !statusParts[0].StartsWith("HTTP/", StringComparison.Ordinal)
            || !int.TryParse(statusParts[1], out var status))
        {
            throw new InvalidDataException($"malformed response from the daemon: '{lines[0]}'");
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
            }
        }

        return new ResponseHead(status, headers);
    }
}
