using System.Globalization;
using System.Text;
using System.Text.Json;
using Wharf.Core;

namespace Wharf.Runtime;

/// <summary>
/// The format of <c>{StateDir}/exit.json</c> and of the shim's 'x' frame. Written by hand (not by a
/// serializer) so the NativeAOT shim stays small and trimming-safe.
/// </summary>
public static class ExitRecordJson
{
    private const string HexDigits = "0123456789abcdef";

    public static string Serialize(ExitRecord record)
    {
        var sb = new StringBuilder(128);
        sb.Append("{\"ExitCode\":").Append(record.ExitCode.ToString(CultureInfo.InvariantCulture));
        sb.Append(",\"ExitedAt\":\"").Append(Rfc3339.Format(record.ExitedAt, fractionDigits: 7, trimZeros: false));
        sb.Append("\",\"OomKilled\":").Append(record.OomKilled ? "true" : "false");
        sb.Append(",\"Error\":\"");
        foreach (var c in record.Error)
        {
            if (c == '"' || c == '\\') sb.Append('\\').Append(c);
            else if (c < 0x20) sb.Append("\\u00").Append(HexDigits[c >> 4]).Append(HexDigits[c & 0xf]);
            else sb.Append(c);
        }
        sb.Append("\"}");
        return sb.ToString();
    }

    public static ExitRecord Parse(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        int code = 0;
        DateTimeOffset at = default;
        bool oom = false;
        string error = "";
        string? prop = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    prop = reader.GetString();
                    break;
                case JsonTokenType.Number when prop == "ExitCode":
                    code = reader.GetInt32();
                    break;
                case JsonTokenType.String when prop == "ExitedAt":
                    at = DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    break;
                case JsonTokenType.String when prop == "Error":
                    error = reader.GetString() ?? "";
                    break;
                case JsonTokenType.True when prop == "OomKilled":
                    oom = true;
                    break;
            }
        }
        return new ExitRecord(code, at, oom, error);
    }
}
