using System.Text.RegularExpressions;

namespace Wharf.Daemon.Http;

internal delegate Task Handler(HttpContext context, CancellationToken cancellationToken);

/// <summary>
/// Method + path template → handler. Templates use {name} for one segment and {name*} for a catch-all
/// that may contain slashes (image names do: /images/docker.io/library/x:1/json), matched lazily so the
/// action suffix after it still routes.
/// </summary>
internal sealed class Router
{
    private readonly List<(string Method, Regex Pattern, Handler Handler)> _routes = [];

    public void Map(string method, string template, Handler handler)
    {
        var pattern = "^" + Regex.Replace(Regex.Escape(template).Replace(@"\{", "{").Replace(@"\*", "*"), @"\{(\w+)(\*?)\}",
            m => m.Groups[2].Value == "*" ? $"(?<{m.Groups[1].Value}>.+?)" : $"(?<{m.Groups[1].Value}>[^/]+)") + "$";
        _routes.Add((method, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled), handler));
    }

    public void Get(string t, Handler h) => Map("GET", t, h);
    public void Post(string t, Handler h) => Map("POST", t, h);
    public void Delete(string t, Handler h) => Map("DELETE", t, h);
    public void Head(string t, Handler h) => Map("HEAD", t, h);
    public void Put(string t, Handler h) => Map("PUT", t, h);

    /// <summary>Finds the handler; HEAD falls back to the GET route as Go's mux does for explicit HEAD routes only,
    /// so HEAD must be mapped where it is supported.</summary>
    public Handler? Match(HttpRequest request)
    {
        foreach (var (method, pattern, handler) in _routes)
        {
            if (method != request.Method) continue;
            var m = pattern.Match(request.Path);
            if (!m.Success) continue;
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in pattern.GetGroupNames())
                if (!int.TryParse(name, out _)) values[name] = Uri.UnescapeDataString(m.Groups[name].Value);
            request.RouteValues = values;
            return handler;
        }
        return null;
    }
}
