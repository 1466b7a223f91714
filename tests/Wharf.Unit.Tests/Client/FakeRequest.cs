namespace Wharf.Unit.Tests.Client;

internal sealed record FakeRequest(string Method, string Target, List<KeyValuePair<string, string>> Headers, string Body)
{
    public string? Header(string name) =>
        Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
