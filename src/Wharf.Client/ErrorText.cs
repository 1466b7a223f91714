using System.Text.Json;

namespace Wharf.Client;

/// <summary>Extracts the daemon's {"message": …} text from an error body, falling back to the raw body.</summary>
internal static class ErrorText
{
    public static string FromBody(string body, int status)
    {
        var trimmed = body.Trim();
        if (trimmed.StartsWith('{'))
        {
            try
            {
                using var doc = JsonDocument.Parse(trimmed);
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (property.Name.Equals("message", StringComparison.OrdinalIgnoreCase)
                        && property.Value.ValueKind == JsonValueKind.String)
                    {
                        return property.Value.GetString() ?? "";
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: show the body as the Go client does.
            }
        }

        return trimmed.Length > 0 ? trimmed : $"the daemon answered HTTP {status}";
    }
}
