using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wharf.Cli.Commands;

/// <summary>Credentials for one registry as the docker CLI keeps them: a password, or an identity token from a
/// token server (then the password is empty).</summary>
internal sealed record RegistryCredentials(string Username, string Password, string? IdentityToken = null);

/// <summary>
/// The docker CLI's credential storage, shared with it: <c>$DOCKER_CONFIG/config.json</c> (or
/// <c>~/.docker/config.json</c>) with <c>"auths"</c> (base64 user:password, <c>identitytoken</c>), unless a credential
/// helper is configured — <c>"credHelpers": {"registry": "name"}</c> for one registry, <c>"credsStore": "name"</c> for
/// all others — in which case <c>docker-credential-&lt;name&gt; get|store|erase</c> (found on PATH) holds the secret and
/// auths only lists the registry with an empty entry, as docker/cli's native store does.
/// </summary>
internal sealed class DockerCredentials(Func<string, string?> environment)
{
    public const string HubKey = "https://index.docker.io/v1/";

    /// <summary>The username a helper stores for an identity token (docker-credential-helpers' convention).</summary>
    public const string TokenUsername = "<token>";

    public string ConfigPath
    {
        get
        {
            var dir = environment("DOCKER_CONFIG") is { Length: > 0 } d ? d : Path.Combine(environment("HOME") ?? "/root", ".docker");
            return Path.Combine(dir, "config.json");
        }
    }

    /// <summary>The key a registry's credentials are stored under: docker.io's is the v1 index URL, others are host[:port].</summary>
    public static string Key(string server)
    {
        var s = server;
        int scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) s = s[(scheme + 3)..];
        s = s.TrimEnd('/');
        if (s.EndsWith("/v1", StringComparison.Ordinal) || s.EndsWith("/v2", StringComparison.Ordinal)) s = s[..^3];
        return s is "index.docker.io" or "docker.io" or "registry-1.docker.io" ? HubKey : s;
    }

    /// <summary>The helper name for <paramref name="key"/>: its credHelpers entry, else credsStore, else none.</summary>
    public static string? HelperFor(JsonObject config, string key)
    {
        if (config["credHelpers"] is JsonObject helpers && helpers[key] is JsonValue v && v.TryGetValue(out string? name) && name.Length > 0)
            return name;
        return config["credsStore"] is JsonValue s && s.TryGetValue(out string? store) && store.Length > 0 ? store : null;
    }

    public RegistryCredentials? Get(string key)
    {
        var config = Load();
        if (HelperFor(config, key) is { } helper)
        {
            var (exit, stdout, stderr) = RunHelper(helper, "get", key);
            if (exit != 0)
            {
                // "credentials not found in native keychain": not logged in, so anonymous (docker/cli does the same).
                if (stdout.Contains("credentials not found", StringComparison.OrdinalIgnoreCase)) return null;
                throw new CliException($"error getting credentials - err: exit status {exit}, out: `{(stdout + stderr).Trim()}`");
            }
            return ParseHelperOutput(stdout);
        }
        if (config["auths"]?[key] is not JsonObject entry) return null;
        var identity = entry["identitytoken"] is JsonValue it && it.TryGetValue(out string? t) && t.Length > 0 ? t : null;
        if (entry["auth"] is JsonValue av && av.TryGetValue(out string? auth) && auth.Length > 0)
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(auth));
                int colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0) return new RegistryCredentials(pair[..colon], pair[(colon + 1)..], identity);
            }
            catch (FormatException)
            {
                // A damaged entry: anonymous, as the docker CLI does.
            }
        }
        return identity is null ? null : new RegistryCredentials("", "", identity);
    }

    public void Store(string key, RegistryCredentials credentials)
    {
        var config = Load();
        var auths = config["auths"] as JsonObject ?? new JsonObject();
        config["auths"] = auths;
        if (HelperFor(config, key) is { } helper)
        {
            var (exit, stdout, stderr) = RunHelper(helper, "store", HelperStoreInput(key, credentials));
            if (exit != 0) throw new CliException($"error storing credentials - err: exit status {exit}, out: `{(stdout + stderr).Trim()}`");
            auths[key] = new JsonObject();
        }
        else
        {
            var entry = new JsonObject { ["auth"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)) };
            if (credentials.IdentityToken is { Length: > 0 } token) entry["identitytoken"] = token;
            auths[key] = entry;
        }
        Save(config);
    }

    /// <summary>Forgets <paramref name="key"/>'s credentials; false when there were none in config.json.</summary>
    public bool Erase(string key)
    {
        var config = Load();
        if (HelperFor(config, key) is { } helper)
        {
            // A helper that has nothing for the key is fine: logout only has to leave nothing behind.
            RunHelper(helper, "erase", key);
        }
        if (config["auths"] is not JsonObject auths || !auths.Remove(key)) return false;
        Save(config);
        return true;
    }

    /// <summary>The JSON a helper's <c>store</c> reads: ServerURL, Username, Secret (an identity token under the
    /// username <c>&lt;token&gt;</c>).</summary>
    public static string HelperStoreInput(string key, RegistryCredentials c)
    {
        var token = c.IdentityToken is { Length: > 0 };
        return new JsonObject
        {
            ["ServerURL"] = key,
            ["Username"] = token ? TokenUsername : c.Username,
            ["Secret"] = token ? c.IdentityToken : c.Password,
        }.ToJsonString();
    }

    /// <summary>Reads a helper's <c>get</c> answer; null when it is not the JSON object the protocol says.</summary>
    public static RegistryCredentials? ParseHelperOutput(string json)
    {
        try
        {
            if (JsonNode.Parse(json) is not JsonObject o) return null;
            string Str(string name) => o[name] is JsonValue v && v.TryGetValue(out string? s) ? s : "";
            var user = Str("Username");
            var secret = Str("Secret");
            return user == TokenUsername ? new RegistryCredentials("", "", secret) : new RegistryCredentials(user, secret);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Runs <c>docker-credential-&lt;name&gt; verb</c> with <paramref name="input"/> on stdin.</summary>
    private (int Exit, string Stdout, string Stderr) RunHelper(string name, string verb, string input)
    {
        var program = "docker-credential-" + name;
        var path = FindOnPath(program, environment("PATH"))
                   ?? throw new CliException($"error getting credentials - err: exec: \"{program}\": executable file not found in $PATH, out: ``");
        var psi = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(verb);
        using var process = Process.Start(psi) ?? throw new CliException("could not start " + path);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        process.WaitForExit();
        return (process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    internal static string? FindOnPath(string program, string? path)
    {
        foreach (var dir in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public JsonObject Load()
    {
        try
        {
            return JsonNode.Parse(File.ReadAllText(ConfigPath)) as JsonObject ?? new JsonObject();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return new JsonObject();
        }
    }

    private void Save(JsonObject config)
    {
        var path = ConfigPath;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(tmp, path, overwrite: true);
    }
}
