namespace Wharf.Build.Parsing;

/// <summary>
/// One here-document of a RUN, COPY or ADD line. <see cref="Expand"/> is false when the delimiter was quoted
/// (<c>&lt;&lt;"EOF"</c>), which keeps <c>$var</c> literal as in a POSIX shell; <see cref="Chomp"/> is the
/// <c>&lt;&lt;-</c> form that strips leading tabs.
/// </summary>
public sealed record Heredoc(string Name, string Content, bool Expand, bool Chomp);
